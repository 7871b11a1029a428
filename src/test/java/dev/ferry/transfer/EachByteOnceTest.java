package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FaultProxy;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With no fault, every byte crosses the network once: the end of a transfer whose connections run at uneven speeds
 * is shared out by splitting what is left, never by sending a range twice. Bytes are counted where the server's file
 * system writes them. (A parallel upload's offset moves only when the server confirms a chunk; a thief that split
 * there took bytes the victim had already sent.)
 */
class EachByteOnceTest {
    private static final long MIB = 1 << 20;
    private static final long KIB = 1 << 10;
    private static final long SIZE = 16 * MIB;

    @TempDir
    Path tmp;

    @Test
    void aRateLimitedFourSegmentUploadWithOneSlowConnectionSendsEachByteOnce() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).ratePerConnection(2 * MIB).start();
             FaultProxy proxy = unevenProxy(ftp);
             EngineHarness h = new EngineHarness(tmp.resolve("ledger"), profile(proxy, ftp))) {
            Path source = PseudoRandomContent.write(tmp.resolve("up.bin"), SIZE, 62);
            ftp.resetCounters();
            h.engine.run(h.upload(source, "/up.bin", options()));
            assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file("up.bin")));
            long received = ftp.bytesReceived();
            assertTrue(received <= SIZE + SIZE / 100, "the server wrote " + received + " bytes for " + SIZE);
        }
    }

    private static TransferOptions options() {
        return TransferOptions.none().withSegments(4).withMinSegmentSize(MIB).withCheckpointBytes(MIB);
    }

    /** Every third data connection at a quarter of the server's rate: the segments end at very different times. */
    private static FaultProxy unevenProxy(FtpServerFixture ftp) throws Exception {
        FaultProxy proxy = FaultProxy.start(ftp.host(), ftp.port());
        for (int i = 0; i < 200; i += 3) {
            proxy.throttle(i, 512 * KIB);
        }
        return proxy;
    }

    private static dev.ferry.ftp.ServerProfile profile(FaultProxy proxy, FtpServerFixture ftp) {
        return EngineHarness.profileFor(ftp).host(proxy.host()).port(proxy.port()).build();
    }
}
