package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.ForkedJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One service per inbox: a second one on the same folder is refused, in this JVM and from another process. */
class InboxLocksTest {
    @TempDir
    Path tmp;

    @Test
    void aSecondTakerOfTheSameInboxIsRefusedUntilTheFirstLetsGo() throws Exception {
        Path upload = Files.createDirectories(tmp.resolve("upload"));
        Path requests = Files.createDirectories(tmp.resolve("requests"));
        try (InboxLocks first = InboxLocks.take(upload, requests)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> InboxLocks.take(Files.createDirectories(tmp.resolve("other")), requests));
            assertTrue(e.getMessage().contains("the inbox " + requests + " is served by another Ferry service"),
                    e.getMessage());
            // The refused taker let go of the folder it had locked before the refusal.
            InboxLocks.take(tmp.resolve("other")).close();
        }
        InboxLocks.take(upload, requests).close();
    }

    @Test
    void anInboxHeldByAnotherProcessIsRefused() throws Exception {
        Path inbox = Files.createDirectories(tmp.resolve("shared"));
        try (ForkedJvm holder = ForkedJvm.builder(Holder.class).arg(inbox.toString()).start()) {
            holder.awaitLine(l -> l.equals("holding"), Duration.ofSeconds(30));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> InboxLocks.take(inbox));
            assertTrue(e.getMessage().contains(inbox.resolve(InboxLocks.LOCK_FILE).toString()), e.getMessage());
            holder.kill9();
        }
        // A killed holder's lock goes with its process.
        InboxLocks.take(inbox).close();
    }

    /** Holds the inbox until killed. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            InboxLocks.take(Path.of(args[0]));
            System.out.println("holding");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
