package dev.ferry.service;

import static dev.ferry.service.ServiceHarness.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.ForkedJvm;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The design's crash invariant for a download whose connections adapt in the Camel split (#16.3): the service, in its
 * own JVM, is killed with SIGKILL while connections added beside the planned segments are moving bytes (the server
 * sees more sessions at once than the plan has segments), then started again with no new input. The request must end
 * in {@code .done} with the source's bytes, nothing half-written under the final name, no part file left, and only
 * what each connection moved since its last checkpoint sent again: the added lanes' checkpoints and the ranges they
 * stole must be in the ledger, not only in memory.
 */
@Tag("fault")
class ServiceAdaptiveKillNineTest {
    private static final long MIB = 1 << 20;
    /** 32 MiB at the default 8 MiB minimum segment: planned as 4 segments. */
    private static final long SIZE = 32 * MIB;
    private static final int PLANNED = 4;
    /**
     * Small enough that the bound below means something for a 32 MiB file: a lost checkpoint costs a lane its whole
     * range, far above it. Segments and connection-limit stay unset, so the width adapts.
     */
    private static final long CHECKPOINT_BYTES = 128 * 1024;
    /** Sent after the width grew and before the kill: a MiB or more for each added connection. */
    private static final long ADDED_LANES_MOVE = 20 * MIB;
    /**
     * Per connection, beyond its checkpoint interval: what the server had read from the file but the service had not
     * written down (socket buffers, a read or two) at the kill, and what a steal left in the victim's socket.
     */
    private static final long IN_FLIGHT = 384 * 1024;
    /** The service logs sizes to 0.1 MiB. */
    private static final long ROUNDING = MIB / 10;

    @TempDir
    Path tmp;

    @Test
    void killedWhileAddedConnectionsRunTheSplitFinishesAfterARestartWithoutSendingMuchAgain() throws Exception {
        // 1 MiB/s per connection: every added connection raises the rate in full, so the width grows past the plan,
        // and the transfer lasts long enough to be killed in the middle.
        try (FtpServerFixture ftp = FtpServerFixture.builder().ratePerConnection(MIB).maxLogins(32).start()) {
            ServiceHarness harness = new ServiceHarness(tmp.resolve("svc"), ftp);
            // The server's cap as an operator who set none would have it (then ferry.segments.max).
            harness.properties.remove("ferry.servers.fixture.connection-limit");
            harness.writeConfig();
            Path remote = ftp.write("reports/wide.bin", SIZE, 33);
            String sourceSha = Hashes.sha256(remote);
            Path local = harness.downloads().resolve("wide.bin");
            Path done = harness.requestInbox().resolve(".done/wide.json");
            int lanesAtKill;
            long sentAtKill;

            try (ForkedJvm first = harness.fork(ftp, "first")) {
                first.awaitLine(l -> l.contains("Ferry is running."), Duration.ofSeconds(60));
                ftp.resetCounters();
                ServiceHarness.writeJson(harness.requestInbox(), "wide.json",
                        "{\"server\":\"fixture\",\"remotePath\":\"/reports/wide.bin\",\"localPath\":\"wide.bin\","
                                + "\"options\":{\"checkpointBytes\":" + CHECKPOINT_BYTES + "}}");
                // Added connections are running once the server has more sessions at once than the planned segments.
                Await.until(Duration.ofSeconds(60), () -> ftp.currentSessions() > PLANNED || Files.exists(done),
                        () -> "never more than " + ftp.maxConcurrentSessions() + " connections; requests "
                                + list(harness.requestInbox()) + "\n" + String.join("\n", first.output()));
                // ...and they have moved a few checkpoint intervals each, so losing theirs would show.
                long sentWhenWider = ftp.bytesSent();
                Await.until(Duration.ofSeconds(60), () -> ftp.bytesSent() >= sentWhenWider + ADDED_LANES_MOVE
                                || Files.exists(done),
                        () -> "stuck at " + ftp.bytesSent() + " bytes; requests " + list(harness.requestInbox()));
                lanesAtKill = ftp.currentSessions();
                assertEquals(137, first.kill9());
                sentAtKill = ftp.bytesSent();
            }
            assertFalse(Files.exists(done), "the transfer ended before the kill: nothing was tested");
            assertTrue(lanesAtKill > PLANNED, "connections at the kill: " + lanesAtKill);
            assertTrue(sentAtKill < SIZE, "killed after " + sentAtKill + " bytes of " + SIZE);
            assertFalse(Files.exists(local), "a half-written file under the final name: " + list(harness.downloads()));
            int peakBeforeKill = ftp.maxConcurrentSessions();

            long durable;
            long movedAfter;
            try (ForkedJvm last = harness.fork(ftp, "last")) {
                Await.until(Duration.ofSeconds(60),
                        () -> Files.exists(done)
                                || Files.exists(harness.requestInbox().resolve(".failed/wide.json")),
                        () -> "requests " + list(harness.requestInbox()) + ", downloads " + list(harness.downloads())
                                + "\n" + String.join("\n", last.output()));
                assertTrue(Files.exists(done), "requests " + list(harness.requestInbox()) + "\n"
                        + String.join("\n", last.output()));
                assertEquals(sourceSha, Hashes.sha256(local));
                assertEquals(List.of("wide.bin"), files(harness.downloads()), "part files left");
                // What the ledger had as durable at the restart, and what the second run moved (its log's numbers).
                durable = logged(last.awaitLine(l -> l.contains(" resumed: "), Duration.ofSeconds(5)),
                        " resumed: ", " of ");
                movedAfter = logged(last.awaitLine(l -> l.contains(" moved over the network for "),
                        Duration.ofSeconds(5)), " done: ", " moved ");
            }
            // The kill costs what the connections moved since their last checkpoint (a checkpoint interval each, and
            // what was in flight); a lane whose checkpoints or stolen range were not in the ledger would cost
            // its whole range. The log's numbers are rounded to 0.1 MiB: ROUNDING covers it.
            long perLane = CHECKPOINT_BYTES + IN_FLIGHT;
            long lost = sentAtKill - durable;
            long resentAfter = movedAfter - (SIZE - durable);
            System.out.printf("ADAPTIVE-KILL lanesAtKill=%d peakBeforeKill=%d sentAtKill=%d durableAtRestart=%d"
                            + " lostByKill=%d movedAfterRestart=%d resentAfterRestart=%d serverSentTotal=%d%n",
                    lanesAtKill, peakBeforeKill, sentAtKill, durable, lost, movedAfter, resentAfter, ftp.bytesSent());
            assertTrue(durable > 0, "nothing was durable at the kill after " + sentAtKill + " bytes sent");
            assertTrue(lost <= peakBeforeKill * perLane + ROUNDING, "the kill lost " + lost + " bytes on "
                    + peakBeforeKill + " connections at most (" + sentAtKill + " sent, " + durable + " durable)");
            assertTrue(resentAfter <= peakBeforeKill * perLane + ROUNDING, "after the restart " + movedAfter
                    + " bytes moved for " + (SIZE - durable) + " missing");
        }
    }

    /** The byte count a log line gives between {@code before} and {@code after} ("2.8 MiB"). */
    private static long logged(String line, String before, String after) {
        int from = line.indexOf(before) + before.length();
        String[] number = line.substring(from, line.indexOf(after, from)).trim().split(" ");
        double value = Double.parseDouble(number[0]);
        long unit = switch (number[1]) {
            case "B" -> 1;
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            default -> 1L << 30;
        };
        return Math.round(value * unit);
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
