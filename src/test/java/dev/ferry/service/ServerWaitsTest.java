package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.ledger.TransferRecord;
import dev.ferry.ledger.TransferStatus;
import dev.ferry.testing.Await;
import dev.ferry.testing.FaultProxy;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.testing.Hashes;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that cannot be reached must not stop the service's transfers to every other server. Queued, API and
 * recovered transfers run on a few consumers of one queue; one whose server was out of reach waited its outage wait
 * (600 s by default) on its consumer, so as many such transfers as consumers stopped everything queued behind them,
 * for every server, and the list said nothing about why (a review of the service over time: a request to a server
 * that was up waited 11 minutes). Such a transfer now waits without a consumer, says so in the API, and runs when its
 * server answers.
 */
class ServerWaitsTest {

    @TempDir
    Path tmp;

    @Test
    void transfersToAServerOutOfReachWaitAsideAndRunWhenItAnswers() throws Exception {
        int gonePort = freePort();
        try (FtpServerFixture up = FtpServerFixture.builder().start()) {
            Path upFile = up.write("incoming/up.bin", 2L << 20, 7);
            ServiceHarness h = harness(up, gonePort, 300);
            try (FerryService service = h.start()) {
                ApiClient api = new ApiClient(service.webUrl());
                // More transfers for the server out of reach than the queue has consumers (2 here).
                List<String> gone = new ArrayList<>();
                for (int i = 1; i <= 3; i++) {
                    gone.add(api.post("{\"server\":\"gone\",\"remotePath\":\"/g" + i + ".bin\",\"localPath\":\"g" + i
                            + ".bin\"}"));
                }
                // Queued behind them (the queue is first in, first out).
                String upId = api.post("{\"remotePath\":\"up.bin\",\"localPath\":\"up.bin\"}");
                // On the old code both consumers waited out gone's 300 s: this one never started in time.
                Await.until(Duration.ofSeconds(60), () -> "done".equals(api.state(upId)),
                        () -> "the transfer to the server that is up did not run: " + api.get("api/transfers/"
                                + upId));
                assertEquals(Hashes.sha256(upFile), Hashes.sha256(h.downloads().resolve("up.bin")));

                assertTrue(gone.stream().allMatch(id -> "waiting".equals(api.state(id))), api.get("api/transfers"));
                JsonNode waiting = api.transfer(gone.get(0));
                String why = waiting.path("waiting").asText();
                assertTrue(why.contains("server gone cannot be reached") && why.contains("given up at")
                        && why.contains("outage-wait 300 s"), waiting.toString());
                for (String id : gone) {
                    TransferRecord r = service.ledger().find(id).orElseThrow();
                    assertTrue(!r.status().finished(), r.toString());
                    // Held by this node: no other node takes it, and the claim loop does not send it again.
                    assertTrue(service.ledger().leases().holds(id), id);
                }

                // The server comes up: every transfer that waited for it runs, and arrives identical.
                try (FtpServerFixture back = FtpServerFixture.builder().port(gonePort).user("nobody", "pw").start()) {
                    List<Path> sources = new ArrayList<>();
                    for (int i = 1; i <= 3; i++) {
                        sources.add(back.write("g" + i + ".bin", (1L << 20) + i, 20 + i));
                    }
                    Await.until(Duration.ofSeconds(90), () -> gone.stream().allMatch(id -> "done".equals(
                            api.state(id))), () -> "not run once the server answered: " + api.get("api/transfers"));
                    for (int i = 1; i <= 3; i++) {
                        assertEquals(Hashes.sha256(sources.get(i - 1)),
                                Hashes.sha256(h.downloads().resolve("g" + i + ".bin")));
                    }
                }
            }
        }
    }

