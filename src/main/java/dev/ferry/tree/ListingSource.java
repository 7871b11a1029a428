package dev.ferry.tree;

import java.io.IOException;
import java.util.function.Consumer;
import org.apache.commons.net.ftp.FTPFile;

/** Where a remote directory's entries come from: a real server's MLSD or LIST ({@link PooledListing}). */
public interface ListingSource {
    /**
     * Hands the entries of {@code dir} (an absolute remote path) to {@code each}, null for a line nobody could parse.
     *
     * @return true when the times are exact (MLSD)
     * @throws dev.ferry.ftp.RemoteNotFoundException when the directory is not there
     */
    boolean list(String dir, Consumer<FTPFile> each) throws IOException;

    /**
     * Whether {@code dir} can be entered (CWD). Asked of a folder that listed as empty: vsftpd and proftpd list a
     * folder the user may read but not enter (mode 644) as empty instead of refusing, and mirror's delete must not
     * take that for a folder with nothing in it.
     */
    default boolean enterable(String dir) throws IOException {
        return true;
    }
}
