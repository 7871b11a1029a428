package dev.ferry.service;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile review: overlapping folders were accepted at start. A download-dir that was the upload inbox had each
 * downloaded file uploaded back and filed in .done/; one inside it was taken as a folder drop and moved away; a request
 * inbox that was the upload inbox sent each request file to the server and ran it, filing it in .done/ and .failed/.
 */
class FolderOverlapTest {
    @TempDir
    Path tmp;

    private ServiceHarness harness() {
        // Nothing is sent: the server is never asked.
        return new ServiceHarness(tmp.resolve("svc"), "127.0.0.1", 1, "u", "p").writeConfig();
    }

    private String refused(ServiceHarness h, Map<String, String> overrides) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> FerryService.start(FerrySettings.load(h.config, overrides), null).close());
        String m = e.getMessage();
        assertFalse(m.contains("\n"), "one line: " + m);
        assertTrue(m.contains("give the upload inbox, the request inbox and the download folder a folder each"), m);
        assertFalse(Files.exists(h.data), "refused before any folder is made: " + ServiceHarness.list(h.data));
        return m;
    }

    /**
     * With no server configured the demo server serves ferry.demo.root: as the upload inbox, each upload was published
     * into the inbox and dropped again; as the download folder, a download's source was its own target.
     */
    @Test
    void theDemoServersRootIsOneMoreFolderApartWhenItRuns() {
        ServiceHarness h = harness();
        h.properties.keySet().removeIf(k -> k.startsWith("ferry.servers.") || k.equals("ferry.default-server"));
        h.secrets.clear();
        h.properties.put("ferry.demo.port", "0");
        h.writeConfig();
        String m = refused(h, Map.of("ferry.demo.root", h.uploadInbox().toString()));
        assertTrue(m.contains("ferry.inbox.upload = " + h.uploadInbox() + " (default) is the same folder as"
                + " ferry.demo.root = " + h.uploadInbox() + " (argument --ferry.demo.root)"), m);
        assertTrue(m.contains("and ftp-root for ferry.demo.root, the demo server's files"), m);
        m = refused(h, Map.of("ferry.demo.root", h.downloads().resolve("srv").toString()));
        assertTrue(m.contains("ferry.demo.root = " + h.downloads().resolve("srv") + " (argument --ferry.demo.root) is"
                + " inside ferry.download-dir"), m);
    }

    @Test
    void aDownloadFolderThatIsTheUploadInboxIsRefusedNamingBothKeys() {
        ServiceHarness h = harness();
        String m = refused(h, Map.of("ferry.download-dir", h.uploadInbox().toString()));
        assertTrue(m.contains("ferry.inbox.upload = " + h.uploadInbox() + " (default) is the same folder as"
                + " ferry.download-dir = " + h.uploadInbox() + " (argument --ferry.download-dir)"), m);
    }

    @Test
    void aDownloadFolderInsideTheUploadInboxIsRefused() {
        ServiceHarness h = harness();
        Path inside = h.uploadInbox().resolve("dl");
        System.setProperty("ferry.download-dir", inside.toString());
        try {
            String m = refused(h, Map.of());
            assertTrue(m.contains("ferry.download-dir = " + inside + " (system property -Dferry.download-dir) is"
                    + " inside ferry.inbox.upload = " + h.uploadInbox()), m);
        } finally {
            System.clearProperty("ferry.download-dir");
        }
    }

    @Test
    void aRequestInboxThatIsTheUploadInboxIsRefused() {
        ServiceHarness h = harness();
        String m = refused(h, Map.of("ferry.inbox.requests", h.uploadInbox() + "/./"));
        assertTrue(m.contains("ferry.inbox.upload = " + h.uploadInbox() + " (default) is the same folder as"
                + " ferry.inbox.requests = " + h.uploadInbox()), m);
    }

    @Test
    void anUploadInboxInsideTheDownloadFolderIsRefused() {
        ServiceHarness h = harness();
        String m = refused(h, Map.of("ferry.inbox.upload", h.downloads().resolve("in").toString()));
        assertTrue(m.contains("ferry.inbox.upload = " + h.downloads().resolve("in") + " (argument"
                + " --ferry.inbox.upload) is inside ferry.download-dir = " + h.downloads()), m);
    }

    @Test
    void aLinkToTheUploadInboxIsTheSameFolder() throws Exception {
        ServiceHarness h = harness();
        Path inbox = Files.createDirectories(tmp.resolve("real/inbox"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), tmp.resolve("real"));
        Path viaLink = link.resolve("inbox/dl");
        String m = refused(h, Map.of("ferry.inbox.upload", inbox.toString(), "ferry.download-dir",
                viaLink.toString()));
        assertTrue(m.contains("ferry.download-dir = " + viaLink + " (argument --ferry.download-dir, "
                + inbox.toRealPath().resolve("dl") + " through a link) is inside ferry.inbox.upload = " + inbox), m);
    }

    @Test
    void foldersSideBySideStartEvenWhenOneNameBeginsWithAnother() throws Exception {
        ServiceHarness h = harness();
        // Compared folder by folder, not as text: inbox/upload-dl is beside inbox/upload.
        Path beside = h.data.resolve("inbox/upload-dl");
        try (FerryService service = FerryService.start(FerrySettings.load(h.config,
                Map.of("ferry.download-dir", beside.toString())), null)) {
            assertTrue(Files.isDirectory(beside));
        }
    }
}