    @Test
    void aServerThatGoesAwayMidTransferFreesItsThreadsAndItsTransferResumesWhenItIsBack() throws Exception {
        long size = 8L << 20;
        try (FtpServerFixture a = FtpServerFixture.builder().ratePerConnection(1024 * 1024).start();
             FtpServerFixture b = FtpServerFixture.builder().user("other", "pw2").start()) {
            Path big = a.write("incoming/big.bin", size, 31);
            Path small = b.write("small.bin", 100 * 1024, 32);
            // Server a is reached through a proxy: closed, its address refuses connections as a server that is down.
            FaultProxy proxy = FaultProxy.start(a.host(), a.port());
            int address = proxy.port();
            ServiceHarness h = new ServiceHarness(tmp.resolve("svc"), proxy.host(), address, a.user(), a.password());
            // One thread moves segments, for every transfer: a segment that waited out its server's outage on it
            // held every other transfer's segments.
            h.properties.put("ferry.segment-threads", "1");
            h.properties.put("ferry.servers.fixture.outage-wait", "300");
            h.properties.put("ferry.servers.other.host", b.host());
            h.properties.put("ferry.servers.other.port", String.valueOf(b.port()));
            h.properties.put("ferry.servers.other.user", "other");
            h.secrets.put("ferry.servers.other.password", "pw2");
            FaultProxy back = null;
            try (FerryService service = h.start()) {
                ApiClient api = new ApiClient(service.webUrl());
                String bigId = api.post("{\"remotePath\":\"big.bin\",\"localPath\":\"big.bin\",\"options\":"
                        + "{\"segments\":1}}");
                Await.until(Duration.ofSeconds(60), () -> api.transfer(bigId).path("bytesDone").asLong() >= 2L << 20,
                        () -> "not under way: " + api.get("api/transfers/" + bigId));
                proxy.close();
                String smallId = api.post("{\"server\":\"other\",\"remotePath\":\"/small.bin\",\"localPath\":"
                        + "\"small.bin\"}");
                Await.until(Duration.ofSeconds(60), () -> "done".equals(api.state(smallId)),
                        () -> "the transfer to the other server did not run: " + api.get("api/transfers/" + smallId));
                assertEquals(Hashes.sha256(small), Hashes.sha256(h.downloads().resolve("small.bin")));
                Await.until(Duration.ofSeconds(30), () -> "waiting".equals(api.state(bigId)),
                        () -> "not waiting: " + api.get("api/transfers/" + bigId));
                assertTrue(service.ledger().leases().holds(bigId), "this node keeps the waiting transfer's lease");
                long doneWhenCut = api.transfer(bigId).path("bytesDone").asLong();
                assertTrue(doneWhenCut >= (2L << 20) && doneWhenCut < size, "cut at " + doneWhenCut);

                a.resetCounters();
                back = FaultProxy.startOn(address, a.host(), a.port());
                Await.until(Duration.ofSeconds(120), () -> "done".equals(api.state(bigId)),
                        () -> "not resumed: " + api.get("api/transfers/" + bigId));
                assertEquals(Hashes.sha256(big), Hashes.sha256(h.downloads().resolve("big.bin")));
                // Resumed from its segment's last checkpoint, not started over.
                assertTrue(a.bytesSent() <= size - doneWhenCut + (1L << 20),
                        "sent after the outage: " + a.bytesSent() + " of " + size + ", " + doneWhenCut
                                + " done before");
            } finally {
                if (back != null) {
                    back.close();
                }
            }
        }
    }

