package dev.ferry.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A review of the dead letter's masking: a pattern over the raw text missed passwords written in JSON's escapes
 * ({@code :\/\/}, {@code \u003a}, {@code \"}), and those holding {@code /}, a space or {@code @}. JSON is read, so
 * every string is masked as it means, whatever its escapes.
 */
class UrlsTest {
    @Test
    void everyPasswordInAJsonBodyIsMaskedWhateverItsEscapes() {
        String[] bodies = {
            "{\"remotePath\":\"ftp:\\/\\/alice:Leak1@127.0.0.1/r.txt\"}",
            "{\"remotePath\":\"ftp://alice:Le/ak2@127.0.0.1/r.txt\"}",
            "{\"remotePath\":\"ftp://alice:Le ak3@127.0.0.1/r.txt\"}",
            "{\"remotePath\":\"ftp://alice:Le@ak4@127.0.0.1/r.txt\"}",
            "{\"remotePath\":\"ftp://alice:Le\\\"ak5@127.0.0.1/r.txt\"}",
            "{\"remotePath\":\"ftp\\u003a//alice:Leak6@127.0.0.1/r.txt\"}",
            "{\"remotePath\":\"ftp://alice:Leak7@127.0.0.1/r.txt\"}",
            "{\"a\":[{\"b\":\"sftp://bob:Leak8@h/x\"}],\"localPath\":\"x\"}",
        };
        for (String body : bodies) {
            String masked = Urls.maskedIn(body);
            assertFalse(masked.contains("Le") && masked.contains("ak"), body + " -> " + masked);
            assertTrue(masked.contains("****@"), body + " -> " + masked);
        }
        assertEquals("{\"remotePath\":\"ftp://alice:****@127.0.0.1/r.txt\"}",
                Urls.maskedIn("{\"remotePath\":\"ftp://alice:Le/ak2@127.0.0.1/r.txt\"}"));
    }

    @Test
    void textThatIsNotJsonIsMaskedByItsLookAndABodyWithoutPasswordsIsLeftAsItIs() {
        assertEquals("{\"remotePath\": \"ftp://alice:****@127.0.0.1/r.txt\"",
                Urls.maskedIn("{\"remotePath\": \"ftp://alice:Le@ak9@127.0.0.1/r.txt\""));
        assertEquals("not json ftp:\\/\\/a:****@h/x", Urls.maskedIn("not json ftp:\\/\\/a:Leak10@h/x"));
        String plain = "{ \"remotePath\" : \"/reports/a.bin\",\n  \"localPath\":\"a.bin\" }";
        assertEquals(plain, Urls.maskedIn(plain), "unchanged, byte for byte");
        assertEquals("mail me: a@b.c, time 10:30", Urls.maskedIn("mail me: a@b.c, time 10:30"));
    }
}
