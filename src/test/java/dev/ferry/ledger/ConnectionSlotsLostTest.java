package dev.ferry.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ferry.ftp.CapabilityProbe;
import dev.ferry.ftp.FtpSession;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.SessionPool;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.PostgresSchema;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node whose lease on a connection slot ran out while another node took the slot: it must not keep a connection
 * the cluster's limit has no place for. Two nodes' pools on one PostgreSQL ledger (a schema of its own) and one real
 * FTP server that counts its sessions; a lagging renewal is made by moving the node's lease end into the past.
 */
class ConnectionSlotsLostTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private PostgresSchema schema;
    private FtpServerFixture ftp;
    private final List<AutoCloseable> open = new ArrayList<>();
    /** Node-a's pool and its slots, node-b's pool: each node a ledger of its own on the one schema. */
    private SessionPool a;
    private ConnectionSlots slotsA;
    private SessionPool b;

    @BeforeEach
    void start() {
        schema = PostgresSchema.create("ferry_slot_lost");
        ftp = FtpServerFixture.builder().start();
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        ftp.close();
        schema.close();
    }

    @Test
    void anIdleConnectionWhoseSlotWentToAnotherNodeIsClosed() throws Exception {
        ServerProfile p = twoNodes(1);
        a.release(a.borrow(p));
        assertEquals(1, ftp.currentSessions());

        FtpSession onB = takeSlotZeroFromA(p);
        Await.until(WAIT, () -> a.open(p) == 0 && ftp.currentSessions() == 1,
                () -> "node-a still has " + a.open(p) + " connection(s) open, the server counts "
                        + ftp.currentSessions() + " for a limit of 1");
        assertEquals(List.of("0=node-b"), owners(), "node-b keeps the slot it took; node-a's close freed nothing");

        assertNull(a.tryBorrow(p), "the one place is node-b's");
        b.discard(onB);
        FtpSession again = a.borrow(p);
        assertEquals(List.of("0=node-a"), owners());
        a.release(again);
        assertEquals(1, ftp.currentSessions());
    }

    @Test
    void aBusyConnectionWhoseSlotWentToAnotherNodeIsClosedWhenGivenBack() throws Exception {
        ServerProfile p = twoNodes(1);
        FtpSession busy = a.borrow(p);

        FtpSession onB = takeSlotZeroFromA(p);
        Await.until(WAIT, () -> slotsA.held().getOrDefault(server(), 0) == 0,
                () -> "node-a never noticed that its slot is node-b's: " + slotsA.held());
        assertEquals(1, a.open(p), "a connection in use is not cut");
        a.release(busy);
        Await.until(WAIT, () -> a.open(p) == 0 && ftp.currentSessions() == 1,
                () -> "node-a kept its connection after giving it back: " + a.open(p) + " open, the server counts "
                        + ftp.currentSessions());
        assertEquals(List.of("0=node-b"), owners());
        b.release(onB);
    }

    @Test
    void aSlotFreeBelowTheLimitTakesTheLostOnesPlaceAndTheConnectionStays() throws Exception {
        ServerProfile p = twoNodes(2);
        a.release(a.borrow(p));

        FtpSession onB = takeSlotZeroFromA(p);
        Await.until(WAIT, () -> owners().equals(List.of("0=node-b", "1=node-a")),
                () -> "node-a did not move its connection to the free slot: " + owners());
        assertEquals(1, a.open(p), "node-a's connection has a place and stays open");
        assertEquals(2, ftp.currentSessions());
        assertEquals(2, ftp.loginCount(), "nothing closed, nothing logged in again");
        b.release(onB);
    }

    @Test
    void aNodeThatCannotRenewClosesItsConnectionsBeforeItsLeaseRunsOut() throws Exception {
        ServerProfile p = twoNodes(1, 6);
        a.release(a.borrow(p));
        try (Connection lock = schema.connect()) {
            // Node-a's renewals wait for this lock until their timeout, as for a database that stopped answering.
            lock.setAutoCommit(false);
            try (Statement st = lock.createStatement()) {
                st.executeQuery("SELECT slot FROM ferry_slot FOR UPDATE").close();
            }
            Await.until(WAIT, () -> a.open(p) == 0 && ftp.currentSessions() == 0,
                    () -> "node-a kept its connection while it could not renew: " + a.open(p) + " open, the server"
                            + " counts " + ftp.currentSessions());
            assertEquals(List.of("0=node-a"), owners(),
                    "closed while node-a's lease on the slot was still live, so no other node could have taken it");
            lock.rollback();
        }
        FtpSession onB = null;
        for (int i = 0; i < 200 && onB == null; i++) {
            onB = b.tryBorrow(p);
            Thread.sleep(50);
        }
        assertEquals(List.of("0=node-b"), owners(), "node-b takes the slot once node-a's lease ran out");
        assertNull(a.tryBorrow(p), "the one place is node-b's");
        b.release(onB);
    }

    /**
     * Node-a's lease on slot 0 runs out (as if its renewals lagged) and node-b takes that slot with a login. The
     * caller keeps the session it returns in use to the end (an unreachable socket is closed by the JDK's cleaner).
     */
    private FtpSession takeSlotZeroFromA(ServerProfile p) throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            sql("UPDATE ferry_slot SET lease_until = CURRENT_TIMESTAMP - INTERVAL '1' SECOND WHERE owner = 'node-a'");
            FtpSession taken = b.tryBorrow(p);
            if (taken != null && owners().contains("0=node-b")) {
                return taken;
            }
            if (taken != null) {
                // Node-a renewed in between and node-b got another slot: give that one back and try again.
                b.discard(taken);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("node-b never took slot 0 from node-a: " + owners());
    }

    /** Node-a and node-b, and the profile of the server with this connection limit. */
    private ServerProfile twoNodes(int limit) {
        return twoNodes(limit, 3);
    }

    private ServerProfile twoNodes(int limit, int leaseSeconds) {
        slotsA = slots("node-a", leaseSeconds);
        a = pool(slotsA);
        b = pool(slots("node-b", leaseSeconds));
        return profile(limit);
    }

    private SessionPool pool(ConnectionSlots slots) {
        SessionPool pool = new SessionPool(new CapabilityProbe()).permits(slots);
        open.add(pool);
        return pool;
    }

    private ConnectionSlots slots(String node, int leaseSeconds) {
        JdbcLedger ledger = JdbcLedger.open(schema.url(), "postgres", "");
        ledger.leases().configure(node, leaseSeconds);
        open.add(ledger);
        ConnectionSlots slots = ConnectionSlots.on(ledger);
        open.add(slots);
        return slots;
    }

    private ServerProfile profile(int limit) {
        return ServerProfile.builder("slots").host(ftp.host()).port(ftp.port()).user(ftp.user())
                .password(ftp.password()).connectionLimit(limit).connectTimeout(Duration.ofSeconds(5))
                .soTimeout(Duration.ofSeconds(5)).dataTimeout(Duration.ofSeconds(5)).build();
    }

    private String server() {
        return ConnectionSlots.name(profile(1).key());
    }

    /** The slots with an owner whose lease is live, as "slot=owner", by slot. */
    private List<String> owners() {
        List<String> owners = new ArrayList<>();
        try (Connection c = schema.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT slot, owner FROM ferry_slot WHERE owner IS NOT NULL"
                     + " AND lease_until >= CURRENT_TIMESTAMP ORDER BY slot")) {
            while (rs.next()) {
                owners.add(rs.getInt(1) + "=" + rs.getString(2));
            }
        } catch (SQLException e) {
            throw new AssertionError("could not read the slots: " + e.getMessage(), e);
        }
        return owners;
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = schema.connect(); Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }
}