    @Test
    void requestFilesForAServerOutOfReachWaitInTheirInboxAndRunWhenItAnswers() throws Exception {
        int gonePort = freePort();
        try (FtpServerFixture up = FtpServerFixture.builder().start()) {
            Path upFile = up.write("incoming/up.bin", 1L << 20, 8);
            ServiceHarness h = harness(up, gonePort, 300);
            // One thread runs request files: a request that waited out its server's outage on it held all the others.
            h.properties.put("ferry.inbox.parallel-transfers", "1");
            try (FerryService service = h.start()) {
                Path inbox = h.requestInbox();
                for (int i = 1; i <= 2; i++) {
                    ServiceHarness.writeJson(inbox, "gone" + i + ".json", "{\"server\":\"gone\",\"remotePath\":\"/g"
                            + i + ".bin\",\"localPath\":\"g" + i + ".bin\"}");
                }
                ServiceHarness.writeJson(inbox, "up.json", "{\"remotePath\":\"up.bin\",\"localPath\":\"up.bin\"}");
                Await.until(Duration.ofSeconds(60), () -> Files.exists(inbox.resolve(".done/up.json")),
                        () -> "the request for the server that is up did not run: " + ServiceHarness.list(inbox));
                assertEquals(Hashes.sha256(upFile), Hashes.sha256(h.downloads().resolve("up.bin")));
                // The waiting requests stay in the inbox, neither done nor failed, and say why.
                Await.until(Duration.ofSeconds(30), () -> service.engine().serverWaits().size() == 2,
                        () -> "not waiting: " + ServiceHarness.list(inbox));
                for (int i = 1; i <= 2; i++) {
                    assertTrue(Files.exists(inbox.resolve("gone" + i + ".json")), ServiceHarness.list(inbox));
                }
                assertTrue(Files.notExists(inbox.resolve(".failed")) || ServiceHarness.list(inbox.resolve(".failed"))
                        .isEmpty(), ServiceHarness.list(inbox));
                assertTrue(new ApiClient(service.webUrl()).get("api/transfers").contains("\"state\":\"waiting\""),
                        new ApiClient(service.webUrl()).get("api/transfers"));

                try (FtpServerFixture back = FtpServerFixture.builder().port(gonePort).user("nobody", "pw").start()) {
                    List<Path> sources = new ArrayList<>();
                    for (int i = 1; i <= 2; i++) {
                        sources.add(back.write("g" + i + ".bin", (1L << 20) + i, 40 + i));
                    }
                    Await.until(Duration.ofSeconds(90), () -> Files.exists(inbox.resolve(".done/gone1.json"))
                            && Files.exists(inbox.resolve(".done/gone2.json")),
                            () -> "not run once the server answered: " + ServiceHarness.list(inbox));
                    for (int i = 1; i <= 2; i++) {
                        assertEquals(Hashes.sha256(sources.get(i - 1)),
                                Hashes.sha256(h.downloads().resolve("g" + i + ".bin")));
                    }
                }
            }
        }
    }

