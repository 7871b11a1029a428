package dev.ferry.tree;

import dev.ferry.ftp.FtpSession;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.SessionPool;
import java.io.IOException;
import java.util.function.Consumer;
import org.apache.commons.net.ftp.FTPFile;

/** Listings on sessions borrowed from the engine's pool, so a tree's listings count against the server's cap too. */
public final class PooledListing implements ListingSource {
    private final SessionPool pool;
    private final ServerProfile profile;

    public PooledListing(SessionPool pool, ServerProfile profile) {
        this.pool = pool;
        this.profile = profile;
    }

    @Override
    public boolean list(String dir, Consumer<FTPFile> each) throws IOException {
        FtpSession session = pool.borrow(profile);
        try {
            return session.list(dir, each);
        } finally {
            pool.release(session);
        }
    }

    @Override
    public boolean enterable(String dir) throws IOException {
        FtpSession session = pool.borrow(profile);
        try {
            return session.isDirectory(dir);
        } finally {
            pool.release(session);
        }
    }
}
