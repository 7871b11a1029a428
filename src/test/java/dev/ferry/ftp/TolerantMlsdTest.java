package dev.ferry.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.apache.commons.net.ftp.FTPFile;
import org.junit.jupiter.api.Test;

/**
 * The MLSD lines real servers sent that commons-net's parser threw on or gave up on, as {@link TolerantMlsd} reads
 * them: named by what follows the facts, typed by {@code type=}. (The listing round trip is in
 * UnparsableListingLineTest and InteropTest.unreadableFolderInATree.)
 */
class TolerantMlsdTest {
    private final TolerantMlsd.Parser parser = new TolerantMlsd.Parser();

    @Test
    void aFolderTheUserMayNotReadAsProftpdListsIt() {
        FTPFile f = parser.parseFTPEntry("modify=20261205073149;perm=;type=dir;unique=FE00U20E512;UNIX.group=0;"
                + "UNIX.groupname=ferrytest;UNIX.mode=00;UNIX.owner=1001;UNIX.ownername=ferrytest; locked");
        assertEquals("locked", f.getName());
        assertEquals(FTPFile.DIRECTORY_TYPE, f.getType());
    }

    @Test
    void aSymbolicLinkIsALinkByItsName() {
        FTPFile f = parser.parseFTPEntry("modify=20261205073149;perm=adfr;type=OS.unix=symlink;unique=FE00U1; link");
        assertEquals("link", f.getName());
        assertEquals(FTPFile.SYMBOLIC_LINK_TYPE, f.getType());
    }

    @Test
    void whatCommonsNetReadsIsReadAsBefore() {
        FTPFile f = parser.parseFTPEntry("modify=20261201100000;perm=adfr;size=5000;type=file; a b.bin");
        assertEquals("a b.bin", f.getName());
        assertEquals(FTPFile.FILE_TYPE, f.getType());
        assertEquals(5000, f.getSize());
    }

    @Test
    void aLineWithoutFactsIsNotUnderstood() {
        assertNull(parser.parseFTPEntry("this line is not MLSD"));
        assertNull(parser.parseFTPEntry("line"));
    }
}
