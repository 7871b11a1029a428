package dev.ferry.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NearestKeyTest {
    @Test
    void countsInsertionsDeletionsSubstitutionsAndSwapsOnceEach() {
        assertEquals(0, NearestKey.distance("port", "port"));
        assertEquals(1, NearestKey.distance("prot", "port"), "a swap of neighbours is one edit");
        assertEquals(1, NearestKey.distance("uplaod", "upload"));
        assertEquals(2, NearestKey.distance("passwd", "password"));
        assertEquals(1, NearestKey.distance("hots", "host"));
        assertEquals(1, NearestKey.distance("Port", "pot"), "case is ignored");
        assertEquals(4, NearestKey.distance("", "port"));
        assertEquals(3, NearestKey.distance("kitten", "sitting"));
    }

    @Test
    void comparesSegmentBySegmentWhenTheCountsAgreeElseTheWholeKey() {
        assertEquals(1, NearestKey.keyDistance("ferry.inbx.upload", "ferry.inbox.upload"));
        assertEquals(2, NearestKey.keyDistance("ferry.inbox.uplaod", "ferry.inbax.upload"));
        assertEquals(1, NearestKey.keyDistance("ferry.inbox-upload", "ferry.inbox.upload"), "one segment fewer");
    }

    @Test
    void suggestsOnlyWhatIsCloseEnoughToBeATypo() {
        List<String> known = List.of("ferry.servers.x.port", "ferry.servers.x.password", "ferry.servers.x.host");
        assertEquals(Optional.of("ferry.servers.x.port"), NearestKey.among("ferry.servers.x.prot", known));
        assertEquals(Optional.of("ferry.servers.x.password"), NearestKey.among("ferry.servers.x.passwd", known));
        assertEquals(Optional.of("ferry.servers.x.host"), NearestKey.among("ferry.servers.x.hots", known));
        assertEquals(Optional.empty(), NearestKey.among("ferry.servers.x.colour", known));
        assertEquals(Optional.empty(), NearestKey.among("ferry.servers.x.pt", known), "two edits off a 2-letter word");
        assertEquals(Optional.empty(), NearestKey.among("ferry.servers.x.port", known), "a known key is no typo");
    }

    @Test
    void allowsMoreEditsForLongerWordsUpToThree() {
        assertEquals(1, NearestKey.limit("ferry.servers.x.tls"));
        assertEquals(2, NearestKey.limit("ferry.servers.x.passwd"));
        assertEquals(3, NearestKey.limit("ferry.inbox.read-lock-min-age"));
    }
}
