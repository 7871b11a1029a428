package dev.ferry.web;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * One of {@link HealthMonitor}'s checks as a Camel health check, so Camel's registry (and whatever reads it: Ferry's
 * /observe/health, Camel's own management console, JMX) sees Ferry's ledger and servers beside Camel's context,
 * route and consumer checks. A call only reads the monitor's last result: the checks themselves run in the
 * background, so a probe never opens an FTP connection.
 *
 * <p>As Camel defines the kinds: the ledger and the servers are readiness checks (without them nothing can be
 * transferred, but restarting the process would not bring them back); the monitor's own rounds are a liveness check
 * (rounds that stop coming mean a stuck process).
 */
final class FerryHealthCheck extends AbstractHealthCheck {
    static final String GROUP = "ferry";
    static final String ROUNDS = "ferry-health-rounds";

    private final HealthMonitor monitor;
    private final String name;

    private FerryHealthCheck(HealthMonitor monitor, String name) {
        super(GROUP, name);
        this.monitor = monitor;
        this.name = name;
    }

    /** The monitor's check {@code name} ("ledger", "server:&lt;profile&gt;"), for readiness. */
    static FerryHealthCheck readiness(HealthMonitor monitor, String name) {
        return new FerryHealthCheck(monitor, name);
    }

    /** The monitor's rounds keep coming, for liveness. */
    static FerryHealthCheck rounds(HealthMonitor monitor) {
        return new FerryHealthCheck(monitor, ROUNDS);
    }

    private boolean isRounds() {
        return ROUNDS.equals(name);
    }

    @Override
    public boolean isReadiness() {
        return !isRounds();
    }

    @Override
    public boolean isLiveness() {
        return isRounds();
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        if (isRounds()) {
            Instant last = monitor.lastRound();
            builder.detail("intervalSeconds", monitor.interval().toSeconds());
            if (last != null) {
                builder.detail("checkedAt", last.toString());
            }
            builder.state(monitor.live() ? org.apache.camel.health.HealthCheck.State.UP
                    : org.apache.camel.health.HealthCheck.State.DOWN);
            builder.message(last == null ? "the first round of checks has not finished yet"
                    : "last round " + Duration.between(last, Instant.now()).toSeconds() + " s ago");
            return;
        }
        HealthMonitor.Check c = monitor.check(name);
        if (c == null) {
            builder.unknown().message("the first round of checks has not finished yet");
            return;
        }
        builder.detail(HealthMonitor.DETAIL_CHECKED_AT, c.checkedAt().toString());
        builder.detail(HealthMonitor.DETAIL_TOOK_MILLIS, c.tookMillis());
        builder.message(c.detail());
        if (c.up()) {
            builder.up();
        } else {
            builder.down();
        }
    }
}
