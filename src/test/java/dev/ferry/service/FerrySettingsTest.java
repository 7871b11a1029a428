package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.config.ConfigKeys;
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
        Path config = config("""
                ferry.servers.plain.host = a.example.com
                ferry.servers.patient.host = b.example.com
                ferry.servers.patient.outage-wait = 3600
                """, null);
        FerrySettings s = FerrySettings.load(config, tmp, Map.of(), name -> null);
        assertEquals(java.time.Duration.ofMinutes(10), s.server("plain").outageWait());
        assertEquals(java.time.Duration.ofHours(1), s.server("patient").outageWait());
    }

    @Test
    void aServerWithoutALimitTakesAsManyConnectionsAsOneTransferMayGrowTo() throws Exception {
        // A cap of its own below ferry.segments.max would stop every adaptive transfer at it (#16.3).
        Path config = config("""
                ferry.servers.open.host = a.example.com
                ferry.servers.capped.host = b.example.com
                ferry.servers.capped.connection-limit = 3
                """, null);
        FerrySettings s = FerrySettings.load(config, tmp, Map.of(), name -> null);
        assertEquals(16, s.server("open").connectionLimit());
        assertEquals(3, s.server("capped").connectionLimit());
        FerrySettings wider = FerrySettings.load(config, tmp, Map.of("ferry.segments.max", "24"), name -> null);
        assertEquals(24, wider.server("open").connectionLimit());
        assertEquals(3, wider.server("capped").connectionLimit());
    }

    private Path config(String application, String secrets) throws Exception {
        Path config = Files.createDirectories(tmp.resolve("config"));
        Files.writeString(config.resolve("application.properties"), application);
        Files.deleteIfExists(config.resolve("secrets.properties"));
        if (secrets != null) {
            Files.writeString(config.resolve("secrets.properties"), secrets);
        }
        return config;
    }

    private IllegalStateException refused(Path config, Map<String, String> overrides) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> FerrySettings.load(config, tmp, overrides, name -> null));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    @Test
    void everyPasswordLikeKeyInApplicationPropertiesIsRefusedSayingWhereItGoes() throws Exception {
        for (String key : new String[] {"ferry.servers.x.password", "ferry.servers.x.trust-store-password",
                "ferry.ledger.password", "ferry.http.token"}) {
            Path config = config("ferry.servers.x.host = ftp.example.com\n" + key + " = hunter2-hunter2-hunter2\n", null);
            String m = refused(config, Map.of()).getMessage();
            assertTrue(m.startsWith(config.resolve("application.properties").toString()), m);
            assertTrue(m.contains(key + " is a secret and is refused here"), m);
            assertTrue(m.contains(ConfigKeys.variable(key)), "names the environment variable: " + m);
            assertTrue(m.contains(config.resolve("secrets.properties").toString()), m);
            assertFalse(m.contains("hunter2"), "never the secret itself: " + m);
        }
        // Even empty: the key does not belong in this file at all.
        assertTrue(refused(config("ferry.http.token =\n", null), Map.of()).getMessage().contains("FERRY_HTTP_TOKEN"));
        // A key that is not Ferry's (Camel's) may read its secret from the environment, never hold it.
        String m = refused(config("camel.component.jms.password = hunter2\n", null), Map.of()).getMessage();
        assertTrue(m.contains("camel.component.jms.password holds a secret"), m);
        FerrySettings.load(config("camel.component.jms.password = {{env:JMS_PASSWORD}}\n", null), tmp, Map.of(),
                name -> null);
    }

    @Test
    void anUnknownKeyFailsTheStartNamingTheKeyItMostLikelyMeant() throws Exception {
        // With "prot" the service used to connect quietly to port 21.
        String m = refused(config("ferry.servers.x.host = h\nferry.servers.x.prot = 2121\n", null), Map.of())
                .getMessage();
        assertTrue(m.contains("ferry.servers.x.prot is not a known key: did you mean ferry.servers.x.port?"), m);
        m = refused(config("ferry.inbox.uplaod = /srv/drop\n", null), Map.of()).getMessage();
        assertTrue(m.contains("ferry.inbox.uplaod is not a known key: did you mean ferry.inbox.upload?"), m);
        m = refused(config("ferry.servers.x.host = h\nferry.servers.x.passwd = hunter2\n", null), Map.of())
                .getMessage();
        assertTrue(m.contains("did you mean ferry.servers.x.password? That is a secret: set FERRY_SERVERS_X_PASSWORD"
                + " in the environment or put ferry.servers.x.password in " + tmp.resolve("config/secrets.properties")),
                m);
        assertFalse(m.contains("hunter2"), m);
        m = refused(config("ferry.colour = blue\n", null), Map.of()).getMessage();
        assertTrue(m.contains("ferry.colour is not a known key (every key is documented"), m);
        m = refused(config("ferry.servers.x.api-secret = hunter2\n", null), Map.of()).getMessage();
        assertTrue(m.contains("ferry.servers.x.api-secret is not a known key (every key is documented in the shipped"
                + " config/application.properties); and a secret never goes in this file (use the environment or "
                + tmp.resolve("config/secrets.properties") + ")"), m);
        assertFalse(m.contains("hunter2"), m);
        m = refused(config("ferry.servers.host = h\n", null), Map.of()).getMessage();
        assertTrue(m.contains("ferry.servers.<name>.<key>"), m);
        m = refused(config("", "ferry.servers.x.pasword = hunter2\n"), Map.of()).getMessage();
        assertTrue(m.startsWith(tmp.resolve("config/secrets.properties") + ": ferry.servers.x.pasword is not a known"
                + " key: did you mean ferry.servers.x.password?"), m);
        m = refused(config("", null), Map.of("ferry.servers.x.prot", "2121")).getMessage();
        assertTrue(m.contains("did you mean ferry.servers.x.port?"), m);
    }

    @Test
    void anOrdinaryKeyInSecretsPropertiesIsRefusedRatherThanIgnored() throws Exception {
        String m = refused(config("", "ferry.servers.x.host = h\n"), Map.of()).getMessage();
        assertTrue(m.contains("ferry.servers.x.host is not a secret and would be ignored here: put it in "
                + tmp.resolve("config/application.properties")), m);
    }

    @Test
    void secretsStayAcceptedFromTheEnvironmentDashDAndSecretsProperties() throws Exception {
        Path config = config("""
                ferry.servers.x.host = h
                ferry.servers.x.tls = explicit
                ferry.servers.x.trust-store = config/x.p12
                ferry.ledger.url = jdbc:postgresql://db/ferry
                """, """
                ferry.servers.x.trust-store-password = store-pw
                ferry.ledger.password = ledger-from-file
                ferry.http.token = token-from-secrets-file
                """);
        FerrySettings s = FerrySettings.load(config, tmp, Map.of(), name -> null);
        assertEquals("store-pw", s.server("x").trustStorePassword().reveal());
        assertEquals("ledger-from-file", s.secret("ferry.ledger.password"));
        assertEquals("token-from-secrets-file", s.lookup("ferry.http.token"));
        assertEquals("h", s.lookup("ferry.servers.x.host"));

        System.setProperty("ferry.ledger.password", "ledger-from-dash-d");
        try {
            s = FerrySettings.load(config, tmp, Map.of(), Map.of("FERRY_HTTP_TOKEN", "token-from-the-environment")::get);
            assertEquals("ledger-from-dash-d", s.secret("ferry.ledger.password"), "-D over secrets.properties");
            assertEquals("token-from-the-environment", s.lookup("ferry.http.token"), "the environment wins");
            assertFalse(s.properties().toString().contains("from-dash-d"), "a -D secret never reaches Camel");
            s = FerrySettings.load(config, tmp, Map.of(), Map.of("FERRY_LEDGER_PASSWORD", "ledger-from-env")::get);
            assertEquals("ledger-from-env", s.secret("ferry.ledger.password"));
        } finally {
            System.clearProperty("ferry.ledger.password");
        }
        assertFalse(s.properties().toString().contains("from-file"), "no secret in what Camel sees");
        assertFalse(s.properties().toString().contains("secrets-file"), "no secret in what Camel sees");
    }

    @Test
    void theShippedConfigurationLoads() {
        FerrySettings s = FerrySettings.load(Path.of("config"), tmp, Map.of(), name -> null);
        assertEquals(tmp.resolve("data/inbox/upload"), s.uploadInbox());
    }

    @Test
    void argumentsAreCheckedLikeTheFileAndOverrideItAsCamelWouldResolveThem() throws Exception {
        Path config = config("""
                ferry.data-dir = data
                ferry.inbox.upload = ${ferry.data-dir}/written-the-old-way
                ferry.queue.requests = seda:from-file
                """, null);
        FerrySettings s = FerrySettings.load(config, tmp, Map.of(), name -> null);
        assertEquals(tmp.resolve("data/written-the-old-way"), s.uploadInbox(), "${...} still reads as {{...}}");
        assertEquals("{{ferry.data-dir}}/written-the-old-way", s.initialProperties().get("ferry.inbox.upload"));
        s = FerrySettings.load(config, tmp, FerrySettings.arguments("--ferry.queue.requests=seda:from-args",
                "--ferry.data-dir=elsewhere"), name -> null);
        assertEquals("seda:from-args", s.get("ferry.queue.requests"));
        assertEquals(tmp.resolve("elsewhere/written-the-old-way"), s.uploadInbox(), "nested through the override");
        String m = refused(config, FerrySettings.arguments("--ferry.inbox.uplaod=/srv/drop")).getMessage();
        assertTrue(m.contains("did you mean ferry.inbox.upload?"), m);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FerrySettings.arguments("ferry.inbox.upload=/srv/drop"));
        assertTrue(e.getMessage().contains("--ferry.<key>=value"), e.getMessage());
    }

    /**
     * A hostile review: values that were accepted and then misread: so-timeout 0 (a transfer waited for ever on a server
     * that stopped answering), http.recent -1 (every GET /api/transfers answered 500), segment-threads 0 (the start
     * failed with a bare IllegalArgumentException), batch-max-bytes abc (a Simple-language dump), epsv yes (read as
     * false), and a server profile whose host line was missing: it did not exist, and drops went to the demo server.
     */
    @Test
    void valuesOutOfRangeAndAProfileWithoutHostAreRefusedNamingTheKey() throws Exception {
        String whole = "must be a whole number from 1 to 2147483647";
        String[][] cases = {
            {"ferry.servers.x.so-timeout = 0", "ferry.servers.x.so-timeout = '0' " + whole},
            {"ferry.servers.x.data-timeout = -1", "ferry.servers.x.data-timeout = '-1' " + whole},
            {"ferry.http.recent = -1", "ferry.http.recent = '-1' " + whole},
            {"ferry.segment-threads = 0", "ferry.segment-threads = '0' " + whole},
            {"ferry.transfer-consumers = 0", "ferry.transfer-consumers = '0' must be"},
            {"ferry.inbox.parallel-transfers = 0", "ferry.inbox.parallel-transfers = '0' must be"},
            {"ferry.inbox.batch-lanes = 0", "ferry.inbox.batch-lanes = '0' must be"},
            // Routes put the text itself into an endpoint's URI, where Camel read "+4" as 0.
            {"ferry.inbox.batch-lanes = +4", "ferry.inbox.batch-lanes = '+4' " + whole + ", digits only"},
            {"ferry.inbox.batch-max-bytes = abc", "ferry.inbox.batch-max-bytes = 'abc' must be a whole number"},
            {"ferry.servers.x.epsv = yes", "ferry.servers.x.epsv = 'yes' must be true or false"},
            {"ferry.servers.reports.port = 2121\nferry.servers.reports.remote-dir = /in",
                "server profile 'reports' has ferry.servers.reports.port, ferry.servers.reports.remote-dir but no"
                    + " ferry.servers.reports.host, so it does not exist"},
        };
        for (String[] c : cases) {
            Path config = config("ferry.servers.x.host = ftp.example.com\n" + c[0] + "\n", null);
            FerrySettings s = FerrySettings.load(config, tmp, Map.of(), name -> null);
            IllegalStateException e = assertThrows(IllegalStateException.class, s::checkValues, c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + ": " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
        Path secretOnly = config("ferry.servers.x.host = ftp.example.com\n", "ferry.servers.gone.password = pw\n");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> FerrySettings.load(secretOnly, tmp, Map.of(), name -> null).checkValues());
        assertTrue(e.getMessage().contains("server profile 'gone' has ferry.servers.gone.password but no"), e.getMessage());
        assertFalse(e.getMessage().contains("pw'"), "no secret's value: " + e.getMessage());
        FerrySettings fine = FerrySettings.load(config("ferry.servers.x.host = ftp.example.com\n"
                + "ferry.servers.x.epsv = FALSE\nferry.http.port = 0\nferry.inbox.read-lock-min-age = 0\n"
                + "ferry.inbox.batch-max-bytes = 4294967296\n", null), tmp, Map.of(), name -> null);
        fine.checkValues();
        assertFalse(fine.server("x").epsv());
        FerrySettings spaced = FerrySettings.load(config("ferry.servers.x.host = ftp.example.com\n", null), tmp,
                Map.of("ferry.inbox.batch-lanes", " 4"), name -> null);
        IllegalStateException space = assertThrows(IllegalStateException.class, spaced::checkValues);
        assertTrue(space.getMessage().contains("ferry.inbox.batch-lanes = ' 4' " + whole), space.getMessage());
    }

    /** A host with a path, a space or a port was taken as a name: every transfer's tries failed with "unknown host". */
    @Test
    void aHostWithAPathASpaceOrAPortIsRefusedNamingTheKey() throws Exception {
        Path config = config("ferry.servers.x.host = ftp.example.com/pub\n", null);
        String m = assertThrows(IllegalStateException.class,
                () -> FerrySettings.load(config, tmp, Map.of(), name -> null).checkValues()).getMessage();
        assertTrue(m.contains("ferry.servers.x.host = 'ftp.example.com/pub' (" + config.resolve("application.properties")
                + ") holds a path or a space: give the server's host name or address alone, and a folder on the server"
                + " in ferry.servers.x.remote-dir"), m);
        m = assertThrows(IllegalStateException.class, () -> FerrySettings.load(config, tmp,
                Map.of("ferry.servers.x.host", "ftp.example.com:2121"), name -> null).checkValues()).getMessage();
        assertTrue(m.contains("ferry.servers.x.host = 'ftp.example.com:2121' (argument --ferry.servers.x.host) holds a"
                + " port: give the host alone, and the port in ferry.servers.x.port"), m);
        m = assertThrows(IllegalStateException.class, () -> FerrySettings.load(config, tmp,
                Map.of("ferry.servers.x.host", "ftp example.com"), name -> null).checkValues()).getMessage();
        assertTrue(m.contains("holds a path or a space"), m);
        for (String fine : new String[] {"ftp.example.com", "127.0.0.1", "::1", "fe80::1"}) {
            FerrySettings.load(config, tmp, Map.of("ferry.servers.x.host", fine), name -> null).checkValues();
        }
    }

    /**
     * A hostile review: a host given as ftp://bob:Hunter2Secret@127.0.0.1:23021/ was taken as a name, and its password
     * went into log lines, the health page, reason files, events.jsonl and the ledger.
     */
    @Test
    void aHostThatIsAUrlOrHoldsAUserIsRefusedWithoutShowingIt() throws Exception {
        String url = "ftp://bob:Hunter2Secret@127.0.0.1:23021/";
        Path config = config("ferry.servers.x.host = " + url + "\n", null);
        String m = assertThrows(IllegalStateException.class,
                () -> FerrySettings.load(config, tmp, Map.of(), name -> null).checkValues()).getMessage();
        assertTrue(m.contains("ferry.servers.x.host (" + config.resolve("application.properties") + ") is a URL or"
                + " holds a user"), m);
        assertTrue(m.contains("the port in ferry.servers.x.port and the user in ferry.servers.x.user, and the password"
                + " in the environment as FERRY_SERVERS_X_PASSWORD or as ferry.servers.x.password in "
                + config.resolve("secrets.properties")), m);
        assertFalse(m.contains("Hunter2Secret") || m.contains("bob") || m.contains("23021"), "not shown: " + m);
        assertFalse(m.contains("\n"), m);
        Path plain = config("ferry.servers.x.host = 127.0.0.1\n", null);
        for (String host : new String[] {url, "bob@ftp.example.com", "ftp://ftp.example.com"}) {
            m = assertThrows(IllegalStateException.class, () -> FerrySettings.load(plain, tmp,
                    Map.of("ferry.servers.x.host", host), name -> null).checkValues(), host).getMessage();
            assertTrue(m.contains("ferry.servers.x.host (argument --ferry.servers.x.host) is a URL"), m);
            assertFalse(m.contains(host), m);
        }
        System.setProperty("ferry.servers.x.host", url);
        try {
            m = assertThrows(IllegalStateException.class,
                    () -> FerrySettings.load(plain, tmp, Map.of(), name -> null).checkValues()).getMessage();
            assertTrue(m.contains("ferry.servers.x.host (system property -Dferry.servers.x.host) is a URL"), m);
            assertFalse(m.contains("Hunter2Secret"), m);
        } finally {
            System.clearProperty("ferry.servers.x.host");
        }
        FerrySettings.load(config("ferry.servers.x.host = ftp.example.com\nferry.servers.y.host = ::1\n", null), tmp,
                Map.of(), name -> null).checkValues();
    }

    /** A hostile review: a trust store that is not there was accepted; every transfer then failed with the path. */
    @Test
    void aTrustStoreThatIsNotThereIsRefusedNamingTheKeyAndThePath() throws Exception {
        Path config = config("ferry.servers.x.host = ftp.example.com\nferry.servers.x.trust-store = rv/nonexist.p12\n",
                null);
        String m = assertThrows(IllegalStateException.class,
                () -> FerrySettings.load(config, tmp, Map.of(), name -> null).checkValues()).getMessage();
        assertTrue(m.contains("ferry.servers.x.trust-store = " + tmp.resolve("rv/nonexist.p12") + " ("
                + config.resolve("application.properties") + ") does not exist: give the path of the server's PKCS12"
                + " trust store"), m);
        assertFalse(m.contains("\n"), m);
        Files.createDirectories(tmp.resolve("rv/folder.p12"));
        m = assertThrows(IllegalStateException.class, () -> FerrySettings.load(config, tmp,
                Map.of("ferry.servers.x.trust-store", "rv/folder.p12"), name -> null).checkValues()).getMessage();
        assertTrue(m.contains("ferry.servers.x.trust-store = " + tmp.resolve("rv/folder.p12")
                + " (argument --ferry.servers.x.trust-store) is a folder"), m);
        Files.write(tmp.resolve("rv/there.p12"), new byte[] {1});
        FerrySettings.load(config, tmp, Map.of("ferry.servers.x.trust-store", "rv/there.p12"), name -> null)
                .checkValues();
    }

    /**
     * A hostile review of FTPS: a server with a trust store and no {@code tls} key was reached in plain FTP, its
     * password sent in clear text, though a trust store is there only for TLS. Refused at start, naming the server.
     */
    @Test
    void aTrustStoreWithoutTlsIsRefused() throws Exception {
        Path config = config("ferry.servers.x.host = ftp.example.com\nferry.servers.x.trust-store = config/x.p12\n",
                null);
        String m = assertThrows(IllegalStateException.class,
                () -> FerrySettings.load(config, tmp, Map.of(), name -> null).server("x")).getMessage();
        assertTrue(m.contains("server profile x") && m.contains("tls = explicit"), m);
    }

    /** A hostile review: jdbc:bogus://x said "cannot open ledger jdbc:bogus://x: No suitable driver", no key named. */
    @Test
    void aLedgerUrlNoDriverTakesIsRefusedNamingTheKeyAndTheFormsThatWork() throws Exception {
        Path config = config("ferry.ledger.url = jdbc:bogus://u:hunter2@x/db\n", null);
        String m = assertThrows(IllegalStateException.class,
                () -> FerrySettings.load(config, tmp, Map.of(), name -> null).checkValues()).getMessage();
        assertTrue(m.contains("ferry.ledger.url (" + config.resolve("application.properties") + ") is not a ledger"
                + " Ferry can open (it begins jdbc:bogus:): use jdbc:postgresql://host:port/database for a shared"
                + " ledger or a jdbc:h2: URL, or remove the key"), m);
        assertFalse(m.contains("hunter2"), "the rest of the URL may hold a password: " + m);
        assertFalse(m.contains("\n"), m);
        m = assertThrows(IllegalStateException.class, () -> FerrySettings.load(config, tmp,
                Map.of("ferry.ledger.url", "postgres://db/ferry"), name -> null).checkValues()).getMessage();
        assertTrue(m.contains("ferry.ledger.url (argument --ferry.ledger.url) is not a ledger Ferry can open (it"
                + " begins postgres:)"), m);
        for (String fine : new String[] {"jdbc:postgresql://db:5432/ferry", "jdbc:h2:mem:x"}) {
            FerrySettings.load(config, tmp, Map.of("ferry.ledger.url", fine), name -> null).checkValues();
        }
    }

    @Test
    void aServerProfileRefusesATimeOutOfZeroWhichWouldWaitForEver() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dev.ferry.ftp.ServerProfile
                .builder("x").host("h").soTimeout(java.time.Duration.ZERO).build());
        assertTrue(e.getMessage().contains("so-timeout must be at least 1 ms"), e.getMessage());
    }
}
