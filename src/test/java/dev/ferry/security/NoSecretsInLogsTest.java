package dev.ferry.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.ferry.cli.Cli;
import dev.ferry.ftp.Secret;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ftp.TlsMode;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.ledger.TransferRecord;
import dev.ferry.plan.Direction;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.progress.LoggingListener;
import dev.ferry.testing.ForkedJvm;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PseudoRandomContent;
import dev.ferry.transfer.TransferEngine;
import dev.ferry.transfer.TransferFailedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Passwords appear in no log line, no message and no ledger row: transfers that succeed, a wrong password and an
 * FTPS failure, run in this JVM with every Ferry logger at DEBUG into a list, and the command line in its own JVM
 * with {@code --verbose}, its whole output captured.
 */
class NoSecretsInLogsTest {
    private static final String PASSWORD = "Pw-Xylophone-7781";
    private static final String WRONG = "Pw-Wrong-Quokka-4410";

    @TempDir
    Path tmp;
    private FtpServerFixture ftp;
    private ListAppender<ILoggingEvent> appender;
    private Logger root;
    private Level rootLevel;
    private Logger ferry;
    private Level ferryLevel;

    @BeforeEach
    void capture() {
        ftp = FtpServerFixture.builder().user("ferry", PASSWORD).start();
        root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ferry = (Logger) LoggerFactory.getLogger("dev.ferry");
        rootLevel = root.getLevel();
        ferryLevel = ferry.getLevel();
        root.setLevel(Level.DEBUG);
        ferry.setLevel(Level.DEBUG);
        appender = new ListAppender<>();
        appender.start();
        root.addAppender(appender);
    }

    @AfterEach
    void release() {
        root.detachAppender(appender);
        root.setLevel(rootLevel);
        ferry.setLevel(ferryLevel);
        ftp.close();
    }

    @Test
    void engineLogsMessagesAndLedgerHoldNoPassword() throws Exception {
        ftp.write("a.bin", 3 << 20, 1);
        Path up = PseudoRandomContent.write(tmp.resolve("up.bin"), 2 << 20, 2);
        List<String> texts = new ArrayList<>();
        ServerProfile good = profile("good").password(PASSWORD).build();
        ServerProfile wrong = profile("wrong").password(WRONG).build();
        ServerProfile tls = profile("tls").password(PASSWORD).tls(TlsMode.EXPLICIT)
                .trustStorePassword(Secret.of("Pw-Trust-Store-99")).build();
        try (JdbcLedger ledger = JdbcLedger.h2(tmp.resolve("ledger"))) {
            try (TransferEngine engine = engine(ledger, good)) {
                engine.run(new TransferRequest(Direction.DOWNLOAD, "good", "/a.bin", tmp.resolve("a.bin").toString(),
                        TransferOptions.none().withSegments(4).withMinSegmentSize(1 << 20)));
                engine.run(new TransferRequest(Direction.UPLOAD, "good", "/up/up.bin", up.toString(),
                        TransferOptions.none()));
            }
            // Each on its own engine, as the command line runs them: the same account's pooled sessions are shared.
            for (ServerProfile bad : new ServerProfile[] {wrong, tls}) {
                try (TransferEngine engine = engine(ledger, bad)) {
                    TransferFailedException e = assertThrows(TransferFailedException.class, () -> engine.run(
                            new TransferRequest(Direction.DOWNLOAD, bad.name(), "/a.bin",
                                    tmp.resolve(bad.name()).toString(), TransferOptions.none().withMaxAttempts(2))));
                    texts.add(e.getMessage());
                    texts.add(String.valueOf(e.getCause()));
                }
            }
            for (TransferRecord r : ledger.recent(100)) {
                texts.add(r.toString());
            }
            texts.add(good.toString());
            texts.add(tls.toString());
        }
        for (ILoggingEvent event : appender.list) {
            texts.add(event.getFormattedMessage());
            for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                texts.add(t.getClassName() + ": " + t.getMessage());
            }
        }
        assertTrue(appender.list.size() > 10, "the engine logged: " + appender.list.size() + " lines");
        assertTrue(texts.stream().anyMatch(t -> t.contains("refused")), "the wrong password was reported: " + texts);
        for (String t : texts) {
            for (String secret : new String[] {PASSWORD, WRONG, "Pw-Trust-Store-99"}) {
                assertFalse(t.contains(secret), "a secret in: " + t);
            }
        }
    }

    @Test
    void commandLineOutputHoldsNoPassword() throws Exception {
        ftp.write("b.bin", 1 << 20, 3);
        String url = "ftp://ferry:" + PASSWORD + "@" + ftp.host() + ":" + ftp.port() + "/b.bin";
        String wrongUrl = "ftp://ferry:" + WRONG + "@" + ftp.host() + ":" + ftp.port() + "/b.bin";
        String tlsUrl = "ftps://ferry@" + ftp.host() + ":" + ftp.port() + "/b.bin";
        List<String> output = new ArrayList<>();
        output.addAll(runCli(0, "get", "--verbose", "--ledger", tmp.resolve("l1").toString(), url,
                tmp.resolve("b.bin").toString()));
        output.addAll(runCli(-1, "get", "--verbose", "--retries", "1", "--ledger", tmp.resolve("l2").toString(),
                wrongUrl, tmp.resolve("c.bin").toString()));
        output.addAll(runCli(-1, "get", "--verbose", "--retries", "1", "--password-env", "FERRY_TEST_PW",
                "--ledger", tmp.resolve("l3").toString(), tlsUrl, tmp.resolve("d.bin").toString()));
        assertTrue(output.stream().anyMatch(l -> l.contains("refused")), String.join("\n", output));
        for (String line : output) {
            assertFalse(line.contains(PASSWORD) || line.contains(WRONG), "a password in: " + line);
        }
    }

    /** Runs the command line in its own JVM (its own logging set-up, as a user runs it); its output lines. */
    private List<String> runCli(int expected, String... args) {
        try (ForkedJvm jvm = ForkedJvm.builder(Cli.class).args(args).env("FERRY_TEST_PW", PASSWORD)
                .jvmArg("--add-opens=java.base/sun.security.ssl=ALL-UNNAMED")
                .jvmArg("--add-opens=java.base/sun.security.util=ALL-UNNAMED").start()) {
            int code = jvm.awaitExit(Duration.ofSeconds(60));
            if (expected >= 0) {
                assertEquals(expected, code, String.join("\n", jvm.output()));
            } else {
                assertNotEquals(0, code, String.join("\n", jvm.output()));
            }
            return jvm.output();
        }
    }

    private static TransferEngine engine(JdbcLedger ledger, ServerProfile profile) {
        TransferEngine engine = new TransferEngine(ledger, new ServerProfiles().add(profile), TransferOptions.none(),
                Duration.ofMillis(100));
        engine.addListener(new LoggingListener());
        return engine;
    }

    private ServerProfile.Builder profile(String name) {
        return ServerProfile.builder(name).host(ftp.host()).port(ftp.port()).user(ftp.user())
                .connectTimeout(Duration.ofSeconds(3)).soTimeout(Duration.ofSeconds(3));
    }
}
