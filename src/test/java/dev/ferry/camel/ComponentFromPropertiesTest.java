package dev.ferry.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.transfer.TransferResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.Main;
import org.apache.camel.spi.GeneratedPropertyConfigurer;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ferry:} component as another Camel application uses it: a plain camel-main with only properties and a
 * YAML route (no Ferry service class, no TransferEngine built in Java), and the metadata Camel's tooling reads.
 */
class ComponentFromPropertiesTest {

    @TempDir
    Path dir;

    @Test
    void plainCamelMainWithOnlyPropertiesDownloadsAFile() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().user("app", "app-secret-pw").start()) {
            Path source = ftp.write("reports/q3.bin", 1024 * 1024 + 11, 42);
            Path route = Files.writeString(dir.resolve("route.yaml"), """
                    - route:
                        from:
                          uri: direct:fetch
                          steps:
                            - to: ferry:transfer?segments=2&minSegmentSize=262144
                    """);
            Path properties = Files.writeString(dir.resolve("application.properties"), String.join("\n",
                    "camel.main.routes-include-pattern=file:" + route,
                    "camel.component.ferry.host=" + ftp.host(),
                    "camel.component.ferry.port=" + ftp.port(),
                    "camel.component.ferry.user=app",
                    // The secret comes from a placeholder (here another property; in production {{env:...}}).
                    "camel.component.ferry.password={{ftp.secret}}",
                    "camel.component.ferry.data-dir=" + dir.resolve("data"),
                    "camel.component.ferry.download-dir=" + dir.resolve("downloads"),
                    ""));
            ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger)
                    org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                    new ch.qos.logback.core.read.ListAppender<>();
            logged.start();
            root.addAppender(logged);
            Main main = new Main();
            main.addInitialProperty("ftp.secret", ftp.password());
            main.setDefaultPropertyPlaceholderLocation("file:" + properties);
            main.start();
            try {
                ProducerTemplate template = main.getCamelContext().createProducerTemplate();
                org.apache.camel.Exchange reply = template.request("direct:fetch", e -> e.getIn().setBody(
                        "{\"remotePath\":\"/reports/q3.bin\",\"localPath\":\"q3.bin\"}"));
                TransferResult result = reply.getMessage().getBody(TransferResult.class);
                // The reply's headers say what its body says, for routes that log or choose without a bean call.
                assertEquals(result.verification(), reply.getMessage().getHeader(FerryConstants.VERIFICATION));
                assertTrue(result.verification().contains("size"), result.verification());
                assertEquals(Boolean.FALSE, reply.getMessage().getHeader(FerryConstants.EARLIER));
                Path downloaded = dir.resolve("downloads/q3.bin");
                assertEquals(downloaded.toAbsolutePath().normalize().toString(),
                        Path.of(result.published()).toAbsolutePath().normalize().toString());
                assertEquals(Hashes.sha256(source), Hashes.sha256(downloaded));
                assertTrue(Files.exists(dir.resolve("data/ledger.mv.db")), "the component's own H2 ledger");
            } finally {
                main.stop();
                root.detachAppender(logged);
            }
            // camel-main lists every camel.component.* property it applied: the secret ones masked.
            assertTrue(logged.list.stream()
                    .anyMatch(e -> e.getFormattedMessage().contains("camel.component.ferry.password")));
            assertFalse(logged.list.stream().anyMatch(e -> e.getFormattedMessage().contains(ftp.password())),
                    "the FTP password in a log line");
        }
    }

    @Test
    void generatedDescriptorAndConfigurersListTheOptions() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.start();
            String json = context.getComponentParameterJsonSchema("ferry");
            assertNotNull(json, "META-INF/dev/ferry/camel/ferry.json");
            JsonObject schema = (JsonObject) Jsoner.deserialize(json);
            JsonObject component = schema.getMap("componentProperties");
            for (String option : new String[] {"host", "port", "user", "password", "dataDir", "ledgerUrl",
                    "ledgerPassword", "defaultServer", "downloadDir", "engine"}) {
                assertTrue(component.containsKey(option), "component option " + option + " in " + component.keySet());
            }
            assertEquals(Boolean.TRUE, ((Map<?, ?>) component.get("password")).get("secret"));
            assertEquals(Boolean.TRUE, ((Map<?, ?>) component.get("ledgerPassword")).get("secret"));
            JsonObject endpoint = schema.getMap("properties");
            for (String option : new String[] {"operation", "server", "segments", "fileExist", "followLinks", "lanes",
                    "batchSize"}) {
                assertTrue(endpoint.containsKey(option), "endpoint option " + option + " in " + endpoint.keySet());
            }
            // Options are bound by the generated configurers, not by reflection.
            assertInstanceOf(GeneratedPropertyConfigurer.class, PluginHelper.getConfigurerResolver(context)
                    .resolvePropertyConfigurer("ferry-endpoint", context));
            assertInstanceOf(GeneratedPropertyConfigurer.class, PluginHelper.getConfigurerResolver(context)
                    .resolvePropertyConfigurer("ferry-component", context));
            // Any server will do: nothing connects to it here (the component builds its engine when it starts).
            FerryComponent ferry = new FerryComponent();
            ferry.setHost("127.0.0.1");
            ferry.setDataDir(dir.resolve("data").toString());
            context.addComponent("ferry", ferry);
            FerryEndpoint e = context.getEndpoint("ferry:transfer?segments=2&fileExist=TryRename&followLinks=true",
                    FerryEndpoint.class);
            assertEquals(2, e.getConfiguration().getSegments());
            assertEquals(dev.ferry.plan.FileExist.TRYRENAME, e.getConfiguration().getFileExist());
            assertEquals(Boolean.TRUE, e.getConfiguration().getFollowLinks());
            assertFalse(json.contains("app-secret-pw"));

            // A hostile review: number options were never checked. Camel read "abc" and "4M" as time patterns (0,
            // and rateLimit 0 is no limit), and 0 or -5 were taken, where a request's options are refused in words.
            String[][] refused = {
                {"ferry:transfer?segments=abc", "option 'segments' must be a whole number, found 'abc'"},
                {"ferry:transfer?rateLimit=4M", "option 'rateLimit' must be a whole number of bytes per second"},
                // "+" is a space in a URI: " 1000" passed a trimmed check, and Camel read it as 0 (no limit).
                {"ferry:transfer?rateLimit=+1000", "option 'rateLimit' must be a whole number of bytes per second"},
                {"ferry:transfer?maxAttempts=0", "option 'maxAttempts' must be 1 or more, found 0"},
                {"ferry:transfer?rateLimit=-5", "option 'rateLimit' must be 0 (no limit) or more, found -5"},
                {"ferry:batch?lanes=0", "options 'lanes' and 'batchSize' must be 1 or more"},
            };
            for (String[] r : refused) {
                Exception x = assertThrows(Exception.class, () -> context.getEndpoint(r[0]), r[0]);
                String all = x.getMessage() + (x.getCause() == null ? "" : " / " + x.getCause().getMessage());
                assertTrue(all.contains(r[1]), r[0] + ": " + all);
            }
        }
    }
}
