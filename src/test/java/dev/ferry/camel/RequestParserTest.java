package dev.ferry.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.camel.RequestParser.Parsed;
import dev.ferry.camel.RequestParser.RequestException;
import dev.ferry.plan.Direction;
import org.junit.jupiter.api.Test;

class RequestParserTest {

    @Test
    void readsARequestWithDefaults() {
        Parsed p = RequestParser.parse("{\"remotePath\":\"/r/a.bin\",\"options\":{\"segments\":2}}", "req.json");
        assertEquals(Direction.DOWNLOAD, p.direction());
        assertNull(p.server());
        assertEquals("/r/a.bin", p.remotePath());
        assertEquals(2, p.options().segments());
    }

    /** Notepad's "UTF-8" starts the file with a byte-order mark: it was refused as "Unexpected character (65279)". */
    @Test
    void aRequestFileWithAByteOrderMarkIsRead(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path file = java.nio.file.Files.writeString(tmp.resolve("bom.json"),
                "\uFEFF{\"remotePath\":\"/r/b.bin\"}", java.nio.charset.StandardCharsets.UTF_8);
        try (org.apache.camel.impl.DefaultCamelContext camel = new org.apache.camel.impl.DefaultCamelContext()) {
            org.apache.camel.Exchange exchange = new org.apache.camel.support.DefaultExchange(camel);
            exchange.getIn().setBody(file.toFile());
            String text = RequestParser.requestFileText(exchange);
            assertEquals("/r/b.bin", RequestParser.parse(text, "bom.json").remotePath());
        }
        // A queue message's or an API call's body likewise (a review: refused there, read from a file).
        assertEquals("/r/c.bin", RequestParser.parse("\uFEFF{\"remotePath\":\"/r/c.bin\"}", "message").remotePath());
    }

    @Test
    void errorsNameTheRequestAndTheField() {
        assertMessage("{\"remotePath\":", "req.json", "req.json: malformed JSON");
        assertMessage("{\"server\":\"demo\"}", "req.json", "req.json: field 'remotePath' is missing");
        assertMessage("{\"remotePath\":7}", "req.json", "field 'remotePath' must be a string");
        assertMessage("{\"remotePath\":null}", "req.json", "req.json: field 'remotePath' is null; give it a string");
        assertMessage("{\"remotePath\":\"/a\",\"direction\":\"sideways\"}", "req.json", "field 'direction' is 'sideways'");
        assertMessage("{\"remotePath\":\"/a\",\"options\":{\"segments\":\"many\"}}", "req.json",
                "field 'options.segments' has the value 'many', which is not a whole number");
        assertMessage("{\"remotePath\":\"/a\",\"options\":{\"segmnts\":2}}", "req.json",
                "unknown field 'options.segmnts'");
        // In words, without Jackson's ("Cannot construct instance of `dev.ferry.plan.FileExist`, problem: ...").
        assertMessage("{\"remotePath\":\"/a\",\"options\":{\"fileExist\":\"Replace\"}}", "req.json",
                "req.json: field 'options.fileExist': fileExist 'Replace' is not one of Fail, Override, Ignore,"
                        + " TryRename");
        assertMessage("[1,2]", "req.json", "expected a JSON object, found array");
        assertMessage("", "req.json", "the request is empty");
    }

    /** A hostile review: a queue message or API body with bytes that are not UTF-8 made a file named "x9\uFFFD\uFFFD". */
    @Test
    void aBodyThatWasNotUtf8IsRefused() {
        String read = new String(new byte[] {'{', '"', 'r', 'e', 'm', 'o', 't', 'e', 'P', 'a', 't', 'h', '"', ':', '"',
            '/', 'x', (byte) 0xff, (byte) 0xfe, '"', '}'}, java.nio.charset.StandardCharsets.UTF_8);
        assertMessage(read, "queue", "queue: not valid UTF-8");
    }

