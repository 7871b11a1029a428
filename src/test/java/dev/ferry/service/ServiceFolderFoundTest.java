package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.ledger.TreeListings;
import dev.ferry.plan.Direction;
import dev.ferry.testing.Await;
import dev.ferry.testing.FtpServerFixture;
import dev.ferry.tree.TreeRun;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: a download request whose remotePath names a folder without the trailing / (and without "recursive") runs
 * as that folder's tree — the same tree, by id, as with the / — from a request file, the queue and the API; a path
 * that is neither still fails as not found.
 */
class ServiceFolderFoundTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static FtpServerFixture ftp;
    static FerryService service;
    static ServiceHarness harness;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        ftp = FtpServerFixture.builder().start();
        for (String dir : new String[] {"byfile", "byqueue", "byapi"}) {
            ftp.write(dir + "/a.bin", 10_000, 1);
            ftp.write(dir + "/sub/b.bin", 0, 2);
            ftp.write(dir + "/sub/deep/c.bin", 300_000, 3);
        }
        harness = new ServiceHarness(tmp.resolve("svc"), ftp);
        harness.properties.put("ferry.inbox.read-lock-min-age", "100");
        harness.properties.put("ferry.servers.fixture.remote-dir", "/rd");
        service = harness.start();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (ftp != null) {
            ftp.close();
        }
    }

    /** The tree a request with the trailing / would have run, and it ended DONE with every file's SHA-256. */
    private static void ranAsTree(String dir) throws Exception {
        Path local = harness.downloads().resolve(dir);
        String id = TreeRun.idOf(Direction.DOWNLOAD, "fixture", "/" + dir + "/", local);
        Await.until(WAIT, () -> {
            TreeListings.TreeRecord r = service.ledger().treeListings().get(id);
            return r != null && "DONE".equals(r.status());
        }, () -> String.valueOf(service.ledger().treeListings().recent(10)));
        assertEquals(ServiceTreeSubmitTest.hashes(ftp.file(dir)), ServiceTreeSubmitTest.hashes(local));
        assertEquals(3, ServiceTreeSubmitTest.hashes(local).size());
    }

    @Test
    void aRequestFileNamingAFolderRunsItsTree() throws Exception {
        Path requests = harness.requestInbox();
        ServiceHarness.writeJson(requests, "folder.json", "{\"remotePath\":\"/byfile\",\"localPath\":\"byfile\"}");
        Await.until(WAIT, () -> Files.exists(requests.resolve(".done/folder.json")),
                () -> String.valueOf(service.ledger().treeListings().recent(10)));
        ranAsTree("byfile");
        // Again: the folder it made locally is no "target is a directory" refusal; the tree runs and moves nothing.
        ftp.resetCounters();
        ServiceHarness.writeJson(requests, "again.json", "{\"remotePath\":\"/byfile\",\"localPath\":\"byfile\"}");
        Await.until(WAIT, () -> Files.exists(requests.resolve(".done/again.json")),
                () -> String.valueOf(service.ledger().treeListings().recent(10)));
        assertEquals(0, ftp.commandCount("RETR"), "the second run reads no file");

        ServiceHarness.writeJson(requests, "nothing.json", "{\"remotePath\":\"/nothing\",\"localPath\":\"nothing\"}");
        Path reason = requests.resolve(".failed/nothing.json.error.txt");
        Await.until(WAIT, () -> Files.exists(reason), () -> "no reason file");
        String text = Files.readString(reason);
        assertTrue(text.contains("/nothing") && text.contains("not found"), text);
    }

    @Test
    void aQueuedRequestNamingAFolderRunsItsTree() throws Exception {
        service.camelContext().createProducerTemplate().sendBody("seda:ferry-requests",
                "{\"remotePath\":\"/byqueue\",\"localPath\":\"byqueue\"}");
        ranAsTree("byqueue");
    }

    @Test
    void aFolderPostedWithoutTheSlashRunsItsTreeAndItsTransferSaysSo() throws Exception {
        String base = service.webUrl();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "api/transfers"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"remotePath\":\"/byapi\",\"localPath\":\"byapi\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
        ranAsTree("byapi");
        String id = JSON.readTree(r.body()).get("id").asText();
        String treeId = TreeRun.idOf(Direction.DOWNLOAD, "fixture", "/byapi/", harness.downloads().resolve("byapi"));
        JsonNode file = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "api/transfers/" + id))
                .GET().build(), HttpResponse.BodyHandlers.ofString()).body());
        assertTrue(file.toString().contains("runs as tree " + treeId), file.toString());
    }

    @Test
    void aRequestFileWhoseFolderRanAsATreeLeavesThatTreesFilesToIt() throws Exception {
        // After a kill -9, recovery must see the tree a waiting request file (no trailing /) runs again.
        Path inbox = tmp.resolve("recovery-inbox");
        Files.createDirectories(inbox);
        ServiceHarness.writeJson(inbox, "folder.json", "{\"remotePath\":\"/again\",\"localPath\":\"again\"}");
        String treeId = TreeRun.idOf(Direction.DOWNLOAD, "fixture", "/again/", harness.downloads().resolve("again"));
        service.ledger().treeListings().begin(treeId, Direction.DOWNLOAD, "fixture", "/again",
                harness.downloads().resolve("again").toString(), false);
        Recovery.RequestFiles found = Recovery.requestFiles(
                service.camelContext().getComponent("ferry", dev.ferry.camel.FerryComponent.class),
                service.camelContext().getRegistry().lookupByNameAndType("ferryTrees", dev.ferry.tree.TreeRequests.class),
                inbox);
        assertTrue(found.trees().contains(treeId), found.toString());
    }

    @Test
    void aFileRequestFoundToBeAFolderIsTheTreeOfTheRequestWithTheSlash() {
        dev.ferry.camel.FerryComponent files = service.camelContext().getComponent("ferry",
                dev.ferry.camel.FerryComponent.class);
        dev.ferry.tree.TreeRequests trees = service.camelContext().getRegistry().lookupByNameAndType("ferryTrees",
                dev.ferry.tree.TreeRequests.class);
        // A relative remotePath lies in the remote-dir, and "in/" means "into in, under the remote name", either way.
        for (String[] form : new String[][] {{"photos", "in/"}, {"/rd/photos", "in/"}, {"photos", "pics"}}) {
            String file = "{\"remotePath\":\"" + form[0] + "\",\"localPath\":\"" + form[1] + "\"}";
            String folder = "{\"remotePath\":\"" + form[0] + "/\",\"localPath\":\"" + form[1] + "\"}";
            String found = trees.treeIdOf(trees.folderRequest(files.resolveRequestFile(file, "file")), "file");
            assertEquals(trees.treeIdOf(folder, "folder"), found, file);
        }
        Path in = harness.downloads().resolve("in/photos").toAbsolutePath().normalize();
        assertEquals(TreeRun.idOf(Direction.DOWNLOAD, "fixture", "/rd/photos/", in),
                trees.treeIdOf("{\"remotePath\":\"photos/\",\"localPath\":\"in/\"}", "folder"));
    }
}
