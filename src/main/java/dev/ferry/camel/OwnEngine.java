package dev.ferry.camel;

import dev.ferry.ftp.ConnectionPermits;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ledger.ConnectionSlots;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.plan.TransferOptions;
import dev.ferry.transfer.TransferEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine a {@link FerryComponent} builds for itself when an application gives it none (only
 * {@code camel.component.ferry.*} properties): its ledger (H2 under the data directory, or the ledger URL), its
 * connection permits and its servers. It owns all three and closes them when the component stops.
 */
final class OwnEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OwnEngine.class);

    private final JdbcLedger ledger;
    private final ConnectionPermits permits;
    private final TransferEngine engine;

    private OwnEngine(JdbcLedger ledger, ConnectionPermits permits, TransferEngine engine) {
        this.ledger = ledger;
        this.permits = permits;
        this.engine = engine;
    }

    /** @param ledgerPassword read from the component's secret option; never logged (the URL is logged redacted) */
    static OwnEngine start(Collection<ServerProfile> servers, Path dataDir, String ledgerUrl, String ledgerUser,
                           String ledgerPassword) {
        if (servers.isEmpty()) {
            throw new IllegalStateException("ferry: has no server: set camel.component.ferry.host (with port, user and"
                    + " password), or bind a dev.ferry.ftp.ServerProfile or a TransferEngine in the registry");
        }
        ServerProfiles profiles = new ServerProfiles();
        servers.forEach(profiles::add);
        JdbcLedger ledger = ledgerUrl == null || ledgerUrl.isBlank() ? JdbcLedger.h2(dataDir)
                : JdbcLedger.open(ledgerUrl, ledgerUser == null ? "" : ledgerUser,
                        ledgerPassword == null ? "" : ledgerPassword);
        ConnectionPermits permits = null;
        try {
            // As the service: one connection cap per server for every node on a shared ledger.
            permits = ConnectionSlots.forLedger(ledger);
            TransferEngine engine = new TransferEngine(ledger, profiles, TransferOptions.none(), Duration.ofSeconds(2));
            engine.pool().permits(permits);
            LOG.info("ferry: component engine started for {}", servers);
            return new OwnEngine(ledger, permits, engine);
        } catch (RuntimeException e) {
            if (permits != null) {
                permits.close();
            }
            ledger.close();
            throw e;
        }
    }

    TransferEngine engine() {
        return engine;
    }

    @Override
    public void close() {
        engine.close();
        permits.close();
        ledger.close();
    }
}
