package dev.ferry.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A self-signed server certificate made with the JDK's keytool for whatever name a test gives it (another host's, to
 * see that a trusted certificate for the wrong name is refused): the server's key store and a client's trust store
 * holding the certificate alone, both PKCS12 with {@link #PASSWORD}.
 */
public record ServerCertificate(Path keyStore, Path trustStore) {
    public static final String PASSWORD = "changeit";

    /** {@code san} as keytool's SubjectAlternativeName extension, e.g. {@code dns:other.example} or {@code ip:127.0.0.1}. */
    public static ServerCertificate create(Path dir, String commonName, String san) throws IOException {
        return create(dir, commonName, san, null, 2);
    }

    /**
     * One valid from {@code startDate} (keytool's form, e.g. {@code 2020/01/01}; null: now) for {@code days}: an expired
     * certificate is one that started long ago for a few days.
     */
    public static ServerCertificate create(Path dir, String commonName, String san, String startDate, int days)
            throws IOException {
        Files.createDirectories(dir);
        Path keyStore = dir.resolve("server.p12");
        Path cert = dir.resolve("server.crt");
        Path trustStore = dir.resolve("trust.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        List<String> generate = new java.util.ArrayList<>(List.of(keytool, "-genkeypair", "-alias", "server", "-keyalg",
                "RSA", "-keysize", "2048", "-dname", "CN=" + commonName, "-ext", "SAN=" + san, "-validity",
                String.valueOf(days), "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", PASSWORD,
                "-keypass", PASSWORD));
        if (startDate != null) {
            generate.addAll(List.of("-startdate", startDate));
        }
        ExternalFtpServer.run(generate, null);
        ExternalFtpServer.run(List.of(keytool, "-exportcert", "-alias", "server", "-keystore", keyStore.toString(),
                "-storepass", PASSWORD, "-rfc", "-file", cert.toString()), null);
        ExternalFtpServer.run(List.of(keytool, "-importcert", "-noprompt", "-alias", "server", "-file", cert.toString(),
                "-storetype", "PKCS12", "-keystore", trustStore.toString(), "-storepass", PASSWORD), null);
        return new ServerCertificate(keyStore, trustStore);
    }
}
