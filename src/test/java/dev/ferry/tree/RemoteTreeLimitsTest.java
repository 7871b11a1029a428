package dev.ferry.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.net.ftp.FTPFile;
import org.junit.jupiter.api.Test;

/**
 * A listing that never ends: 150,000 entries in one folder stop at the entry limit with one refusal that says how
 * many were left, and the walk takes no more than the limit. (The listing's bytes come from the tests against real
 * servers; this is the walker's own bound.)
 */
class RemoteTreeLimitsTest {
    @Test
    void entriesPastTheLimitAreRefusedInOneLineNotHeld() throws Exception {
        Calendar now = Calendar.getInstance();
        ListingSource huge = (dir, each) -> {
            for (int i = 0; i < 150_000; i++) {
                FTPFile f = new FTPFile();
                f.setName("f" + i);
                f.setType(FTPFile.FILE_TYPE);
                f.setSize(i);
                f.setTimestamp(now);
                each.accept(f);
            }
            return true;
        };
        AtomicInteger files = new AtomicInteger();
        List<String> refused = new ArrayList<>();
        new RemoteTree(huge, new TreeLimits(32, 100_000, 1)).walk("/big", new RemoteTree.Visitor() {
            @Override public boolean folder(String relative) {
                return true;
            }
            @Override public void file(TreeEntry entry) { files.incrementAndGet(); }
            @Override public void refused(String relative, String reason) { refused.add(relative + ": " + reason); }
        });
        assertEquals(100_000, files.get());
        assertEquals(1, refused.size(), refused.toString());
        assertTrue(refused.get(0).contains("50000 entries not taken"), refused.get(0));
    }
}
