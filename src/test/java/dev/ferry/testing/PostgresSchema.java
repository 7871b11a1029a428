package dev.ferry.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A schema of its own on the local PostgreSQL for one test, so cluster tests never see each other's rows. Without
 * PostgreSQL the test is skipped with a hint, or fails under {@code FERRY_REQUIRE_POSTGRES=1} (as CI sets).
 */
public final class PostgresSchema implements AutoCloseable {
    public static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/test";

    private final String name;

    private PostgresSchema(String name) {
        this.name = name;
    }

    public static PostgresSchema create(String prefix) {
        String name = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(SERVER + "?connectTimeout=5", "postgres", "");
             Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + name);
        } catch (SQLException e) {
            String problem = "PostgreSQL is not reachable at " + SERVER + ": " + e.getMessage();
            if ("1".equals(System.getenv("FERRY_REQUIRE_POSTGRES")) || "true".equals(System.getenv("CI"))) {
                fail(problem + " (CI=true or FERRY_REQUIRE_POSTGRES=1 requires it)");
            }
            Assumptions.abort(problem + " (start PostgreSQL with a database 'test' to run it)");
        }
        return new PostgresSchema(name);
    }

    public String name() {
        return name;
    }

    /** The JDBC URL of this schema on the local server. */
    public String url() {
        return url(SERVER);
    }

    /** The JDBC URL of this schema through another address of the server, e.g. a relay that can be cut. */
    public String url(String server) {
        return server + "?connectTimeout=5&currentSchema=" + name;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), "postgres", "");
    }

    /** A transfer's row as "STATUS owner" (what another node's claim leaves in the table), or "NONE". */
    public String statusAndOwner(String id) {
        try (Connection c = connect(); java.sql.PreparedStatement ps = c.prepareStatement(
                "SELECT status, owner FROM ferry_transfer WHERE id = ?")) {
            ps.setString(1, id);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) + " " + rs.getString(2) : "NONE";
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER, "postgres", ""); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
        }
    }
}
