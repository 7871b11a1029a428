package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.ServerCertificate;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review of FTPS on the command line: a --trust-store that is not there was reported as "cannot read trust
 * store x.p12 …: x.p12 (its password is the server's trust-store-password …)" — the path alone, and the password
 * blamed — and a PEM certificate, what a server's administrator hands out, as "toDerInputStream rejects tag type 45";
 * both exit 1, "run again to resume", which cannot help. Each now says what is wrong with the file and what to do,
 * exit 3 (a local file problem), and no password is printed.
 */
class CliTrustStoreTest {
    private static final String PASSWORD = "Sekr1t-trust";

    @TempDir
    Path tmp;

    @Test
    void aTrustStoreThatCannotBeUsedIsALocalFileProblemSayingWhatToDo() throws Exception {
        ServerCertificate cert = ServerCertificate.create(tmp.resolve("cert"), "127.0.0.1", "ip:127.0.0.1");
        Path pem = tmp.resolve("server.pem");
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(cert.trustStore())) {
            store.load(in, ServerCertificate.PASSWORD.toCharArray());
        }
        byte[] der = store.getCertificate(store.aliases().nextElement()).getEncoded();
        Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n" + java.util.Base64.getMimeEncoder(64,
                "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der) + "\n-----END CERTIFICATE-----\n");
        try (FtpServerFixture ftp = FtpServerFixture.builder().tls(cert).start()) {
            ftp.write("a.bin", 1000, 1);
            String url = "ftps://" + ftp.user() + ":" + PASSWORD + "@127.0.0.1:" + ftp.port() + "/a.bin";
            String missing = run(url, tmp.resolve("nope.p12"));
            assertTrue(missing.contains("nope.p12") && missing.contains("no such file"), missing);
            assertFalse(missing.contains("password"), "the password is not blamed for a missing file: " + missing);
            String fromPem = run(url, pem);
            assertTrue(fromPem.contains("PEM") && fromPem.contains("keytool -importcert"), fromPem);
        }
    }

    /**
     * {@code ftp://} with {@code --trust-store} went on in plain FTP, USER and PASS in clear text, though a trust store
     * is there only for TLS: a usage error now, before any connection.
     */
    @Test
    void aTrustStoreWithAPlainFtpUrlIsAUsageError() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            ftp.write("a.bin", 1000, 1);
            Path trust = tmp.resolve("trust.p12");
            Files.write(trust, new byte[] {1});
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Cli.run(new String[] {"get", "-q", "--ledger", tmp.resolve("ledger").toString(), "--trust-store",
                    trust.toString(), "ftp://" + ftp.user() + ":" + PASSWORD + "@127.0.0.1:" + ftp.port() + "/a.bin",
                    tmp.resolve("a.bin").toString()}, new PrintStream(new ByteArrayOutputStream(), true,
                    StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            String errText = err.toString(StandardCharsets.UTF_8);
            assertEquals(ExitCode.USAGE.code, code, errText);
            assertTrue(errText.contains("ftps://"), errText);
            assertFalse(errText.contains(PASSWORD), errText);
            assertFalse(Files.exists(tmp.resolve("a.bin")), "nothing came over plain FTP");
        }
    }

    /** Unset, the variable was an empty password, and the trust store's error blamed the password, not the name. */
    @Test
    void anUnsetTrustStorePasswordVariableIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Cli.run(new String[] {"get", "-q", "--ledger", tmp.resolve("ledger").toString(), "--trust-store",
                tmp.resolve("trust.p12").toString(), "--trust-store-password-env", "CLI_TEST_SURELY_UNSET_VAR",
                "ftps://ferry:" + PASSWORD + "@127.0.0.1:22999/a.bin", tmp.resolve("a.bin").toString()},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String errText = err.toString(StandardCharsets.UTF_8);
        assertEquals(ExitCode.USAGE.code, code, errText);
        assertTrue(errText.contains("CLI_TEST_SURELY_UNSET_VAR") && errText.contains("not set"), errText);
        assertFalse(errText.contains(PASSWORD), errText);
    }

    /**
     * A certificate the trust store does not vouch for, or one made out to another name, gave exit 1, "run again to
     * resume", which cannot help (the hostile TLS review): exit 8 now, and the line says what a person can do.
     */
    @Test
    void anUntrustedCertificateHasItsOwnExitCode() throws Exception {
        ServerCertificate cert = ServerCertificate.create(tmp.resolve("cert"), "127.0.0.1", "ip:127.0.0.1");
        try (FtpServerFixture ftp = FtpServerFixture.builder().tls(cert).start()) {
            ftp.write("a.bin", 1000, 1);
            Path target = tmp.resolve("a.bin");
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Cli.run(new String[] {"get", "-q", "--ledger", tmp.resolve("ledger").toString(), "ftps://"
                    + ftp.user() + ":" + PASSWORD + "@127.0.0.1:" + ftp.port() + "/a.bin", target.toString()},
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            String errText = err.toString(StandardCharsets.UTF_8);
            assertEquals(ExitCode.CERTIFICATE.code, code, errText);
            assertTrue(errText.contains("is not trusted") && errText.contains("--trust-store"), errText);
            assertFalse(errText.contains(PASSWORD), errText);
            assertFalse(Files.exists(target));
        }
    }

    /** The same for a trusted certificate made out to another name, from a real process (its trust store's password). */
    @Test
    void aCertificateForAnotherNameHasTheSameExitCode() throws Exception {
        ServerCertificate other = ServerCertificate.create(tmp.resolve("other"), "files.example.org",
                "dns:files.example.org");
        try (FtpServerFixture ftp = FtpServerFixture.builder().tls(other).start()) {
            ftp.write("a.bin", 1000, 1);
            Path target = tmp.resolve("a.bin");
            try (dev.ferry.testing.ForkedJvm cli = dev.ferry.testing.ForkedJvm.builder(dev.ferry.Ferry.class)
                    .env("CLI_TEST_TRUST_PASSWORD", ServerCertificate.PASSWORD)
                    .env("CLI_TEST_FTP_PASSWORD", PASSWORD)
                    .args("get", "-q", "--ledger", tmp.resolve("ledger").toString(), "--password-env",
                            "CLI_TEST_FTP_PASSWORD", "--trust-store", other.trustStore().toString(),
                            "--trust-store-password-env", "CLI_TEST_TRUST_PASSWORD",
                            "ftps://" + ftp.user() + "@127.0.0.1:" + ftp.port() + "/a.bin", target.toString())
                    .logFile(tmp.resolve("cli.log")).start()) {
                int code = cli.awaitExit(java.time.Duration.ofSeconds(60));
                String output = String.join("\n", cli.output());
                assertEquals(ExitCode.CERTIFICATE.code, code, output);
                assertTrue(output.contains("not trusted for that name"), output);
                assertFalse(output.contains(PASSWORD) || output.contains(ServerCertificate.PASSWORD), output);
                assertFalse(Files.exists(target));
            }
        }
    }

    private String run(String url, Path trustStore) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path target = tmp.resolve("a.bin");
        int code = Cli.run(new String[] {"get", "-q", "--ledger", tmp.resolve("ledger").toString(), "--trust-store",
                trustStore.toString(), url, target.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String errText = err.toString(StandardCharsets.UTF_8);
        assertEquals(ExitCode.LOCAL.code, code, errText);
        assertEquals(1, errText.lines().count(), errText);
        assertFalse(errText.contains(PASSWORD), errText);
        assertFalse(Files.exists(target));
        return errText;
    }
}
