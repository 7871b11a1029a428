package dev.ferry.ledger;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The contract against PostgreSQL at 127.0.0.1:5432, database {@code test}, user {@code postgres} (trust auth).
 * Each run works in a schema of its own, dropped afterwards. Without a reachable server the tests are skipped,
 * unless {@code FERRY_REQUIRE_POSTGRES=1} (as in CI), which makes that a failure.
 */
class JdbcLedgerPostgresTest extends JdbcLedgerContract {

    private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final String USER = "postgres";
    private static final String SCHEMA = "ferry_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private static final String URL = SERVER + "?connectTimeout=5&currentSchema=" + SCHEMA;

    private static String skipBecause;

    @BeforeAll
    static void createSchema() {
        try (Connection c = DriverManager.getConnection(SERVER + "?connectTimeout=5", USER, "");
             Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + SCHEMA);
        } catch (SQLException e) {
            String problem = "PostgreSQL is not reachable at " + SERVER + " as user " + USER + ": " + e.getMessage();
            if ("1".equals(System.getenv("FERRY_REQUIRE_POSTGRES"))) {
                fail(problem + " (FERRY_REQUIRE_POSTGRES=1 requires it)");
            }
            // Skipped test by test, not here: surefire does not report a class skipped in @BeforeAll at all.
            skipBecause = problem + ". To run these tests, start PostgreSQL there with a database 'test' that user"
                    + " 'postgres' can reach without a password (trust auth); set FERRY_REQUIRE_POSTGRES=1 to make"
                    + " its absence a failure.";
        }
    }

    @AfterAll
    static void dropSchema() {
        if (skipBecause != null) {
            return;
        }
        try (Connection c = DriverManager.getConnection(SERVER, USER, ""); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        } catch (SQLException e) {
            System.err.println("Could not drop the test schema " + SCHEMA + ": " + e.getMessage());
        }
    }

    @Override
    protected void resetStore() throws SQLException {
        Assumptions.assumeTrue(skipBecause == null, skipBecause);
        try (Connection c = DriverManager.getConnection(URL, USER, ""); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS ferry_segment, ferry_transfer");
        }
    }

    @Override
    protected JdbcLedger openLedger() {
        return JdbcLedger.open(URL, USER, "");
    }
}
