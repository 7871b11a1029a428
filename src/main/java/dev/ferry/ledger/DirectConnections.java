package dev.ferry.ledger;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The embedded ledger's connections for a process that runs one command: each {@link #getConnection} is a new H2
 * session on the open database, no pool. A session on an embedded database is an object, not a socket, so a pool
 * (Hikari: its threads, its start and its shutdown, a tenth of a command's run) buys nothing there. One session is
 * kept open for the ledger's life: H2 closes an embedded database when its last session closes, and would open it
 * again for the next statement.
 */
final class DirectConnections implements DataSource, AutoCloseable {
    private final Driver driver;
    private final String url;
    private final Properties credentials = new Properties();
    private final Connection keeper;
    private volatile boolean closed;

    /** Opens the database now, so a locked file or a bad URL fails here, as a pool's first connection would. */
    DirectConnections(Driver driver, String url, String user, String password) throws SQLException {
        this.driver = driver;
        this.url = url;
        credentials.setProperty("user", user);
        credentials.setProperty("password", password);
        this.keeper = connect();
    }

    /**
     * A new session; refused once {@link #close} began: a late statement of the closed ledger's threads would
     * otherwise open the database again behind the close, for the next command in this JVM to find.
     */
    @Override
    public Connection getConnection() throws SQLException {
        if (closed) {
            throw new SQLException("the ledger " + LedgerPool.redact(url) + " is closed");
        }
        return connect();
    }

    private Connection connect() throws SQLException {
        Connection c = driver.connect(url, credentials);
        if (c == null) {
            throw new SQLException("no driver takes " + LedgerPool.redact(url));
        }
        return c;
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the ledger's credentials are fixed");
    }

    /**
     * Closes the database, here and now: closing the keeper alone leaves it open while any other session is (one a
     * late statement on another thread still holds), and H2 would then close it on that thread after this returned —
     * a command run next in the same JVM found the file still locked ("Database may be already in use",
     * CliFileExistTest). {@code SHUTDOWN} is H2's ordinary close: every commit written, the file lock released.
     */
    @Override
    public void close() {
        closed = true;
        try {
            shutdown(keeper);
        } catch (SQLException keepersClosed) {
            // The database was closed under its sessions (a disk error; on a plain file channel an interrupted write
            // did it too) and the next statement's new session opened it again, without the keeper: that one closes.
            try (Connection c = connect()) {
                shutdown(c);
            } catch (SQLException e) {
                throw new LedgerException("cannot close the ledger " + LedgerPool.redact(url) + ": " + e.getMessage(),
                        e);
            }
        } finally {
            try {
                keeper.close();
            } catch (SQLException ignored) {
                // Closed with its database.
            }
        }
    }

    private static void shutdown(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        }
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
    }

    @Override
    public void setLoginTimeout(int seconds) {
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper of " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    @Override
    public String toString() {
        return "DirectConnections[" + LedgerPool.redact(url) + "]";
    }
}
