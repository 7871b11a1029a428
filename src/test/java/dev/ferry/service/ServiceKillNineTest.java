package dev.ferry.service;

import static dev.ferry.service.ServiceHarness.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.ferry.testing.Await;
import dev.ferry.testing.ForkedJvm;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PseudoRandomContent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service, in its own JVM, killed with SIGKILL at seeded random moments while uploads from its inbox and a
 * download request are under way (every other round killed a second time while it recovers), then started once more
 * with no new input. Every drop must end published and byte-identical, with nothing half-written under a final name
 * on either side and nothing in {@code .failed/}.
 */
@Tag("fault")
class ServiceKillNineTest {
    private static final int MIB = 1 << 20;
    private static final long SEED = Long.getLong("ferry.fault.seed", 0xFE77_0005L);
    private static final int ROUNDS = Integer.getInteger("ferry.fault.serviceKillRounds", 4);
    private static final Duration ALL_DONE = Duration.ofSeconds(120);

    @TempDir
    Path tmp;

    @Test
    void killedAtRandomMomentsTheServiceFinishesEveryAcceptedTransfer() throws Exception {
        Random random = new Random(SEED);
        long resentUp = 0;
        long resentDown = 0;
        int kills = 0;
        // 8 MiB/s per connection: a round's transfers take a few seconds, so the kills land in the middle of them.
        try (FtpServerFixture ftp = FtpServerFixture.builder().writeInPlace(true).ratePerConnection(8 * MIB).start()) {
            for (int r = 0; r < ROUNDS; r++) {
                int round = r;
                ServiceHarness harness = new ServiceHarness(tmp.resolve("round-" + round), ftp);
                harness.writeConfig();
                Map<String, String> uploads = new LinkedHashMap<>();
                long upBytes = 0;
                for (int f = 0; f < 3; f++) {
                    long size = f == 0 ? 16L * MIB + random.nextInt(8 * MIB) : 100_000 + random.nextInt(300_000);
                    Path staged = PseudoRandomContent.write(tmp.resolve("staging-" + round + "/up-" + round + "-" + f
                            + ".bin"), size, random.nextLong());
                    uploads.put(staged.getFileName().toString(), Hashes.sha256(staged));
                    upBytes += size;
                }
                long downSize = 12L * MIB + random.nextInt(8 * MIB);
                String remote = "pub/down-" + round + ".bin";
                String downSha = Hashes.sha256(ftp.write(remote, downSize, random.nextLong()));
                long receivedBefore = ftp.bytesReceived();
                long sentBefore = ftp.bytesSent();

                try (ForkedJvm first = harness.fork(ftp, "first")) {
                    first.awaitLine(l -> l.contains("Ferry is running."), Duration.ofSeconds(60));
                    for (String name : uploads.keySet()) {
                        ServiceHarness.dropInto(harness.uploadInbox(), tmp.resolve("staging-" + round).resolve(name));
                    }
                    ServiceHarness.writeJson(harness.requestInbox(), "down-" + round + ".json",
                            "{\"server\":\"fixture\",\"remotePath\":\"/" + remote + "\",\"localPath\":\"down-" + round
                                    + ".bin\"}");
                    // The inbox takes a drop after read-lock-min-age (1 s): kill between then and about 4 s later.
                    Thread.sleep(1_000 + random.nextInt(3_000));
                    assertEquals(137, first.kill9());
                    kills++;
                }
                // Every other round, the restarted service is killed again while it recovers.
                if (round % 2 == 1) {
                    try (ForkedJvm recovering = harness.fork(ftp, "recovering")) {
                        recovering.awaitLine(l -> l.contains("Ferry is running."), Duration.ofSeconds(60));
                        Thread.sleep(200 + random.nextInt(1_500));
                        assertEquals(137, recovering.kill9());
                        kills++;
                    }
                }
                try (ForkedJvm last = harness.fork(ftp, "last")) {
                    Path downloaded = harness.downloads().resolve("down-" + round + ".bin");
                    Await.until(ALL_DONE, () -> allDone(harness, uploads.keySet(), round)
                                    && Files.exists(downloaded),
                            () -> "round " + round + ": upload inbox " + list(harness.uploadInbox()) + ", requests "
                                    + list(harness.requestInbox()) + ", downloads " + list(harness.downloads()) + "\n"
                                    + String.join("\n", last.output()));
                    for (Map.Entry<String, String> up : uploads.entrySet()) {
                        assertEquals(up.getValue(), Hashes.sha256(ftp.file("incoming/" + up.getKey())),
                                "round " + round + " " + up.getKey());
                    }
                    assertEquals(downSha, Hashes.sha256(downloaded), "round " + round + " download");
                    assertFalse(hasFailures(harness.uploadInbox()) || hasFailures(harness.requestInbox()),
                            "round " + round + ": " + list(harness.uploadInbox()) + " " + list(harness.requestInbox()));
                    assertEquals(List.of(), partFiles(ftp.file("incoming")), "round " + round + ": temporary names left");
                    assertEquals(List.of(), partFiles(harness.downloads()), "round " + round + ": part files left");
                }
                long up = Math.max(0, ftp.bytesReceived() - receivedBefore - upBytes);
                long down = Math.max(0, ftp.bytesSent() - sentBefore - downSize);
                resentUp += up;
                resentDown += down;
                System.out.printf("service kill round %d: %d uploads (%d bytes) and a download of %d bytes published;"
                        + " sent again: %d up, %d down%n", round, uploads.size(), upBytes, downSize, up, down);
            }
        }
        System.out.printf("SERVICE-KILL-SUMMARY seed=%d rounds=%d kills=%d verified=%d resentUp=%d resentDown=%d%n",
                SEED, ROUNDS, kills, ROUNDS * 4, resentUp, resentDown);
        assertEquals(ROUNDS + ROUNDS / 2, kills, "every round killed once, every other round twice");
    }

    private static boolean allDone(ServiceHarness harness, Iterable<String> uploads, int round) {
        for (String name : uploads) {
            if (!Files.exists(harness.uploadInbox().resolve(".done").resolve(name))) {
                return false;
            }
        }
        return Files.exists(harness.requestInbox().resolve(".done").resolve("down-" + round + ".json"));
    }

    private static boolean hasFailures(Path inbox) throws IOException {
        Path failed = inbox.resolve(".failed");
        if (!Files.isDirectory(failed)) {
            return false;
        }
        try (Stream<Path> s = Files.list(failed)) {
            return s.findAny().isPresent();
        }
    }

    /** Ferry's hidden temporary (remote) and part (local) files left in a folder. */
    private static List<String> partFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".") && n.endsWith(".part"))
                    .sorted().toList();
        }
    }

}
