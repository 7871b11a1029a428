package dev.ferry.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.UnprotectedDataException;
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
 * A hostile review of FTPS: a server that answers PROT P with 200 and then sends the file in plain TCP (it keeps PROT
 * C) failed the download with the JDK's "SSLException Unsupported or unrecognized SSL message", read as a network
 * fault and tried again until the attempts ran out. It is now one clear, permanent failure naming the server and what
 * to change there; no byte of the plain data is kept.
 */
class PlainDataOnProtectedSessionTest {
    private static final String PASSWORD = "Sekr1t-plain-data";

    @TempDir
    Path tmp;

    @Test
    void plainDataOnAProtPSessionIsRefusedClearlyAndAtOnce() throws Exception {
        ServerCertificate cert = ServerCertificate.create(tmp.resolve("cert"), "127.0.0.1", "ip:127.0.0.1");
        byte[] file = new byte[200_000];
        new java.util.Random(7).nextBytes(file);
        try (HostileFtpsServer server = HostileFtpsServer.start(cert, file, HostileFtpsServer.Data.PLAIN)) {
            ServerProfile profile = server.profile("plaindata", PASSWORD, cert.trustStore(), Duration.ofSeconds(5))
                    .build();
            Path target = tmp.resolve("a.bin");
            TransferFailedException e = assertThrows(TransferFailedException.class, () -> HostileFtpsServer.download(
                    tmp, profile, target, TransferOptions.none().withSegments(1).withMaxAttempts(3)));
            String m = e.getMessage();
            assertTrue(hasCause(e, UnprotectedDataException.class), m);
            assertTrue(m.contains("did not speak TLS") && m.contains(profile.toString()), m);
            assertFalse(m.contains("Unsupported or unrecognized SSL message"), m);
            assertFalse(m.contains(PASSWORD), m);
            assertEquals(1, server.retrs(), "tried once: no retry makes the server encrypt");
            assertFalse(Files.exists(target), "nothing published from plain data");
            try (var files = Files.list(tmp)) {
                assertTrue(files.noneMatch(p -> p.getFileName().toString().contains(".part")), "no part file kept");
            }
        }
    }

    private static boolean hasCause(Throwable e, Class<?> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
