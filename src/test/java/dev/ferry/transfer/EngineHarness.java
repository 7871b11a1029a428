package dev.ferry.transfer;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.plan.Direction;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.progress.TransferListener;
import dev.ferry.progress.TransferView;
import dev.ferry.testing.FtpServerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An engine on a fresh H2 ledger, with one server profile and a recorder of every event. */
final class EngineHarness implements AutoCloseable {
    final JdbcLedger ledger;
    final TransferEngine engine;
    final ServerProfile profile;
    final List<String> events = new CopyOnWriteArrayList<>();

    EngineHarness(Path ledgerDir, ServerProfile profile) {
        this(JdbcLedger.h2(ledgerDir), profile);
    }

    /** On {@code ledger} (a shared database's), which {@link #close} closes. */
    EngineHarness(JdbcLedger ledger, ServerProfile profile) {
        this.ledger = ledger;
        this.profile = profile;
        this.engine = new TransferEngine(ledger, new ServerProfiles().add(profile), TransferOptions.none(),
                Duration.ofMillis(200));
        engine.addListener(new Recorder());
    }

    static ServerProfile.Builder profileFor(FtpServerFixture ftp) {
        return ftp.profile(8);
    }

    TransferRequest download(String remote, Path local, TransferOptions options) {
        return new TransferRequest(Direction.DOWNLOAD, profile.name(), remote, local.toString(), options);
    }

    TransferRequest upload(Path local, String remote, TransferOptions options) {
        return new TransferRequest(Direction.UPLOAD, profile.name(), remote, local.toString(), options);
    }

    /** One segment at {@code bytesPerSecond}: a transfer slow enough for a test to act while it runs. */
    static TransferOptions slow(long bytesPerSecond) {
        return new TransferOptions(1, null, null, null, null, null, bytesPerSecond, null, null, null);
    }

    /** {@link TransferEngine#run} on another thread; its failure is the future's (wrapped once). */
    java.util.concurrent.CompletableFuture<TransferResult> runAsync(TransferRequest request) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return engine.run(request);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    /**
     * Runs {@code request} (a {@link #slow} one) until its first checkpoint, then cancels it: what an interrupted run
     * leaves (a part file with data, its segments in the ledger) for a test to resume from.
     */
    void stopAfterFirstCheckpoint(TransferRequest request) throws Exception {
        java.util.concurrent.CompletableFuture<TransferResult> run = runAsync(request);
        dev.ferry.testing.Await.until(Duration.ofSeconds(20), () -> count("checkpoint") >= 1,
                () -> "no checkpoint: " + events);
        engine.cancel(request.id());
        try {
            run.get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException cancelled) {
            // as asked
        }
    }

    /** Ferry's part files ({@code .<name>.ferry-<id>.part}) directly in {@code folder}. */
    static List<Path> partFiles(Path folder) {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(folder)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".part")).toList();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    long count(String prefix) {
        return events.stream().filter(e -> e.startsWith(prefix)).count();
    }

    @Override
    public void close() {
        engine.close();
        ledger.close();
    }

    private final class Recorder implements TransferListener {
        @Override public void transferStart(TransferView t) { events.add("start " + t.segments().size()); }
        @Override public void resumed(TransferView t, long b) { events.add("resumed " + b); }
        @Override public void restarted(TransferView t, String why) { events.add("restarted " + why); }
        @Override public void segmentStart(TransferView t, int s, long a, long b) { events.add("segmentStart " + s); }
        @Override public void segmentEnd(TransferView t, int s, long b) { events.add("segmentEnd " + s); }
        @Override public void segmentFailed(TransferView t, int s, Throwable c) { events.add("segmentFailed " + s); }
        @Override public void segmentGivenBack(TransferView t, int s, Throwable c) {
            events.add("segmentGivenBack " + s);
        }
        @Override public void retry(TransferView t, int s, Throwable c, Duration d) { events.add("retry " + c.getMessage()); }
        @Override public void checkpoint(TransferView t, int s, long o) { events.add("checkpoint " + s + " " + o); }
        @Override public void verified(TransferView t, String how) { events.add("verified " + how); }
        @Override public void published(TransferView t, String n) { events.add("published " + n); }
        @Override public void transferEnd(TransferView t) { events.add("end"); }
        @Override public void transferFailed(TransferView t, String r) { events.add("failed " + r); }
        @Override public void transferCancelled(TransferView t) { events.add("cancelled"); }
        @Override public void transferStopped(TransferView t, String why) { events.add("stopped " + why); }
    }
}
