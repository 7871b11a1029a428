package dev.ferry.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.camel.RequestParser;
import dev.ferry.camel.RequestParser.RequestException;
import org.junit.jupiter.api.Test;

/** fileExist as camel-file spells it, with "overwrite" as its old alias; the default refuses to replace. */
class FileExistOptionTest {

    @Test
    void theDefaultIsFailAndOverwriteIsAnAlias() {
        assertEquals(FileExist.FAIL, TransferOptions.none().over(TransferOptions.DEFAULTS).fileExist());
        assertEquals(FileExist.OVERRIDE, options("{\"overwrite\":true}").fileExist());
        assertEquals(FileExist.FAIL, options("{\"overwrite\":false}").fileExist());
        for (String spelled : new String[] {"Fail", "Override", "Ignore", "TryRename", "override", "TRYRENAME"}) {
            assertEquals(FileExist.parse(spelled), options("{\"fileExist\":\"" + spelled + "\"}").fileExist(), spelled);
        }
        // A request's choice wins over the service's default.
        assertEquals(FileExist.IGNORE, options("{\"fileExist\":\"Ignore\"}")
                .over(TransferOptions.none().withFileExist(FileExist.OVERRIDE)).fileExist());
    }

    @Test
    void theLedgerStoresFileExistOnlyAndReadsOldRequests() {
        TransferRequest old = Requests.fromJson("{\"direction\":\"DOWNLOAD\",\"server\":\"s\",\"remotePath\":\"/a\","
                + "\"localPath\":\"/tmp/a\",\"options\":{\"overwrite\":true}}");
        assertEquals(FileExist.OVERRIDE, old.options().fileExist());
        String json = Requests.toJson(old);
        assertTrue(json.contains("\"fileExist\":\"Override\""), json);
        assertFalse(json.contains("overwrite"), json);
        assertEquals(old, Requests.fromJson(json));
    }

    @Test
    void aWrongValueOrAContradictionIsRefusedNamingTheField() {
        RequestException e = assertThrows(RequestException.class, () -> RequestParser.parse(
                "{\"remotePath\":\"/a\",\"options\":{\"fileExist\":\"Replace\"}}", "req.json"));
        assertTrue(e.getMessage().startsWith("req.json") && e.getMessage().contains("fileExist")
                && e.getMessage().contains("Override"), e.getMessage());
        e = assertThrows(RequestException.class, () -> RequestParser.parse(
                "{\"remotePath\":\"/a\",\"options\":{\"fileExist\":\"Fail\",\"overwrite\":true}}", "req.json"));
        assertTrue(e.getMessage().contains("disagree"), e.getMessage());
    }

    private static TransferOptions options(String json) {
        return RequestParser.parse("{\"remotePath\":\"/a\",\"options\":" + json + "}", "req.json").options();
    }
}
