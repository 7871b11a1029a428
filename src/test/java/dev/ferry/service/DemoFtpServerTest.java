package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo server sends its replies at once (TCP_NODELAY on its control connections; Apache FtpServer leaves it off,
 * and each small upload's 226 then waited for the client's delayed ACK), and still takes an upload whole.
 */
class DemoFtpServerTest {
    @TempDir
    Path tmp;

    @Test
    void repliesAtOnceAndTakesAnUploadWhole() throws Exception {
        try (DemoFtpServer demo = DemoFtpServer.start("127.0.0.1", 0, tmp.resolve("root"))) {
            assertTrue(demo.repliesAtOnce(), "TCP_NODELAY on the demo server's control connections");
            Path source = PseudoRandomContent.write(tmp.resolve("a.bin"), 100 * 1024 + 17, 5);
            FTPClient client = new FTPClient();
            client.connect(demo.host(), demo.port());
            try {
                assertTrue(client.login(DemoFtpServer.USER, demo.password()), client.getReplyString());
                client.setFileType(FTP.BINARY_FILE_TYPE);
                client.enterLocalPassiveMode();
                try (InputStream in = Files.newInputStream(source)) {
                    assertTrue(client.storeFile("a.bin", in), client.getReplyString());
                }
                assertEquals(226, client.getReplyCode(), client.getReplyString());
            } finally {
                client.disconnect();
            }
            assertEquals(Hashes.sha256(source), Hashes.sha256(demo.root().resolve("a.bin")));
        }
    }
}
