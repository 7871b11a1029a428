package dev.ferry.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.UploadStrategy;
import dev.ferry.plan.Direction;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.progress.TransferListener;
import dev.ferry.progress.TransferView;
import dev.ferry.testing.FaultProxy;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import dev.ferry.transfer.TransferResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault-injecting proxy between Ferry and the embedded server cuts or stalls control and data connections at
 * seeded random points of downloads and uploads. Every round ends SHA-256-identical, or as a clear FAILED record in
 * the ledger (and then, faults cleared, a rerun that ends identical); none hangs.
 */
@Tag("fault")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyFaultTest {
    private static final int MIB = 1 << 20;
    private static final long SEED = FaultSummary.seed(0xFE77_0001L);
    private static final int ROUNDS = Integer.getInteger("ferry.fault.proxyRounds", 12);

    enum Fault { CUT_DATA, CUT_EVERY_DATA, STALL_DATA, CUT_CONTROL, CUT_ALL_MIDWAY, REFUSE_AND_CUT_MIDWAY }

    @TempDir
    Path tmp;
    private FaultSummary summary;

    @BeforeAll
    void begin() {
        summary = new FaultSummary(ProxyFaultTest.class, SEED);
    }

    @AfterAll
    void end() {
        summary.print();
    }

    @Test
    void downloads() throws Exception {
        rounds(Direction.DOWNLOAD);
    }

    @Test
    void uploads() throws Exception {
        rounds(Direction.UPLOAD);
    }

    private void rounds(Direction direction) throws Exception {
        Random random = new Random(SEED + direction.ordinal());
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).ratePerConnection(8 * MIB).start();
             FaultProxy proxy = FaultProxy.start(ftp.host(), ftp.port())) {
            ServerProfile profile = ServerProfile.builder("faulty").host(proxy.host()).port(proxy.port())
                    .user(ftp.user()).password(ftp.password()).connectionLimit(4)
                    .connectTimeout(Duration.ofSeconds(2)).soTimeout(Duration.ofSeconds(2))
                    .dataTimeout(Duration.ofSeconds(2)).build();
            for (int i = 0; i < ROUNDS; i++) {
                round(direction, i, random, ftp, proxy, profile);
            }
        }
    }

    private void round(Direction direction, int i, Random random, FtpServerFixture ftp, FaultProxy proxy,
                       ServerProfile profile) throws Exception {
        long size = 2L * MIB + random.nextInt(4 * MIB);
        Fault fault = Fault.values()[random.nextInt(Fault.values().length)];
        long at = 1 + (long) (random.nextDouble() * size * 0.8);
        UploadStrategy strategy = random.nextBoolean() ? UploadStrategy.AUTO : UploadStrategy.SEQUENTIAL;
        String name = direction.name().toLowerCase() + "-" + i + ".bin";
        String round = String.format("%s round %d (%s at %d of %d bytes%s)", direction, i, fault, at, size,
                direction == Direction.UPLOAD ? ", " + strategy : "");
        Path dir = Files.createDirectories(tmp.resolve(name + ".d"));
        Path local = dir.resolve(name);
        String remote = "/" + direction.name().toLowerCase() + "/" + name;
        Path source = direction == Direction.DOWNLOAD ? ftp.write(remote, size, i) : PseudoRandomContent.write(local, size, i);
        TransferOptions options = TransferOptions.none().withSegments(4).withMinSegmentSize(MIB / 2)
                .withCheckpointBytes(256 * 1024).withUploadStrategy(strategy);
        TransferRequest request = new TransferRequest(direction, profile.name(), remote, local.toString(), options);

        proxy.clearFaults();
        long faultsBefore = proxy.faultsInjected();
        long movedBefore = direction == Direction.DOWNLOAD ? ftp.bytesSent() : ftp.bytesReceived();
        AtomicBoolean fired = new AtomicBoolean();
        switch (fault) {
            case CUT_DATA -> proxy.cutDataAfter(at / 4);
            case CUT_EVERY_DATA -> proxy.cutEveryDataAfter(Math.max(64 * 1024, at / 4));
            case STALL_DATA -> proxy.stallDataAfter(at / 4);
            case CUT_CONTROL -> proxy.cutControlAfter(Math.min(at, 40 + random.nextInt(400)));
            default -> { }
        }
        try (FaultRounds f = new FaultRounds(dir.resolve("ledger"), profile)) {
            f.listen(new TransferListener() {
                @Override
                public void checkpoint(TransferView t, int segment, long offset) {
                    if (t.bytesDone() >= at && fired.compareAndSet(false, true)) {
                        if (fault == Fault.CUT_ALL_MIDWAY) {
                            proxy.cutAll();
                        } else if (fault == Fault.REFUSE_AND_CUT_MIDWAY) {
                            // Everything drops and reconnecting fails for a while: the retries must outlast it.
                            proxy.refuseNew(true);
                            proxy.cutAll();
                        }
                    }
                }

                @Override
                public void retry(TransferView t, int segment, Throwable cause, Duration delay) {
                    if (fault == Fault.REFUSE_AND_CUT_MIDWAY) {
                        proxy.refuseNew(false); // the first retry after the cut finds the server back
                    }
                }
            });
            TransferResult result = f.runBounded(request, round);
            summary.rounds.incrementAndGet();
            if (result == null) {
                summary.failedClearly.incrementAndGet();
                proxy.clearFaults();
                result = f.runBounded(request, round + " rerun without faults");
                assertNotNull(result, round + ": the rerun without faults must succeed");
            }
        }
        Path arrived = direction == Direction.DOWNLOAD ? local : ftp.file(remote);
        assertEquals(Hashes.sha256(source), Hashes.sha256(arrived), round);
        summary.verified.incrementAndGet();
        summary.faults.addAndGet(proxy.faultsInjected() - faultsBefore);
        long moved = (direction == Direction.DOWNLOAD ? ftp.bytesSent() : ftp.bytesReceived()) - movedBefore;
        summary.resent.addAndGet(Math.max(0, moved - size));
        if (direction == Direction.DOWNLOAD) {
            try (var files = Files.list(local.getParent())) {
                assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".part")), round + ": part file left");
            }
        }
    }
}
