package dev.ferry.testing;

import org.apache.ftpserver.ftplet.FileSystemFactory;
import org.apache.ftpserver.ftplet.FileSystemView;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpFile;
import org.apache.ftpserver.ftplet.User;

/**
 * Decorates Apache FtpServer's native file system so the fixture can count transferred bytes and, when
 * asked, write REST+STOR in place. Everything else (paths, listings, permissions) stays the real
 * implementation, so the server behaves as it would in production.
 */
final class ObservingFileSystemFactory implements FileSystemFactory {

    private final FileSystemFactory delegate;
    private final TransferCounters counters;
    private final boolean writeInPlace;

    ObservingFileSystemFactory(FileSystemFactory delegate, TransferCounters counters, boolean writeInPlace) {
        this.delegate = delegate;
        this.counters = counters;
        this.writeInPlace = writeInPlace;
    }

    @Override
    public FileSystemView createFileSystemView(User user) throws FtpException {
        return new View(delegate.createFileSystemView(user));
    }

    private final class View implements FileSystemView {
        private final FileSystemView view;

        View(FileSystemView view) {
            this.view = view;
        }

        private FtpFile wrap(FtpFile file) {
            return file == null ? null : new ObservingFtpFile(file, counters, writeInPlace);
        }

        @Override
        public FtpFile getHomeDirectory() throws FtpException {
            return wrap(view.getHomeDirectory());
        }

        @Override
        public FtpFile getWorkingDirectory() throws FtpException {
            return wrap(view.getWorkingDirectory());
        }

        @Override
        public boolean changeWorkingDirectory(String dir) throws FtpException {
            return view.changeWorkingDirectory(dir);
        }

        @Override
        public FtpFile getFile(String file) throws FtpException {
            return wrap(view.getFile(file));
        }

        @Override
        public boolean isRandomAccessible() throws FtpException {
            return view.isRandomAccessible();
        }

        @Override
        public void dispose() {
            view.dispose();
        }
    }
}