    /**
     * A hostile review: an ftp:// URL with a password in a request's server or path fields was echoed by the API's
     * error, logged, stored in the ledger and the events (the path taken as "/ftp:/demo:Secret@..."). Refused, masked.
     */
    @Test
    void aUrlInAFieldIsRefusedWithItsPasswordMasked() {
        for (String field : new String[] {"server", "remotePath", "localPath"}) {
            String url = "\"ftp://demo:SuperSecretPW1@127.0.0.1:2121/a.bin\"";
            String json = field.equals("remotePath") ? "{\"remotePath\":" + url + "}"
                    : "{\"remotePath\":\"/a.bin\",\"" + field + "\":" + url + "}";
            RequestException e = org.junit.jupiter.api.Assertions.assertThrows(RequestException.class,
                    () -> RequestParser.parse(json, "api"));
            assertTrue(e.getMessage().contains("field '" + field + "' is a URL ('ftp://demo:****@127.0.0.1:2121/a.bin')"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("SuperSecretPW1"), e.getMessage());
        }
    }

    @Test
    void optionsOutOfRangeFractionsAndTrailingGarbageAreRefusedNamingTheFieldOrTheProblem() {
        assertMessage("{\"remotePath\":\"/a\",\"options\":{\"rateLimit\":-5}}", "req.json",
                "field 'options.rateLimit' must be 0 (no limit) or more, found -5");
        assertMessage("{\"remotePath\":\"/a\",\"options\":{\"maxAttempts\":-1}}", "req.json",
                "field 'options.maxAttempts' must be 1 or more, found -1");
        assertMessage("{\"remotePath\":\"/a\",\"options\":{\"segments\":4.7}}", "req.json",
                "field 'options.segments'");
        assertMessage("{\"remotePath\":\"/a\",\"options\":{\"segments\":4.7}}", "req.json", "whole number");
        assertMessage("{\"remotePath\":\"/a\"} {\"remotePath\":\"/b\"}", "req.json",
                "there is more after the JSON object");
        assertMessage("{\"remotePath\":\"/a\"} garbage", "req.json", "garbage");
        assertMessage("{\"remotePath\":\"/d1.bin\",\"localPath\":\"x\",\"remotePath\":\"/zero.bin\"}", "req.json",
                "Duplicate field 'remotePath'");
        assertMessage("{\"remotePath\":\"/a\",\"options\":{\"segments\":2,\"segments\":8}}", "req.json",
                "Duplicate field 'segments'");
        assertMessage("{\"remotePath\":\"/a\",\"localPath\":\"" + "x".repeat(70_000) + "\"}", "req.json",
                "request too large (max 64 KiB)");
    }

    /**
     * The README's "overwrite" at the top level was refused with a list of fields that left out the folder request's
     * six; the list now names every field a request may have, and the refusal says where overwrite goes.
     */
    @Test
    void anUnknownFieldIsRefusedNamingEveryAcceptedFieldAndWhereAnOptionGoes() {
        RequestException e = assertThrows(RequestException.class, () -> RequestParser.parse(
                "{\"remotePath\":\"/a\",\"overwrite\":true}", "req.json"));
        assertTrue(e.getMessage().contains("unknown field 'overwrite' ('overwrite' is an option: "
                + "\"options\":{\"overwrite\": ...})"), e.getMessage());
        for (String field : new String[] {"direction", "server", "remotePath", "localPath", "options", "recursive",
                "include", "exclude", "newerThan", "delete", "relist"}) {
            assertTrue(e.getMessage().contains(field), field + " missing from: " + e.getMessage());
        }
        assertTrue(RequestParser.parse("{\"remotePath\":\"/a\",\"options\":{\"overwrite\":true}}", "req.json")
                .options().fileExist() == dev.ferry.plan.FileExist.OVERRIDE, "options.overwrite, as the README says");
        assertMessage("{\"remotePath\":\"/a.bin\",\"include\":\"*.txt\"}", "req.json",
                "field 'include' is for a folder request");
    }

    private static void assertMessage(String json, String source, String expected) {
        RequestException e = assertThrows(RequestException.class, () -> RequestParser.parse(json, source));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().startsWith(source), e.getMessage());
    }
}