    @Test
    void aWaitingRequestFileCorrectedByAPersonIsTakenAtOnce() throws Exception {
        try (FtpServerFixture up = FtpServerFixture.builder().start()) {
            Path upFile = up.write("incoming/up.bin", 200 * 1024, 9);
            ServiceHarness h = harness(up, freePort(), 300);
            try (FerryService service = h.start()) {
                Path inbox = h.requestInbox();
                ServiceHarness.writeJson(inbox, "fix.json", "{\"server\":\"gone\",\"remotePath\":\"/up.bin\"}");
                Await.until(Duration.ofSeconds(30), () -> service.engine().serverWaits().size() == 1,
                        () -> "not waiting: " + ServiceHarness.list(inbox));
                // The server's name was wrong: corrected in place, it is a new request, not held behind the old one.
                Path staged = tmp.resolve("fix.json");
                Files.writeString(staged, "{\"remotePath\":\"up.bin\",\"localPath\":\"fixed.bin\"}");
                Files.move(staged, inbox.resolve("fix.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Await.until(Duration.ofSeconds(30), () -> Files.exists(inbox.resolve(".done/fix.json")),
                        () -> "the corrected request did not run: " + ServiceHarness.list(inbox));
                assertEquals(Hashes.sha256(upFile), Hashes.sha256(h.downloads().resolve("fixed.bin")));
            }
        }
    }

    @Test
    void aRequestFileWhoseServerStaysAwayGoesToFailedWithTheReason() throws Exception {
        try (FtpServerFixture up = FtpServerFixture.builder().start()) {
            ServiceHarness h = harness(up, freePort(), 3);
            try (FerryService service = h.start()) {
                Path inbox = h.requestInbox();
                ServiceHarness.writeJson(inbox, "gone.json", "{\"server\":\"gone\",\"remotePath\":\"/g.bin\"}");
                Path reason = inbox.resolve(".failed/gone.json.error.txt");
                Await.until(Duration.ofSeconds(60), () -> Files.exists(reason),
                        () -> "not failed: " + ServiceHarness.list(inbox));
                String why = Files.readString(reason);
                assertTrue(why.contains("could not be reached for") && why.contains("outage-wait is 3 s"), why);
                // The reason is written before the request file is moved beside it.
                Await.until(Duration.ofSeconds(10), () -> Files.exists(inbox.resolve(".failed/gone.json")),
                        () -> "reason written, request not moved: " + ServiceHarness.list(inbox));
                assertEquals(0, service.engine().serverWaits().size());
            }
        }
    }

    @Test
    void aServerThatStaysAwayFailsItsWaitingTransferAfterItsOutageWait() throws Exception {
        try (FtpServerFixture up = FtpServerFixture.builder().start()) {
            ServiceHarness h = harness(up, freePort(), 3);
            try (FerryService service = h.start()) {
                ApiClient api = new ApiClient(service.webUrl());
                String id = api.post("{\"server\":\"gone\",\"remotePath\":\"/g.bin\",\"localPath\":\"g.bin\"}");
                Await.until(Duration.ofSeconds(60), () -> "failed".equals(api.state(id)),
                        () -> "not given up: " + api.get("api/transfers/" + id));
                TransferRecord r = service.ledger().find(id).orElseThrow();
                assertEquals(TransferStatus.FAILED, r.status());
                assertTrue(r.reason().contains("could not be reached for") && r.reason().contains("outage-wait is 3 s")
                        && r.reason().contains("g.bin"), r.reason());
                assertTrue(Files.notExists(h.downloads().resolve("g.bin")));
            }
        }
    }

    @Test
    void aWaitingTransferIsCancelledAtOnceAndWaitsAgainWhenResumed() throws Exception {
        try (FtpServerFixture up = FtpServerFixture.builder().start()) {
            ServiceHarness h = harness(up, freePort(), 300);
            try (FerryService service = h.start()) {
                ApiClient api = new ApiClient(service.webUrl());
                String id = api.post("{\"server\":\"gone\",\"remotePath\":\"/g.bin\",\"localPath\":\"g.bin\"}");
                Await.until(Duration.ofSeconds(30), () -> "waiting".equals(api.state(id)),
                        () -> "not waiting: " + api.get("api/transfers/" + id));
                assertTrue(api.transfer(id).path("here").asBoolean(), "waits here");
                HttpResponse<String> cancel = api.send("api/transfers/" + id + "/cancel", "");
                assertEquals(202, cancel.statusCode(), cancel.body());
                assertTrue(cancel.body().contains("cancelled at once"), cancel.body());
                assertEquals("cancelled", api.state(id));
                assertEquals(TransferStatus.CANCELLED, service.ledger().find(id).orElseThrow().status());
                assertEquals(0, service.engine().serverWaits().size());

                HttpResponse<String> resume = api.send("api/transfers/" + id + "/resume", "");
                assertEquals(202, resume.statusCode(), resume.body());
                Await.until(Duration.ofSeconds(30), () -> "waiting".equals(api.state(id)),
                        () -> "not waiting again: " + api.get("api/transfers/" + id));
            }
        }
    }

    private ServiceHarness harness(FtpServerFixture up, int gonePort, int outageWaitSeconds) {
        ServiceHarness h = new ServiceHarness(tmp.resolve("svc"), up);
        h.properties.put("ferry.transfer-consumers", "2");
        h.properties.put("ferry.servers.gone.host", "127.0.0.1");
        h.properties.put("ferry.servers.gone.port", String.valueOf(gonePort));
        h.properties.put("ferry.servers.gone.user", "nobody");
        h.properties.put("ferry.servers.gone.outage-wait", String.valueOf(outageWaitSeconds));
        h.secrets.put("ferry.servers.gone.password", "pw");
        return h;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
