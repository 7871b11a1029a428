package dev.ferry.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.net.ftp.FTPFileFilters;
import org.apache.commons.net.ftp.FTPListParseEngine;
import org.junit.jupiter.api.Test;

/**
 * Listings whose names hold a line break, as real servers sent them (bytes taken from proftpd 1.3.8 and vsftpd 3.0.3),
 * read into one entry per file. (The round trip against the servers: InteropTest.nameWithALineBreakInATree.)
 */
class ListingLinesTest {
    private static final String FACTS = "modify=20261205093534;perm=adfrw;size=1;type=file;unique=FE00U51767B;";

    private static List<String> names(FTPListParseEngine engine, String listing) throws Exception {
        engine.readServerList(new ByteArrayInputStream(listing.getBytes(StandardCharsets.UTF_8)), "UTF-8");
        return Arrays.stream(engine.getFiles(FTPFileFilters.ALL)).map(f -> f == null ? null : f.getName()).toList();
    }

    @Test
    void proftpdsMlsdSendsTheNamesLfAsCrlf() throws Exception {
        String listing = FACTS + " a\r\nb.bin\r\n" + FACTS + " c\rd.bin\r\n" + FACTS + " ok.bin\r\n";
        assertEquals(List.of("a\nb.bin", "c\rd.bin", "ok.bin"), names(new FTPListParseEngine(new TolerantMlsd.Parser()),
                listing));
    }

    @Test
    void anMlsdLineWithoutFactsContinuesTheNameBeforeIt() throws Exception {
        // A line that is not MLSD after an entry cannot be told from proftpd's CRLF in a name: the entry is then
        // refused by that name (a line break), never requested by the part before the break
        String listing = "not MLSD\r\n" + FACTS + " sub\r\nmore\r\n" + FACTS + " ok.bin\r\n";
        List<String> names = names(new FTPListParseEngine(new TolerantMlsd.Parser()), listing);
        assertEquals(Arrays.asList(null, "sub\nmore", "ok.bin"), names);
    }

    @Test
    void vsftpdsListSendsTheNameAsItIs() throws Exception {
        String line = "-rw-r--r--    1 1001     0               1 Dec 05 09:35 ";
        String listing = "drwxr-xr-x    2 1001     0            4096 Dec 05 09:35 .\r\n"
                + line + "a\nb.bin\r\n" + line + "c\rd.bin\r\n" + line + "ok.bin\r\n";
        FTPListParseEngine engine = new FTPListParseEngine(
                new ListingLines.ListParsers().createFileEntryParser("UNIX Type: L8"));
        assertEquals(List.of(".", "a\nb.bin", "c\rd.bin", "ok.bin"), names(engine, listing));
    }

    @Test
    void aServerThatEndsLinesWithLfAloneIsReadLineByLine() throws Exception {
        String listing = FACTS + " one.bin\n" + FACTS + " two.bin\n";
        assertEquals(List.of("one.bin", "two.bin"), names(new FTPListParseEngine(new TolerantMlsd.Parser()), listing));
        String line = "-rw-r--r--    1 1001     0               1 Dec 05 09:35 ";
        FTPListParseEngine engine = new FTPListParseEngine(
                new ListingLines.ListParsers().createFileEntryParser("UNIX Type: L8"));
        assertEquals(List.of("one.bin", "two.bin"), names(engine, line + "one.bin\n" + line + "two.bin\n"));
    }

    @Test
    void eachListingStartsAfresh() throws Exception {
        // a parser is kept across listings by its client: a CRLF listing does not make the next LF one's breaks names'
        TolerantMlsd.Parser parser = new TolerantMlsd.Parser();
        assertEquals(List.of("x.bin"), names(new FTPListParseEngine(parser), FACTS + " x.bin\r\n"));
        assertEquals(List.of("one.bin", "two.bin"), names(new FTPListParseEngine(parser),
                FACTS + " one.bin\n" + FACTS + " two.bin\n"));
    }
}
