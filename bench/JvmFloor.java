import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;

/**
 * The floor under any JVM folder client: the least a Java program does to move a tree over FTP, with the commons-net
 * Ferry uses, in parallel like lftp's mirror --parallel. It lists (MLSD), then N logged-in connections take files from
 * one queue and stream each straight to its final name: no ledger, no part file and rename, no fdatasync, no hash, no
 * check of the source, no retry beyond one for a busy passive port. It answers one question for issue #18: how much of
 * the gap to lftp is the JVM and commons-net, which no change to Ferry can remove? Compiled by bench/run.sh against
 * target/ferry.jar (which carries commons-net).
 *
 * <pre>
 *   tree-download HOST PORT USER PASSWORD REMOTE_DIR LOCAL_DIR CONNECTIONS
 *   tree-upload   HOST PORT USER PASSWORD REMOTE_DIR LOCAL_DIR CONNECTIONS   (REMOTE_DIR exists; folders are made)
 * </pre>
 * The password comes as an argument, as CamelBaseline's does (bench's own throwaway account).
 */
public final class JvmFloor {
    private final String host;
    private final int port;
    private final String user;
    private final String password;

    private JvmFloor(String host, int port, String user, String password) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    public static void main(String[] a) throws Exception {
        JvmFloor floor = new JvmFloor(a[1], Integer.parseInt(a[2]), a[3], a[4]);
        String remote = a[5].replaceAll("/+$", "");
        Path local = Path.of(a[6]);
        int connections = Integer.parseInt(a[7]);
        switch (a[0]) {
            case "tree-download" -> floor.download(remote, local, connections);
            case "tree-upload" -> floor.upload(remote, local, connections);
            default -> throw new IllegalArgumentException("unknown mode " + a[0]);
        }
    }

    private void download(String remote, Path local, int connections) throws Exception {
        FTPClient first = login();
        ConcurrentLinkedQueue<String> files = new ConcurrentLinkedQueue<>();
        walk(first, remote, "", local, files);
        parallel(first, connections, files, (c, rel, buf) -> {
            InputStream in = retryOnBusyPort(c, () -> c.retrieveFileStream(remote + "/" + rel), rel);
            copy(c, rel, in, Files.newOutputStream(local.resolve(rel)), buf);
        });
    }

    private void upload(String remote, Path local, int connections) throws Exception {
        FTPClient first = login();
        ConcurrentLinkedQueue<String> files = new ConcurrentLinkedQueue<>();
        try (Stream<Path> all = Files.walk(local)) {
            for (Path p : (Iterable<Path>) all.sorted()::iterator) {
                String rel = local.relativize(p).toString();
                if (Files.isDirectory(p)) {
                    if (!rel.isEmpty() && !first.makeDirectory(remote + "/" + rel)) {
                        throw new IOException("MKD " + rel + ": " + first.getReplyString().strip());
                    }
                } else {
                    files.add(rel);
                }
            }
        }
        parallel(first, connections, files, (c, rel, buf) -> {
            OutputStream out = retryOnBusyPort(c, () -> c.storeFileStream(remote + "/" + rel), rel);
            copy(c, rel, Files.newInputStream(local.resolve(rel)), out, buf);
        });
    }

    /** Streams one file, closes both ends, then reads the server's reply to the transfer. */
    private static void copy(FTPClient c, String rel, InputStream in, OutputStream out, byte[] buf)
            throws IOException {
        try (in; out) {
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
        }
        if (!c.completePendingCommand()) {
            throw new IOException(rel + ": " + c.getReplyString().strip());
        }
    }

    private static void walk(FTPClient c, String remote, String rel, Path local, ConcurrentLinkedQueue<String> files)
            throws IOException {
        Files.createDirectories(local.resolve(rel));
        FTPFile[] entries = c.mlistDir(rel.isEmpty() ? remote : remote + "/" + rel);
        if (entries == null) {
            throw new IOException("MLSD " + rel + ": " + c.getReplyString().strip());
        }
        for (FTPFile f : entries) {
            if (f.getName().equals(".") || f.getName().equals("..")) {
                continue; // MLSD's cdir and pdir lines
            }
            String child = rel.isEmpty() ? f.getName() : rel + "/" + f.getName();
            if (f.isDirectory()) {
                walk(c, remote, child, local, files);
            } else if (f.isFile()) {
                files.add(child);
            }
        }
    }

    private interface Move {
        void run(FTPClient c, String rel, byte[] buffer) throws IOException;
    }

    private interface Open<T> {
        T open() throws IOException;
    }

    /** Connections take files from one queue; the first connection (which listed) is one of them. */
    private void parallel(FTPClient first, int connections, ConcurrentLinkedQueue<String> files, Move move)
            throws Exception {
        AtomicReference<Exception> failed = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            FTPClient given = i == 0 ? first : null;
            Thread t = new Thread(() -> {
                try {
                    FTPClient c = given != null ? given : login();
                    byte[] buffer = new byte[64 * 1024];
                    String rel;
                    while (failed.get() == null && (rel = files.poll()) != null) {
                        move.run(c, rel, buffer);
                    }
                    c.logout();
                    c.disconnect();
                } catch (Exception e) {
                    failed.compareAndSet(null, e);
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failed.get() != null) {
            throw failed.get();
        }
    }

    /** A 425 (the server's passive port still in TIME_WAIT) once more; anything else ends the run. */
    private static <T> T retryOnBusyPort(FTPClient c, Open<T> open, String rel) throws IOException {
        for (int attempt = 0; ; attempt++) {
            T stream = open.open();
            if (stream != null) {
                return stream;
            }
            if (c.getReplyCode() != 425 || attempt == 2) {
                throw new IOException(rel + ": " + c.getReplyString().strip());
            }
        }
    }

    private FTPClient login() throws IOException {
        FTPClient c = new FTPClient();
        c.connect(host, port);
        if (!c.login(user, password)) {
            throw new IOException("login refused: " + c.getReplyString().strip());
        }
        c.enterLocalPassiveMode();
        c.setFileType(FTP.BINARY_FILE_TYPE);
        return c;
    }
}
