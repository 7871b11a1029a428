package dev.ferry.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.FtpServerFixture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.junit.jupiter.api.Test;

/** The write probe keeps a definitive answer for good, and one that rests on a passing 4xx only for a while. */
class CapabilityProbeTest {
    private static final Duration RECHECK = Duration.ofSeconds(60);
    private final AtomicLong now = new AtomicLong();

    @Test
    void aTransientRefusalOfTheProbeFileIsProbedAgainLater() throws Exception {
        ProbeRefusal refusal = new ProbeRefusal(1, 452, "Insufficient storage space, try later");
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).ftplet("refuse", refusal).start();
             FtpSession session = FtpSession.open(profile(ftp), null)) {
            CapabilityProbe probe = new CapabilityProbe(now::get, RECHECK);
            assertFalse(probe.forUpload(session, "/").storeInPlace(), "could not write: nothing known to work");
            assertFalse(probe.forUpload(session, "/").storeInPlace(), "the answer is used for a while");
            assertEquals(1, refusal.probeStores.get(), "not probed again at once");
            now.addAndGet(RECHECK.toNanos() + 1);
            Capabilities later = probe.forUpload(session, "/");
            assertTrue(later.storeInPlace() && later.storeRestart(), "probed again once the server can write: " + later);
            int stores = refusal.probeStores.get();
            now.addAndGet(Duration.ofDays(1).toNanos());
            probe.forUpload(session, "/");
            assertEquals(stores, refusal.probeStores.get(), "a definitive answer is kept");
        }
    }

    @Test
    void aPermanentRefusalOfTheProbeFileIsKept() throws Exception {
        ProbeRefusal refusal = new ProbeRefusal(1, 553, "Permission denied");
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).ftplet("refuse", refusal).start();
             FtpSession session = FtpSession.open(profile(ftp), null)) {
            CapabilityProbe probe = new CapabilityProbe(now::get, RECHECK);
            assertFalse(probe.forUpload(session, "/").storeRestart());
            now.addAndGet(Duration.ofDays(1).toNanos());
            assertFalse(probe.forUpload(session, "/").storeRestart());
            assertEquals(1, refusal.probeStores.get(), "a 5xx is an answer: not asked again");
        }
    }

    /**
     * A server that answers REST with 350 and writes from byte 0 anyway cannot resume an upload with REST: the probe
     * reads back where its byte went, and such a server is resumed with APPE, which it does honour.
     */
    @Test
    void aServerThatIgnoresRestIsNotTakenToResumeWithIt() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().ftplet("rest", new dev.ferry.testing.IgnoredRest())
                .start();
             FtpSession session = FtpSession.open(profile(ftp), null)) {
            Capabilities caps = new CapabilityProbe(now::get, RECHECK).forUpload(session, "/");
            assertFalse(caps.storeRestart(), caps.toString());
            assertFalse(caps.storeInPlace(), caps.toString());
            assertTrue(caps.append(), caps.toString());
        }
    }

    /** A folder's lanes start together: one of them probes, the others wait for its answer. */
    @Test
    void sessionsAskingAtOnceShareOneProbe() throws Exception {
        ProbeRefusal counter = new ProbeRefusal(0, 553, "unused");
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).ftplet("count", counter).start()) {
            CapabilityProbe probe = new CapabilityProbe(now::get, RECHECK);
            int lanes = 4;
            java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(lanes);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(lanes);
            try {
                List<java.util.concurrent.Future<Capabilities>> answers = new java.util.ArrayList<>();
                for (int i = 0; i < lanes; i++) {
                    answers.add(pool.submit(() -> {
                        try (FtpSession session = FtpSession.open(profile(ftp), null)) {
                            together.await();
                            return probe.forUpload(session, "/");
                        }
                    }));
                }
                for (var answer : answers) {
                    assertTrue(answer.get(30, java.util.concurrent.TimeUnit.SECONDS).storeInPlace());
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(1, counter.probeStores.get(), "probes begun: " + counter.probeStores.get());
        }
    }

    private static ServerProfile profile(FtpServerFixture ftp) {
        return ServerProfile.builder("probe").host(ftp.host()).port(ftp.port()).user(ftp.user())
                .password(ftp.password()).connectTimeout(Duration.ofSeconds(5)).soTimeout(Duration.ofSeconds(5))
                .dataTimeout(Duration.ofSeconds(5)).build();
    }

    /** Counts the STORs of probe files and refuses the first {@code n} of them with the given reply. */
    private static final class ProbeRefusal extends DefaultFtplet {
        final AtomicInteger probeStores = new AtomicInteger();
        private final AtomicInteger left;
        private final int code;
        private final String text;

        ProbeRefusal(int n, int code, String text) {
            this.left = new AtomicInteger(n);
            this.code = code;
            this.text = text;
        }

        @Override
        public FtpletResult onUploadStart(org.apache.ftpserver.ftplet.FtpSession session, FtpRequest request)
                throws org.apache.ftpserver.ftplet.FtpException, java.io.IOException {
            if (!request.getArgument().contains(".ferry-probe-") || session.getFileOffset() != 0) {
                return FtpletResult.DEFAULT;
            }
            probeStores.incrementAndGet();
            if (left.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                session.write(new DefaultFtpReply(code, text));
                return FtpletResult.SKIP;
            }
            return FtpletResult.DEFAULT;
        }
    }
}
