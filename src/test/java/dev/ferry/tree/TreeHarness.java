package dev.ferry.tree;

import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.ServerProfiles;
import dev.ferry.ledger.JdbcLedger;
import dev.ferry.plan.TransferOptions;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.transfer.TransferEngine;
import java.nio.file.Path;
import java.time.Duration;

/** An engine on an H2 ledger for one embedded server, for the tree tests that run {@link TreeRun} themselves. */
final class TreeHarness implements AutoCloseable {
    final FtpServerFixture ftp;
    final JdbcLedger ledger;
    final ServerProfile profile;
    final TransferEngine engine;

    TreeHarness(FtpServerFixture ftp, Path ledgerDir) {
        this.ftp = ftp;
        this.ledger = JdbcLedger.h2(ledgerDir);
        this.profile = ftp.profile(4).build();
        this.engine = new TransferEngine(ledger, new ServerProfiles().add(profile), TransferOptions.none(),
                Duration.ofMillis(200));
    }

    /** The engine's pooled listings, as a tree run lists without a source of its own. */
    PooledListing listing() {
        return new PooledListing(engine.pool(), profile);
    }

    /** A tree run on this server listing through {@code listing}. */
    TreeRun run(ListingSource listing) {
        return new TreeRun(engine, profile.name(), TreeLimits.DEFAULTS, listing);
    }

    @Override
    public void close() {
        engine.close();
        ledger.close();
        ftp.close();
    }
}
