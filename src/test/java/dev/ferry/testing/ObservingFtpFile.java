package dev.ferry.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.ftpserver.ftplet.FtpFile;

/**
 * An FtpFile that counts the bytes flowing through its streams and, in write-in-place mode, does what
 * vsftpd and proftpd ({@code AllowStoreRestart on}) do for {@code REST n} + {@code STOR}: write from n
 * without cutting the file there. Apache's own file calls {@code setLength(offset)} first, which destroys
 * every segment beyond the offset that another connection has already written.
 */
final class ObservingFtpFile implements FtpFile {

    private final FtpFile delegate;
    private final TransferCounters counters;
    private final boolean writeInPlace;

    ObservingFtpFile(FtpFile delegate, TransferCounters counters, boolean writeInPlace) {
        this.delegate = delegate;
        this.counters = counters;
        this.writeInPlace = writeInPlace;
    }

    static FtpFile unwrap(FtpFile file) {
        return file instanceof ObservingFtpFile ? ((ObservingFtpFile) file).delegate : file;
    }

    @Override
    public OutputStream createOutputStream(long offset) throws IOException {
        // Offset 0 (STOR without REST, or REST 0) truncates on the real servers too: vsftpd ftruncate()s
        // exactly when the offset is 0. Keeping that makes the fixture catch an uploader that starts
        // segment 0 after the others and wipes them.
        if (!writeInPlace || offset == 0) {
            return counters.countReceived(delegate.createOutputStream(offset));
        }
        if (!delegate.isWritable()) {
            throw new IOException("No write permission : " + delegate.getName());
        }
        File file = (File) delegate.getPhysicalFile();
        FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            channel.position(offset);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return counters.countReceived(Channels.newOutputStream(channel));
    }

    @Override
    public InputStream createInputStream(long offset) throws IOException {
        return counters.countSent(delegate.createInputStream(offset), delegate.getAbsolutePath(), offset);
    }

    @Override
    public boolean move(FtpFile destination) {
        // The native file casts its destination to its own class.
        return delegate.move(unwrap(destination));
    }

    @Override
    public List<? extends FtpFile> listFiles() {
        List<? extends FtpFile> files = delegate.listFiles();
        if (files == null) {
            return null;
        }
        return files.stream()
                .map(f -> new ObservingFtpFile(f, counters, writeInPlace))
                .collect(Collectors.toList());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ObservingFtpFile && delegate.equals(((ObservingFtpFile) other).delegate);
    }

    @Override
    public int hashCode() {
        return delegate.hashCode();
    }

    @Override
    public String toString() {
        return delegate.toString();
    }

    // Plain delegation below.

    @Override
    public String getAbsolutePath() {
        return delegate.getAbsolutePath();
    }

    @Override
    public String getName() {
        return delegate.getName();
    }

    @Override
    public boolean isHidden() {
        return delegate.isHidden();
    }

    @Override
    public boolean isDirectory() {
        return delegate.isDirectory();
    }

    @Override
    public boolean isFile() {
        return delegate.isFile();
    }

    @Override
    public boolean doesExist() {
        return delegate.doesExist();
    }

    @Override
    public boolean isReadable() {
        return delegate.isReadable();
    }

    @Override
    public boolean isWritable() {
        return delegate.isWritable();
    }

    @Override
    public boolean isRemovable() {
        return delegate.isRemovable();
    }

    @Override
    public String getOwnerName() {
        return delegate.getOwnerName();
    }

    @Override
    public String getGroupName() {
        return delegate.getGroupName();
    }

    @Override
    public int getLinkCount() {
        return delegate.getLinkCount();
    }

    @Override
    public long getLastModified() {
        return delegate.getLastModified();
    }

    @Override
    public boolean setLastModified(long time) {
        return delegate.setLastModified(time);
    }

    @Override
    public long getSize() {
        return delegate.getSize();
    }

    @Override
    public Object getPhysicalFile() {
        return delegate.getPhysicalFile();
    }

    @Override
    public boolean mkdir() {
        return delegate.mkdir();
    }

    @Override
    public boolean delete() {
        return delegate.delete();
    }
}
