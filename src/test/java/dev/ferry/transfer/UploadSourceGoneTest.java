package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file deleted after part of it was sent (a drop removed from the inbox while it uploaded): its partial copy can
 * never be finished, and it stayed on the server, hundreds of MiB, until someone asked for a discard. The next run
 * of the transfer finds the source gone, removes the copy and says so.
 */
class UploadSourceGoneTest {
    private static final long MIB = 1 << 20;
    @TempDir
    Path tmp;

    @Test
    void aSourceGoneAfterAPartialUploadTakesItsPartialCopyWithIt() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).ratePerConnection(MIB).start();
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), EngineHarness.profileFor(ftp).build())) {
            Path source = PseudoRandomContent.write(tmp.resolve("gone.bin"), 16 * MIB, 5);
            TransferRequest request = h.engine.accept(h.upload(source, "/gone.bin",
                    TransferOptions.none().withMinSegmentSize(MIB)));
            ExecutorService runs = Executors.newSingleThreadExecutor();
            try {
                Future<TransferResult> first = runs.submit(() -> h.engine.runAccepted(request));
                Await.until(Duration.ofSeconds(30), () -> partsOnServer(ftp).size() == 1
                        && sizeOf(ftp.file(partsOnServer(ftp).get(0))) > 0, () -> "no partial copy: " + h.events);
                Await.until(Duration.ofSeconds(30), () -> h.engine.cancel(request.id()), () -> "never running");
                assertThrows(ExecutionException.class, () -> first.get(30, TimeUnit.SECONDS));
            } finally {
                runs.shutdownNow();
            }
            assertEquals(1, partsOnServer(ftp).size(), "the cancelled upload keeps its copy to resume");

            Files.delete(source);
            TransferRequest again = h.engine.accept(h.upload(source, "/gone.bin",
                    TransferOptions.none().withMinSegmentSize(MIB)));
            TransferFailedException gone = assertThrows(TransferFailedException.class,
                    () -> h.engine.runAccepted(again));
            assertInstanceOf(LocalFileException.class, gone.getCause());
            assertTrue(gone.getMessage().contains("does not exist") && gone.getMessage().contains("was removed"),
                    gone.getMessage());
            assertEquals(List.of(), partsOnServer(ftp), "the partial copy is gone with its source");
        }
    }

    private static List<String> partsOnServer(FtpServerFixture ftp) {
        try (Stream<Path> root = Files.list(ftp.file(""))) {
            return root.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".part")).toList();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return 0;
        }
    }
}
