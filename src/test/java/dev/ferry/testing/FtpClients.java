package dev.ferry.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;

/** commons-net clients for the fixtures' self-tests only; Ferry's own code keeps FTPClient behind its types. */
final class FtpClients {

    private FtpClients() {
    }

    /** Connected but not logged in; UTF-8 control encoding, 5 s timeouts so a broken test fails fast. */
    static FTPClient connect(String host, int port) throws IOException {
        FTPClient client = new FTPClient();
        client.setControlEncoding(StandardCharsets.UTF_8.name());
        client.setConnectTimeout(5_000);
        client.setDefaultTimeout(5_000);
        client.setDataTimeout(Duration.ofSeconds(5));
        client.connect(host, port);
        return client;
    }

    /** Logged in, binary, passive. */
    static FTPClient login(String host, int port, String user, String password) throws IOException {
        FTPClient client = connect(host, port);
        if (!client.login(user, password)) {
            String reply = client.getReplyString();
            disconnectQuietly(client);
            throw new IOException("Login refused: " + reply);
        }
        client.setFileType(FTP.BINARY_FILE_TYPE);
        client.enterLocalPassiveMode();
        return client;
    }

    static FTPClient login(FtpServerFixture ftp) throws IOException {
        return login(ftp.host(), ftp.port(), ftp.user(), ftp.password());
    }

    static void disconnectQuietly(FTPClient client) {
        try {
            client.disconnect();
        } catch (IOException e) {
            // Tests only care that the socket is gone.
        }
    }
}
