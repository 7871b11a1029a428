package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.ftp.ServerProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FerrySettingsTest {
    @TempDir
    Path tmp;

    @Test
    void defaultsResolveAgainstTheWorkingDirectory() {
        FerrySettings s = FerrySettings.load(tmp.resolve("config"), tmp, Map.of(), name -> null);
        assertEquals(tmp.resolve("data/inbox/upload"), s.uploadInbox());
        assertEquals(tmp.resolve("data/inbox/requests"), s.requestInbox());
        assertEquals(tmp.resolve("data/downloads"), s.downloadDir());
        assertTrue(s.serverNames().isEmpty());
    }

    @Test
    void passwordsComeFromTheEnvironmentFirstThenSecretsAndNeverReachCamel() throws Exception {
        Path config = Files.createDirectories(tmp.resolve("config"));
        Files.writeString(config.resolve("application.properties"), """
                ferry.data-dir = /srv/ferry
                ferry.servers.my-box.host = ftp.example.com
                ferry.servers.my-box.connection-limit = 2
                ferry.servers.other.host = other.example.com
                """);
        Files.writeString(config.resolve("secrets.properties"), """
                ferry.servers.my-box.password = from-file
                ferry.servers.other.password = other-secret
                """);
        Map<String, String> env = Map.of("FERRY_SERVERS_MY_BOX_PASSWORD", "from-env");
        FerrySettings s = FerrySettings.load(config, tmp, Map.of(), env::get);
        ServerProfile box = s.server("my-box");
        assertEquals("from-env", box.password().reveal());
        assertEquals(2, box.connectionLimit());
        assertEquals("other-secret", s.server("other").password().reveal());
        assertEquals(Path.of("/srv/ferry/downloads"), s.downloadDir());
        assertFalse(s.properties().toString().contains("secret"), "no secret in what Camel sees");
        assertFalse(box.toString().contains("from-env"));
        assertEquals("FERRY_SERVERS_MY_BOX_PASSWORD", FerrySettings.passwordVariable("my-box"));
    }

    @Test
    void aServiceWaitsTenMinutesForAServerThatIsDownUnlessConfiguredOtherwise() throws Exception {
        Path config = Files.createDirectories(tmp.resolve("config"));
        Files.writeString(config.resolve("application.properties"), """
                ferry.servers.plain.host = a.example.com
                ferry.servers.patient.host = b.example.com
                ferry.servers.patient.outage-wait = 3600
                """);
        FerrySettings s = FerrySettings.load(config, tmp, Map.of(), name -> null);
        assertEquals(java.time.Duration.ofMinutes(10), s.server("plain").outageWait());
        assertEquals(java.time.Duration.ofHours(1), s.server("patient").outageWait());
    }

    @Test
    void aPasswordInApplicationPropertiesIsRefused() throws Exception {
        Path config = Files.createDirectories(tmp.resolve("config"));
        Files.writeString(config.resolve("application.properties"), "ferry.servers.x.password = oops\n");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> FerrySettings.load(config, tmp, Map.of(), name -> null));
        assertTrue(e.getMessage().contains("passwords belong in the environment"), e.getMessage());
    }
}
