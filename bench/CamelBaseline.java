import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * The baseline: a plain camel-ftp route, as a user would write it without Ferry (one connection, one file after
 * the other). Compiled by bench/run.sh against target/ferry.jar (which carries camel-ftp and camel-file).
 *
 * <pre>
 *   download HOST PORT USER PASSWORD REMOTE_DIR FILE_NAME LOCAL_DIR WORK_DIR   (resumeDownload, localWorkDirectory)
 *   upload   HOST PORT USER PASSWORD REMOTE_DIR LOCAL_DIR COUNT                (every file of LOCAL_DIR, noop)
 *   tree-download HOST PORT USER PASSWORD REMOTE_DIR LOCAL_DIR COUNT           (recursive=true consumer, noop)
 *   tree-upload   HOST PORT USER PASSWORD REMOTE_DIR LOCAL_DIR COUNT           (file: recursive=true to ftp:)
 * </pre>
 * The tree modes are a folder as a camel-ftp user would move one: the relative path travels in CamelFileName, the
 * producer makes the folders (autoCreate); one connection, one file after the other, nothing verified.
 * Prints "camel-start S" (context start) and "camel-transfer S" (route started until the last file is complete).
 */
public final class CamelBaseline {
    public static void main(String[] a) throws Exception {
        String mode = a[0];
        String server = "ftp://" + a[3] + "@" + a[1] + ":" + a[2] + "/" + a[5].replaceAll("^/+", "");
        String common = "password=" + a[4] + "&binary=true&passiveMode=true&delay=200&disconnect=false"
                + "&stepwise=false&useList=false";
        long t0 = System.nanoTime();
        CountDownLatch latch;
        AtomicLong bytes = new AtomicLong();
        DefaultCamelContext ctx = new DefaultCamelContext();
        if (mode.equals("download")) {
            String name = a[6];
            String localDir = a[7];
            String workDir = a[8];
            latch = new CountDownLatch(1);
            ctx.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from(server + "?" + common + "&fileName=" + name + "&noop=true&resumeDownload=true"
                            + "&localWorkDirectory=" + workDir + "&ignoreFileNotFoundOrPermissionError=false")
                            .to("file:" + localDir)
                            .process(e -> {
                                bytes.addAndGet(Files.size(Path.of(localDir, name)));
                                latch.countDown();
                            });
                }
            });
        } else if (mode.equals("upload")) {
            String localDir = a[6];
            int count = Integer.parseInt(a[7]);
            latch = new CountDownLatch(count);
            ctx.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("file:" + localDir + "?noop=true&delay=200&maxMessagesPerPoll=0&sortBy=file:name")
                            .to(server + "?" + common)
                            .process(e -> latch.countDown());
                }
            });
        } else if (mode.equals("tree-download")) {
            String localDir = a[6];
            int count = Integer.parseInt(a[7]);
            latch = new CountDownLatch(count);
            ctx.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from(server + "?" + common.replace("&useList=false", "") + "&recursive=true&noop=true"
                            + "&maxMessagesPerPoll=0")
                            .to("file:" + localDir)
                            .process(e -> latch.countDown());
                }
            });
        } else if (mode.equals("tree-upload")) {
            String localDir = a[6];
            int count = Integer.parseInt(a[7]);
            latch = new CountDownLatch(count);
            ctx.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("file:" + localDir + "?noop=true&recursive=true&delay=200&maxMessagesPerPoll=0")
                            .to(server + "?" + common)
                            .process(e -> latch.countDown());
                }
            });
        } else {
            throw new IllegalArgumentException("download, upload, tree-download or tree-upload, not " + mode);
        }
        ctx.start();
        long t1 = System.nanoTime();
        System.out.printf("camel-start %.3f%n", (t1 - t0) / 1e9);
        boolean ok = latch.await(1800, TimeUnit.SECONDS);
        long t2 = System.nanoTime();
        System.out.printf("camel-transfer %.3f%n", (t2 - t1) / 1e9);
        ctx.stop();
        System.exit(ok ? 0 : 1);
    }
}
