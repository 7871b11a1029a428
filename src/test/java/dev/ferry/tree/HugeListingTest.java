package dev.ferry.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.ledger.TreeListings;
import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.ForkedJvm;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.transfer.TransferEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Calendar;
import java.util.List;
import org.apache.commons.net.ftp.FTPFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A download listing of 100,000 entries goes through the ledger in a JVM of 64 MiB heap: every entry recorded, read
 * back and filtered, and the real file among them arrives identical. The synthetic entries sit in 100 folders of
 * 1,000 (one folder's listing is what the walk holds) on top of the embedded server's real listing.
 */
class HugeListingTest {
    static final int FOLDERS = 100;
    static final int PER_FOLDER = 1000;

    @TempDir
    Path tmp;

    @Test
    void aListingOf100000EntriesRunsInBoundedMemory() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            Path real = ftp.write("tree/real.bin", 300 * 1024, 7);
            Path out = tmp.resolve("out");
            try (ForkedJvm jvm = ForkedJvm.builder(HugeListingTest.class).jvmArg("-Xmx64m")
                    .args(ftp.host(), Integer.toString(ftp.port()), ftp.user(), ftp.password(), out.toString(),
                            tmp.resolve("ledger").toString()).start()) {
                assertEquals(0, jvm.awaitExit(Duration.ofMinutes(5)), String.join("\n", jvm.output()));
                List<String> result = jvm.output().stream().filter(l -> l.startsWith("RESULT ")).toList();
                assertEquals(List.of("RESULT files=1 transferred=1 entries=" + (FOLDERS * PER_FOLDER + 1)
                        + " status=DONE"), result, String.join("\n", jvm.output()));
            }
            assertEquals(Hashes.sha256(real), Hashes.sha256(out.resolve("real.bin")));
        }
    }

    /** The forked side: host port user password out ledger. */
    public static void main(String[] args) throws Exception {
        ServerProfile profile = ServerProfile.builder("test").host(args[0]).port(Integer.parseInt(args[1]))
                .user(args[2]).password(args[3]).connectionLimit(4).build();
        try (JdbcLedger ledger = JdbcLedger.h2(Path.of(args[5]))) {
            TransferEngine engine = new TransferEngine(ledger, new ServerProfiles().add(profile),
                    TransferOptions.none(), Duration.ofMillis(500));
            PooledListing server = new PooledListing(engine.pool(), profile);
            Calendar now = Calendar.getInstance();
            ListingSource huge = (dir, each) -> {
                if (dir.startsWith("/tree/s")) {
                    for (int i = 0; i < PER_FOLDER; i++) {
                        FTPFile f = new FTPFile();
                        f.setName("f" + i + ".bin");
                        f.setType(FTPFile.FILE_TYPE);
                        f.setSize(i);
                        f.setTimestamp(now);
                        each.accept(f);
                    }
                    return true;
                }
                boolean exact = server.list(dir, each);
                for (int k = 0; k < FOLDERS; k++) {
                    FTPFile d = new FTPFile();
                    d.setName("s" + k);
                    d.setType(FTPFile.DIRECTORY_TYPE);
                    each.accept(d);
                }
                return exact;
            };
            TreeFilter onlyReal = new TreeFilter(List.of("real.bin"), List.of(), null, false);
            TreeResult r = new TreeRun(engine, "test", new TreeLimits(32, 200_000, 4), huge)
                    .download("/tree/", Path.of(args[4]), TransferOptions.none(), onlyReal);
            TreeListings.TreeRecord t = ledger.treeListings().get(r.id());
            System.out.println("RESULT files=" + r.files() + " transferred=" + r.transferred() + " entries="
                    + t.entries() + " status=" + t.status());
            engine.close();
        }
        System.exit(0);
    }
}
