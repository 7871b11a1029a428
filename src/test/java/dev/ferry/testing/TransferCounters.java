package dev.ferry.testing;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes the FTP server actually read from or wrote to its files. Counted as they pass, so an aborted
 * transfer counts what it moved before it broke: that is what a resume test needs to prove that a
 * resumed download did not fetch the whole file again.
 */
final class TransferCounters {

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final List<FtpServerFixture.Read> reads = new CopyOnWriteArrayList<>();

    long sent() {
        return sent.get();
    }

    long received() {
        return received.get();
    }

    List<FtpServerFixture.Read> reads() {
        return List.copyOf(reads);
    }

    void reset() {
        sent.set(0);
        received.set(0);
        reads.clear();
    }

    InputStream countSent(InputStream in, String path, long offset) {
        FtpServerFixture.Read read = new FtpServerFixture.Read(path, offset, new AtomicLong());
        reads.add(read);
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    sent.incrementAndGet();
                    read.counted().incrementAndGet();
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n > 0) {
                    sent.addAndGet(n);
                    read.counted().addAndGet(n);
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                // Skipped bytes were not served; the server positions with createInputStream(offset) anyway.
                return in.skip(n);
            }
        };
    }

    OutputStream countReceived(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                received.incrementAndGet();
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                // FilterOutputStream would write byte by byte.
                out.write(b, off, len);
                received.addAndGet(len);
            }
        };
    }
}
