package dev.ferry.interop;

import dev.ferry.ftp.Capabilities;
import dev.ferry.ftp.FtpSession;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.plan.Direction;
import dev.ferry.plan.TransferOptions;
import dev.ferry.plan.TransferRequest;
import dev.ferry.progress.TransferListener;
import dev.ferry.progress.TransferView;
import dev.ferry.transfer.TransferEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A transfer engine on a fresh H2 ledger for one server profile, recording the events the cases assert on. */
final class InteropEngine implements AutoCloseable {
    final JdbcLedger ledger;
    final TransferEngine engine;
    final ServerProfile profile;
    final List<String> events = new CopyOnWriteArrayList<>();

    InteropEngine(Path ledgerDir, ServerProfile profile) {
        this.ledger = JdbcLedger.h2(ledgerDir);
        this.profile = profile;
        this.engine = new TransferEngine(ledger, new ServerProfiles().add(profile), TransferOptions.none(),
                Duration.ofMillis(200));
        engine.addListener(new TransferListener() {
            @Override public void transferStart(TransferView t) { events.add("start " + t.segments().size()); }
            @Override public void resumed(TransferView t, long b) { events.add("resumed " + b); }
            @Override public void restarted(TransferView t, String why) { events.add("restarted " + why); }
            @Override public void retry(TransferView t, int s, Throwable c, Duration d) {
                events.add("retry " + c.getMessage());
            }
            @Override public void transferFailed(TransferView t, String r) { events.add("failed " + r); }
            @Override public void transferCancelled(TransferView t) { events.add("cancelled"); }
        });
    }

    TransferRequest download(String remote, Path local, TransferOptions options) {
        return new TransferRequest(Direction.DOWNLOAD, profile.name(), remote, local.toString(), options);
    }

    TransferRequest upload(Path local, String remote, TransferOptions options) {
        return new TransferRequest(Direction.UPLOAD, profile.name(), remote, local.toString(), options);
    }

    /** What the probe found (its cached result, or a probe now); {@code bestUpload()} is what AUTO stands for. */
    Capabilities probedCapabilities(String directory) throws IOException {
        FtpSession session = engine.pool().borrow(profile);
        try {
            return engine.pool().probe().forUpload(session, directory);
        } finally {
            engine.pool().release(session);
        }
    }

    /** Segments of the first transferStart event. */
    int segmentsAtStart() {
        return events.stream().filter(e -> e.startsWith("start ")).findFirst()
                .map(e -> Integer.parseInt(e.substring(6))).orElse(-1);
    }

    @Override
    public void close() {
        engine.close();
        ledger.close();
    }
}
