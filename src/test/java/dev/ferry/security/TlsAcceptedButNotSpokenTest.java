package dev.ferry.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.TlsRefusedException;
import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.HostileFtpsServer;
import dev.ferry.testing.ServerCertificate;
import dev.ferry.transfer.TransferFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review of FTPS: a server (or a box on the way that strips TLS) that answers AUTH TLS with 234 and then
 * goes on in plain text failed with "cannot reach … SSLException Unsupported or unrecognized SSL message" — though it
 * had answered — and was tried again as an outage. Ferry never went on in plain, and still does not; it now says the
 * server accepted TLS and did not speak it, once, as a refused AUTH TLS, and sends no USER or PASS.
 */
class TlsAcceptedButNotSpokenTest {
    private static final String PASSWORD = "Sekr1t-stripped";

    @TempDir
    Path tmp;

    @Test
    void aServerThatAcceptsAuthTlsAndGoesOnInPlainIsRefusedForGood() throws Exception {
        ServerCertificate cert = ServerCertificate.create(tmp.resolve("cert"), "127.0.0.1", "ip:127.0.0.1");
        try (HostileFtpsServer server = HostileFtpsServer.start(cert, new byte[1000], HostileFtpsServer.Data.WELL)
                .plainAfterAuth()) {
            ServerProfile profile = server.profile("stripped", PASSWORD, cert.trustStore(), Duration.ofSeconds(5))
                    .outageWait(Duration.ofSeconds(20)).build();
            Path target = tmp.resolve("a.bin");
            TransferFailedException e = assertThrows(TransferFailedException.class, () -> HostileFtpsServer.download(
                    tmp, profile, target, TransferOptions.none().withMaxAttempts(3)));
            String m = e.getMessage();
            assertTrue(e.getCause() instanceof TlsRefusedException, m);
            assertTrue(m.contains("did not speak TLS") && m.contains(profile.toString()), m);
            assertFalse(m.contains(PASSWORD), m);
            assertFalse(Files.exists(target));
            assertEquals(1, server.commands().stream().filter(c -> c.startsWith("AUTH")).count(),
                    "one try: " + server.commands());
            assertTrue(server.commands().stream().noneMatch(c -> c.startsWith("USER") || c.startsWith("PASS")),
                    "no login in plain: " + server.commands());
        }
    }
}
