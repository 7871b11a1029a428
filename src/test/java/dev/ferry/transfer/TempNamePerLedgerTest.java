package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ledger.JdbcLedger;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review: two machines (or two command-line ledgers) sending the same local path to the same remote name
 * had one temporary file on the server between them, each writing into the other's; a server without a hash
 * published the mixture. The temporary name now carries the ledger's instance as well as the transfer's id.
 */
class TempNamePerLedgerTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void aLedgersInstanceIsItsOwnAndLastsAcrossRuns() {
        String a;
        try (JdbcLedger ledger = JdbcLedger.h2(tmp.resolve("a"))) {
            a = ledger.instance();
        }
        try (JdbcLedger again = JdbcLedger.h2(tmp.resolve("a")); JdbcLedger b = JdbcLedger.h2(tmp.resolve("b"))) {
            assertEquals(a, again.instance(), "the same ledger, the same name: its uploads resume");
            assertNotEquals(a, b.instance());
            String id = "u-0123456789abcdef";
            String inA = PartFiles.remotePart("/d/x.bin", id, a);
            String inB = PartFiles.remotePart("/d/x.bin", id, b.instance());
            assertNotEquals(inA, inB);
            assertTrue(inA.startsWith("/d/") && PartFiles.isWorkName(inA.substring(3)), inA);
        }
    }

    @Test
    void anotherLedgersUploadOfTheSamePathLeavesTheFirstOnesPartialCopyAlone() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness first = new EngineHarness(tmp.resolve("ledger-a"), EngineHarness.profileFor(ftp).build());
             EngineHarness second = new EngineHarness(tmp.resolve("ledger-b"), EngineHarness.profileFor(ftp).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("same.bin"), 4 * MIB, 93);
            TransferRequest a = first.upload(source, "/same.bin", EngineHarness.slow(MIB));
            CompletableFuture<TransferResult> run = first.runAsync(a);
            Await.until(Duration.ofSeconds(20), () -> parts(ftp.root()).size() == 1
                    && parts(ftp.root()).get(0).toFile().length() > 256 * 1024, () -> "no partial copy");
            first.engine.cancel(a.id());
            try {
                run.get(30, TimeUnit.SECONDS);
            } catch (Exception cancelled) {
                // as asked
            }
            Path firstsCopy = parts(ftp.root()).get(0);
            long firstsBytes = firstsCopy.toFile().length();

            second.engine.run(second.upload(source, "/same.bin", TransferOptions.none()));

            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("same.bin")));
            assertTrue(Files.exists(firstsCopy), "the other ledger's upload took the first one's partial copy");
            assertEquals(firstsBytes, firstsCopy.toFile().length(), "and wrote into it");
        }
    }

    private static List<Path> parts(Path root) {
        try (Stream<Path> files = Files.list(root)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".part")).toList();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    /**
     * An upload under way when Ferry was upgraded has its partial copy under the name without the instance: it resumes
     * from there (it would have started over, or worse: a final name of the same size taken as its own renamed copy).
     */
    @Test
    void anUploadBegunUnderTheOldNameResumesFromIt() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("old.bin"), 4 * MIB, 95);
            TransferRequest a = h.upload(source, "/old.bin", EngineHarness.slow(MIB));
            CompletableFuture<TransferResult> run = h.runAsync(a);
            Await.until(Duration.ofSeconds(20), () -> parts(ftp.root()).size() == 1
                    && parts(ftp.root()).get(0).toFile().length() > 512 * 1024, () -> "no partial copy");
            h.engine.cancel(a.id());
            try {
                run.get(30, TimeUnit.SECONDS);
            } catch (Exception cancelled) {
                // as asked
            }
            Path now = parts(ftp.root()).get(0);
            Path legacy = ftp.root().resolve(PartFiles.legacyRemotePart("/old.bin", a.id()).substring(1));
            assertNotEquals(now, legacy);
            Files.move(now, legacy);

            TransferResult r = h.engine.run(h.upload(source, "/old.bin", TransferOptions.none()));

            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("old.bin")));
            assertTrue(r.bytesResumed() > 0, "started over: " + h.events);
            assertEquals(List.of(), parts(ftp.root()), "a partial copy left");
        }
    }
}
