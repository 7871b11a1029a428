package dev.ferry.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ferry.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.file.GenericFileOnCompletion;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The inbox consumers' moveFailed ({@link DropOutcomes#failedTarget}) for an exchange that failed where the routes'
 * onException never saw it, so no reason file was written -- as Camel fails one whose next step a forced stop
 * refuses: a real file consumer, whose route fails that way.
 */
class DropOutcomesTest {
    @TempDir
    Path tmp;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicInteger taken = new AtomicInteger();
    private volatile String published;
    private DefaultCamelContext camel;
    private ListAppender<ILoggingEvent> rollbackLog;
    private Path inbox;

    @BeforeEach
    void start() throws Exception {
        inbox = Files.createDirectories(tmp.resolve("requests"));
        rollbackLog = new ListAppender<>();
        rollbackLog.start();
        ((Logger) LoggerFactory.getLogger(GenericFileOnCompletion.class)).addAppender(rollbackLog);
        DropOutcomes drops = new DropOutcomes(tmp.resolve("upload")).stoppingWhen(stopping::get);
        camel = new DefaultCamelContext();
        camel.getRegistry().bind("ferryDrops", drops);
        camel.getRegistry().bind("ferryDropRollbacks", drops.rollbackLog());
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // As routes/download-requests.yaml takes a request file.
                from("file:" + inbox + "?noop=true&idempotent=false&delay=50&initialDelay=0"
                        + "&moveFailed=${bean:ferryDrops?method=failedTarget}"
                        + "&onCompletionExceptionHandler=#ferryDropRollbacks")
                        .errorHandler(noErrorHandler())
                        .process(e -> {
                            taken.incrementAndGet();
                            if (published != null) {
                                e.getIn().setHeader("FerryPublished", published);
                            }
                            throw new RejectedExecutionException("Run not allowed as ShutdownStrategy is forcing"
                                    + " shutting down");
                        });
            }
        });
    }

    @AfterEach
    void stop() throws Exception {
        camel.close();
        ((Logger) LoggerFactory.getLogger(GenericFileOnCompletion.class)).detachAppender(rollbackLog);
    }

    @Test
    void whileTheServiceStopsTheRequestStaysInTheInboxUntouched() throws Exception {
        stopping.set(true);
        Files.writeString(inbox.resolve("a.json"), "{}");
        camel.start();
        // Taken a second time: the first failure left it where it was.
        Await.until(Duration.ofSeconds(10), () -> taken.get() >= 2, () -> "taken " + taken.get() + " times");
        camel.stop();
        assertEquals("{}", Files.readString(inbox.resolve("a.json")));
        assertFalse(Files.exists(inbox.resolve(".failed")), "nothing in .failed/");
        assertTrue(rollbackLog.list.stream().noneMatch(e -> e.getFormattedMessage().contains("Error during rollback")),
                "the refused move is not logged as an error: " + rollbackLog.list);
    }

    @Test
    void whileTheServiceStopsARequestWhoseDownloadWasPublishedIsDone() throws Exception {
        stopping.set(true);
        published = tmp.resolve("downloads/a.bin").toString();
        Files.writeString(inbox.resolve("a.json"), "{}");
        camel.start();
        Await.until(Duration.ofSeconds(10), () -> Files.exists(inbox.resolve(".done/a.json")),
                () -> "a.json in .done/; taken " + taken.get() + " times");
        camel.stop();
        assertFalse(Files.exists(inbox.resolve("a.json")));
        assertFalse(Files.exists(inbox.resolve(".failed")), "nothing in .failed/");
        assertEquals(1, taken.get());
    }

    @Test
    void otherwiseItGoesToFailedWithAReasonThatNamesIt() throws Exception {
        Files.writeString(inbox.resolve("a.json"), "{}");
        camel.start();
        Await.until(Duration.ofSeconds(10), () -> Files.exists(inbox.resolve(".failed/a.json")),
                () -> "a.json in .failed/; taken " + taken.get() + " times");
        camel.stop();
        String reason = Files.readString(inbox.resolve(".failed/a.json.error.txt"));
        assertTrue(reason.contains("a.json") && reason.contains("move the file back into the inbox"), reason);
    }

    /**
     * A drop another node filed in .done/ while this one sent it (this node was frozen, and the other took the inbox
     * over): Camel's move deletes its target before it renames, so moving the drop, which is gone, deleted the other
     * node's filing of it. The move is refused instead; the filed drop stays, and nothing is logged as an error.
     */
    @Test
    void aDropAnotherNodeFiledMeanwhileIsNotMovedOverItsFiling() throws Exception {
        Path upload = Files.createDirectories(tmp.resolve("upload"));
        DropOutcomes drops = new DropOutcomes(upload);
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getRegistry().bind("ferryDrops", drops);
            context.getRegistry().bind("ferryDropRollbacks", drops.rollbackLog());
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    // As routes/upload-drops.yaml takes a drop.
                    from("file:" + upload + "?delay=50&initialDelay=0&move=${bean:ferryDrops?method=doneTarget}"
                            + "&onCompletionExceptionHandler=#ferryDropRollbacks")
                            .process(e -> {
                                taken.incrementAndGet();
                                // The other node finds the drop sent and files it, while this one still holds it.
                                Path done = Files.createDirectories(upload.resolve(".done"));
                                Files.move(upload.resolve("b.bin"), done.resolve("b.bin"));
                            });
                }
            });
            // Done: the consumer's commit (its move, or the refusal of it) has run, not merely the route's steps.
            org.apache.camel.builder.NotifyBuilder done = new org.apache.camel.builder.NotifyBuilder(context)
                    .whenDone(1).create();
            Files.writeString(upload.resolve("b.bin"), "the drop");
            context.start();
            assertTrue(done.matches(10, java.util.concurrent.TimeUnit.SECONDS), "the drop's exchange never ended");
            assertEquals(1, taken.get());
        }
        assertEquals("the drop", Files.readString(upload.resolve(".done/b.bin")), "the other node's filing is gone");
        assertFalse(Files.exists(upload.resolve(".failed")), "nothing in .failed/");
        assertTrue(rollbackLog.list.stream().noneMatch(e -> e.getFormattedMessage().contains("Error during")),
                "the refused move is not logged as an error: " + rollbackLog.list);
    }

    /**
     * A hostile review: a drop moved back from .failed/ to try again, and sent then, was filed in .done/ while its
     * reason from the failure stayed in .failed/ (the request inbox removed such a reason; the upload inbox did not).
     */
    @Test
    void aDropFiledInDoneTakesItsOldReasonAlong() throws Exception {
        Path upload = Files.createDirectories(tmp.resolve("upload"));
        Path failed = Files.createDirectories(upload.resolve(".failed"));
        Files.writeString(failed.resolve(ReasonFiles.nameFor("c.bin")), "the remote name was taken");
        DropOutcomes drops = new DropOutcomes(upload);
        fileOneDrop(upload, drops, drops, "c.bin", "moved back from .failed/");
        assertTrue(Files.exists(upload.resolve(".done/c.bin")));
        assertFalse(Files.exists(failed.resolve(ReasonFiles.nameFor("c.bin"))), "its old reason stayed");
    }

    /**
     * The same, when the other node files the drop after this one looked where to move it and before Camel's move
     * (which deletes its target first): nothing this node does after that look may delete the filing.
     */
    @Test
    void aDropFiledByAnotherNodeRightAfterTheLookIsKept() throws Exception {
        Path upload = Files.createDirectories(tmp.resolve("upload"));
        DropOutcomes drops = new DropOutcomes(upload);
        Object lookThenOtherNode = new Object() {
            @SuppressWarnings("unused")
            public String doneTarget(org.apache.camel.Exchange exchange) throws java.io.IOException {
                String target = drops.doneTarget(exchange);
                Path drop = upload.resolve("c.bin");
                if (Files.exists(drop)) {
                    // frozen here; the other node takes the inbox over and files the drop
                    Files.move(drop, Files.createDirectories(upload.resolve(".done")).resolve("c.bin"));
                }
                return target;
            }
        };
        fileOneDrop(upload, lookThenOtherNode, drops, "c.bin", "the drop");
        assertEquals("the drop", Files.readString(upload.resolve(".done/c.bin")), "the filing is gone");
        assertFalse(Files.exists(upload.resolve("c.bin")), "the drop stayed in the inbox");
    }

    /** As routes/upload-drops.yaml takes a drop: one drop written, taken and filed by {@code filing}'s doneTarget. */
    private void fileOneDrop(Path upload, Object filing, DropOutcomes drops, String name, String content)
            throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getRegistry().bind("ferryDrops", filing);
            context.getRegistry().bind("ferryDropRollbacks", drops.rollbackLog());
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("file:" + upload + "?delay=50&initialDelay=0&move=${bean:ferryDrops?method=doneTarget}"
                            + "&onCompletionExceptionHandler=#ferryDropRollbacks")
                            .process(e -> taken.incrementAndGet());
                }
            });
            org.apache.camel.builder.NotifyBuilder done = new org.apache.camel.builder.NotifyBuilder(context)
                    .whenDone(1).create();
            Files.writeString(upload.resolve(name), content);
            context.start();
            assertTrue(done.matches(10, java.util.concurrent.TimeUnit.SECONDS), "the drop's exchange never ended");
        }
    }
}
