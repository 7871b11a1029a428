package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.ledger.JdbcLedger;
import dev.ferry.ledger.SegmentRecord;
import dev.ferry.ledger.TransferRecord;
import dev.ferry.ledger.TransferStatus;
import dev.ferry.ledger.TreeListings;
import dev.ferry.plan.Direction;
import dev.ferry.plan.Requests;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review: a folder drop's node died mid-folder; the next node ran the folder again, found every file on the
 * server and filed the folder in .done/; then the dead node's unfinished transfer of one of its files was run alone,
 * failed on its source (in .done/ now), and a delivered file showed FAILED under a tree that said DONE. A file whose
 * tree ended DONE after it last moved is recorded published.
 */
class DeliveredByItsTreeTest {
    @TempDir
    Path tmp;

    @Test
    void anInterruptedFileOfAFolderThatRanAgainToTheEndIsRecordedPublishedNotRunAlone() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ftp.write("incoming/photos/p13.bin", 1000, 13); // the folder's later run put it there
            ServiceHarness h = new ServiceHarness(tmp.resolve("svc"), ftp).writeConfig();
            TransferRequest file = interruptedFileOfADoneFolder(h, "p13.bin", "u-00000000000000aa");
            try (FerryService service = h.start()) {
                Await.until(Duration.ofSeconds(20), () -> service.engine().ledger().find(file.id()).orElseThrow()
                        .status().finished(), () -> "never ended");
                TransferRecord r = service.engine().ledger().find(file.id()).orElseThrow();
                assertEquals(TransferStatus.PUBLISHED, r.status(), r.reason());
            }
        }
    }

    /** The same, but the server has no such file (left out of the later run, or removed since): not taken as delivered. */
    @Test
    void aFileTheServerDoesNotHaveIsNotTakenAsDelivered() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ServiceHarness h = new ServiceHarness(tmp.resolve("svc"), ftp).writeConfig();
            TransferRequest file = interruptedFileOfADoneFolder(h, "p14.bin", "u-00000000000000ab");
            try (FerryService service = h.start()) {
                Await.until(Duration.ofSeconds(20), () -> service.engine().ledger().find(file.id()).orElseThrow()
                        .status().finished(), () -> "never ended");
                TransferRecord r = service.engine().ledger().find(file.id()).orElseThrow();
                assertEquals(TransferStatus.FAILED, r.status(), "taken as delivered with nothing on the server");
            }
        }
    }

    /**
     * The ledger a dead node's folder run and the later one leave: the file's transfer ACTIVE, 400 of its 1000 bytes
     * sent, and after it, the folder's tree DONE with every file verified.
     */
    private static TransferRequest interruptedFileOfADoneFolder(ServiceHarness h, String name, String tree)
            throws InterruptedException {
        Path folder = h.uploadInbox().resolve("photos");
        TransferRequest file = new TransferRequest(Direction.UPLOAD, "fixture", "/incoming/photos/" + name,
                folder.resolve(name).toString(), TransferOptions.none(), tree);
        try (JdbcLedger ledger = JdbcLedger.h2(h.data)) {
            ledger.accept(TransferRecord.accepted(file.id(), Direction.UPLOAD, "fixture", file.remotePath(),
                    file.localPath(), Requests.toJson(file), tree));
            ledger.start(file.id(), 1000, 1_700_000_000_000L, List.of(new SegmentRecord(0, 0, 1000, 400, false)));
            Thread.sleep(20);
            TreeListings.Run run = ledger.treeListings().begin(tree, Direction.UPLOAD, "fixture", "/incoming/photos",
                    folder.toString(), false);
            ledger.treeListings().ended(run.claim(), TreeListings.DONE, new TreeListings.Counts(30, 0, 30, 0, 0, 0));
        }
        return file;
    }

    /**
     * A transfer the service sent itself (recovery) that failed on its own while the service stopped: its exchange
     * was parked "until the JVM exits", and Camel's stop waits for every exchange a seda consumer has taken, so a
     * service stopped in-process never returned (seen with the test above under load). It ends as it would have.
     */
    @Test
    void aTransferThatFailsOnItsOwnWhileTheServiceStopsDoesNotHoldTheStop() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ServiceHarness h = new ServiceHarness(tmp.resolve("svc"), ftp).writeConfig();
            FerryService service = h.start();
            service.camelContext().getRegistry().findSingleByType(dev.ferry.camel.FerryComponent.class)
                    .serviceStopping();
            TransferRequest gone = new TransferRequest(Direction.UPLOAD, "fixture", "/incoming/gone.bin",
                    tmp.resolve("gone.bin").toString(), TransferOptions.none());
            service.camelContext().createProducerTemplate().sendBody("seda:ferry-transfers", gone);
            Await.until(Duration.ofSeconds(20), () -> service.engine().ledger().find(gone.id())
                    .map(r -> r.status().finished()).orElse(false), () -> "never ended");
            // Not closed when this fails: close() would wait for the parked exchange for ever.
            Await.until(Duration.ofSeconds(10), () -> service.camelContext().getInflightRepository().size() == 0,
                    () -> "the failed transfer's exchange is still in flight, parked");
            service.close();
        }
    }
}
