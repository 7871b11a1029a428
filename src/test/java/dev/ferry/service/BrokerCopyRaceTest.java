package dev.ferry.service;

import static dev.ferry.service.ServiceHarness.list;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import dev.ferry.testing.PostgresSchema;
import dev.ferry.testing.RabbitMq;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request published twice (a publisher that retried, or sent it again) on a cluster: one node runs it while another
 * takes the copy. A hostile review with three nodes on PostgreSQL and RabbitMQ saw the copy's node look at the row
 * while the run was unfinished, accept it just after that run published, re-open the row as a new request for the
 * file, meet its own download ("already exists") and leave the row FAILED for a file that was delivered whole. Here
 * the other node is played through the ledger: its running row, its row lock held while the copy's accept waits for
 * it, and its publish (the file renamed into place, the row PUBLISHED) committed before that accept goes on.
 */
class BrokerCopyRaceTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private RabbitMq rabbit;
    private String queue;
    private PostgresSchema schema;

    @BeforeEach
    void servers() {
        rabbit = RabbitMq.requireReachable();
        queue = rabbit.uniqueQueue("ferry-test-copies");
        rabbit.declare(queue);
        schema = PostgresSchema.create("ferry_copies");
    }

    @AfterEach
    void cleanUp() throws SQLException {
        if (rabbit != null) {
            rabbit.close();
        }
        if (schema != null) {
            schema.close();
        }
    }

    @Test
    void aCopyAcceptedJustAfterAnotherNodePublishedTheRequestIsDoneAndTheRowStaysPublished() throws Exception {
        try (FtpServerFixture ftp = FtpServerFixture.builder().start()) {
            Path remote = ftp.write("q/twice.bin", 300_000, 61);
            ftp.write("q/next.bin", 1_000, 62);
            ServiceHarness harness = new ServiceHarness(tmp.resolve("node-1"), ftp);
            harness.properties.put("ferry.ledger.url", schema.url());
            harness.properties.put("ferry.ledger.user", "postgres");
            harness.properties.put("ferry.node-id", "node-1");
            harness.properties.put("ferry.broker.host", RabbitMq.HOST);
            harness.properties.put("ferry.broker.port", String.valueOf(RabbitMq.PORT));
            harness.properties.put("ferry.broker.user", RabbitMq.USER);
            harness.secrets.put("ferry.broker.password", RabbitMq.PASSWORD);
            harness.properties.put("ferry.queue.requests", "jms:queue:" + queue);
            harness.properties.put("ferry.queue.dead-letter", "jms:queue:" + queue + ".dlq");
            String request = request("q/twice.bin");
            try (FerryService service = harness.start()) {
                Path local = harness.downloads().resolve("q/twice.bin");
                // The row and the file as a publish leaves them, made by this node's own run of the request.
                rabbit.publish(queue, request);
                Await.until(WAIT, () -> "PUBLISHED".equals(status(local)),
                        () -> "downloads: " + list(harness.downloads()) + ", row: " + status(local));
                long retrs = ftp.commandCount("RETR");
                String id = id(local);

                // node-2 runs its copy of the request: the row unfinished under its live lease, its file not in place.
                Path partFile = tmp.resolve("node-2.part");
                Files.move(local, partFile);
                try (Connection c = schema.connect(); Statement st = c.createStatement()) {
                    assertEquals(1, st.executeUpdate("UPDATE ferry_transfer SET status = 'ACTIVE', owner = 'node-2',"
                            + " epoch = epoch + 1, lease_until = CURRENT_TIMESTAMP + INTERVAL '60 seconds' WHERE id = '" + id + "'"));
                }
                try (Connection node2 = schema.connect()) {
                    node2.setAutoCommit(false);
                    int node2Pid;
                    try (Statement st = node2.createStatement();
                         ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
                        rs.next();
                        node2Pid = rs.getInt(1);
                    }
                    try (PreparedStatement ps = node2.prepareStatement(
                            "SELECT status FROM ferry_transfer WHERE id = ? FOR UPDATE")) {
                        ps.setString(1, id);
                        ps.executeQuery().close();
                    }
                    // The other copy, on node-1: it sees the row unfinished and waits for node-2's lock to accept.
                    rabbit.publish(queue, request);
                    Await.until(WAIT, () -> blockedBy(node2Pid) > 0,
                            () -> "node-1 never waited for the row; row: " + status(local));
                    // node-2 publishes, as its publish does: the file renamed into place, then the row.
                    Files.move(partFile, local);
                    try (PreparedStatement ps = node2.prepareStatement("UPDATE ferry_transfer SET status = 'PUBLISHED',"
                            + " updated = ? WHERE id = ?")) {
                        ps.setObject(1, LocalDateTime.now(ZoneOffset.UTC));
                        ps.setString(2, id);
                        assertEquals(1, ps.executeUpdate());
                    }
                    node2.commit();
                }
                // Behind the copy on the queue: once it is done, the copy was.
                rabbit.publish(queue, request("q/next.bin"));
                Path next = harness.downloads().resolve("q/next.bin");
                Await.until(WAIT, () -> Files.exists(next) && service.ledger().unfinished().isEmpty()
                        && rabbit.ready(queue) == 0, () -> "downloads: " + list(harness.downloads())
                        + ", unfinished: " + service.ledger().unfinished() + ", row: " + status(local));
                assertEquals("PUBLISHED", status(local), "the copy re-opened the row node-2 published");
                assertEquals(retrs + 1, ftp.commandCount("RETR"), "only q/next.bin was fetched after the publish");
                assertEquals(Hashes.sha256(remote), Hashes.sha256(local));
            }
            assertEquals(0, rabbit.ready(queue), "the copy was acknowledged, not returned to the queue");
            assertEquals(0, rabbit.ready(queue + ".dlq"), "the copy was not refused");
        }
    }

    private static String request(String remote) {
        return "{\"remotePath\":\"/" + remote + "\",\"localPath\":\"" + remote + "\",\"options\":{\"segments\":1}}";
    }

    /** The status of the transfer to {@code local} (with its reason when it failed), or "none". */
    private String status(Path local) {
        try (Connection c = schema.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT status, reason FROM ferry_transfer WHERE local_path = ?")) {
            ps.setString(1, local.toAbsolutePath().normalize().toString());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) + (rs.getString(2) == null ? "" : " " + rs.getString(2)) : "none";
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private String id(Path local) throws SQLException {
        try (Connection c = schema.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM ferry_transfer WHERE local_path = ?")) {
            ps.setString(1, local.toAbsolutePath().normalize().toString());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /** Sessions waiting for a lock that the session {@code pid} holds. */
    private int blockedBy(int pid) {
        try (Connection c = schema.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
