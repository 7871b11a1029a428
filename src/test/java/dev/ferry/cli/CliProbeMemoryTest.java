package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.ledger.ServerNotes;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A put after another to the same server uses the probe's answers from the ledger until they expire. */
class CliProbeMemoryTest {
    @TempDir
    Path tmp;

    @Test
    void aSecondPutDoesNotProbeTheServerAgainUntilTheAnswerExpires() throws Exception {
        ProbeCommands probe = new ProbeCommands();
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).ftplet("probe", probe).start()) {
            String base = "ftp://" + ftp.user() + ":" + ftp.password() + "@" + ftp.host() + ":" + ftp.port();
            Path ledger = tmp.resolve("cli-ledger");

            put(ledger, 1, base + "/up/one.bin", ftp);
            int probed = probe.count.get();
            assertTrue(probed > 0, "the first put probes the server");

            put(ledger, 2, base + "/up/two.bin", ftp);
            assertEquals(probed, probe.count.get(), "the second put takes the answers from the ledger");

            // The answer expires (the server may have changed since): the next put asks the server again.
            ServerProfile profile = ServerProfile.builder("x").host(ftp.host()).port(ftp.port()).user(ftp.user()).build();
            try (JdbcLedger l = JdbcLedger.h2(ledger)) {
                ServerNotes notes = l.serverNotes();
                String server = RememberedProbes.server(profile);
                String note = notes.read(server, "upload-capabilities", Instant.now()).orElseThrow();
                notes.write(server, "upload-capabilities", note, Instant.now().minusSeconds(1));
            }
            put(ledger, 3, base + "/up/three.bin", ftp);
            assertTrue(probe.count.get() > probed, "an expired answer is probed again");
        }
    }

    private void put(Path ledger, long seed, String url, FtpServerFixture ftp) {
        Path source = PseudoRandomContent.write(tmp.resolve(seed + ".bin"), 300_000, seed);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Cli.run(new String[] {"put", "--quiet", "--ledger", ledger.toString(), source.toString(), url},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        String remote = url.substring(url.indexOf("/up/") + 1);
        assertEquals(Hashes.sha256(source), Hashes.sha256(ftp.file(remote)));
    }

    /** Counts the commands that name a probe file. */
    private static final class ProbeCommands extends DefaultFtplet {
        final AtomicInteger count = new AtomicInteger();

        @Override
        public FtpletResult beforeCommand(org.apache.ftpserver.ftplet.FtpSession session, FtpRequest request) {
            if (request.hasArgument() && request.getArgument().contains(".ferry-probe-")) {
                count.incrementAndGet();
            }
            return FtpletResult.DEFAULT;
        }
    }
}
