package dev.ferry.ftp;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPFileEntryParser;
import org.apache.commons.net.ftp.FTPFileEntryParserImpl;
import org.apache.commons.net.ftp.parser.DefaultFTPFileEntryParserFactory;

/**
 * A listing's lines where a remote name may hold a line break. commons-net ends a line at any CR or LF, so a file
 * named "a\nb.bin" was read as a file "a" (requested, "No such file", its part file left behind) and a line it could
 * not parse. Servers end listing lines with CRLF and send the name's own bytes as they are (vsftpd's and proftpd's
 * LIST), so once a listing has ended a line with CRLF, a bare LF or CR is the name's and the entry is refused by name
 * (plan.PathGuard: a line break). proftpd's MLSD turns the name's LF into CRLF as well: there an MLSD line that does
 * not begin with facts is the rest of the name before it ({@link #joinMlsdContinuations}).
 */
final class ListingLines {
    /**
     * Lines one listing is read to, at most. commons-net holds a listing's lines until it has them all, so a server
     * whose listing never ends (or sends millions of lines) took the heap and never let the walk go on (a hostile
     * review: 6 GiB in 12 minutes, deaf to SIGTERM). Twice a tree's entry limit ({@code tree.TreeLimits}): a listing
     * cut here has already given more entries than a tree takes, so its folder counts as not whole (nothing deleted
     * for what it lacks) and the entries past the limit are reported not taken.
     */
    static final int MAX_LINES = 200_000;
    /** Set on the listing thread when its listing was cut at {@link #MAX_LINES}; {@link #takeCut} reads and clears it. */
    private static final ThreadLocal<Boolean> CUT = new ThreadLocal<>();
    private BufferedReader reader;
    private boolean endsWithCrlf;
    private int count;

    /**
     * The next line of the listing {@code in} reads, or null at its end. A parser is kept by its client across
     * listings, each read through a reader of its own: a new reader starts afresh.
     */
    String next(BufferedReader in) throws IOException {
        if (in != reader) {
            reader = in;
            endsWithCrlf = false;
            count = 0;
        }
        if (++count > MAX_LINES) {
            CUT.set(Boolean.TRUE);
            return null; // the end, as far as this listing is read; the caller closes the data connection
        }
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c != '\n') {
                line.append((char) c);
                continue;
            }
            int last = line.length() - 1;
            if (last >= 0 && line.charAt(last) == '\r') {
                endsWithCrlf = true;
                line.setLength(last);
                return line.toString();
            }
            if (!endsWithCrlf) {
                return line.toString(); // a server that ends its lines with LF alone
            }
            line.append('\n');
        }
        return line.length() > 0 ? line.toString() : null;
    }

    /** Whether the listing this thread read last was cut at {@link #MAX_LINES}; clears the mark. */
    static boolean takeCut() {
        boolean cut = CUT.get() != null;
        CUT.remove();
        return cut;
    }

    /**
     * An MLSD line is facts, a space and the name (RFC 3659: "fact=value;" and so on, or only the space): one that
     * begins otherwise continues the name of the line before it, whose line break the server sent as CRLF.
     */
    static void joinMlsdContinuations(List<String> lines) {
        List<String> joined = new ArrayList<>(lines.size());
        for (String line : lines) {
            int last = joined.size() - 1;
            if (last >= 0 && !beginsWithFacts(line)) {
                joined.set(last, joined.get(last) + "\n" + line);
            } else {
                joined.add(line);
            }
        }
        // commons-net reads on from the list it handed over: changed in place
        lines.clear();
        lines.addAll(joined);
    }

    private static boolean beginsWithFacts(String line) {
        if (line.startsWith(" ")) {
            return true;
        }
        int space = line.indexOf(' ');
        int semicolon = line.indexOf(';');
        int equals = line.indexOf('=');
        return equals > 0 && semicolon > equals && (space < 0 || semicolon < space);
    }

    /** LIST's parsers as commons-net chooses them by the server's system, each reading lines as above. */
    static final class ListParsers extends DefaultFTPFileEntryParserFactory {
        @Override
        public FTPFileEntryParser createFileEntryParser(String key) {
            return lines(super.createFileEntryParser(key));
        }

        @Override
        public FTPFileEntryParser createFileEntryParser(org.apache.commons.net.ftp.FTPClientConfig config) {
            return lines(super.createFileEntryParser(config));
        }

        /** Not a parser that reads its own way (VMS: an entry over several lines): its lines stay its own. */
        private static FTPFileEntryParser lines(FTPFileEntryParser inner) {
            try {
                boolean ownReading = inner.getClass().getMethod("readNextEntry", BufferedReader.class)
                        .getDeclaringClass() != FTPFileEntryParserImpl.class;
                return ownReading ? inner : new Lines(inner);
            } catch (NoSuchMethodException e) {
                return inner;
            }
        }
    }

    /** A parser that reads its lines with {@link ListingLines}; parsing is its inner parser's. */
    private static final class Lines extends FTPFileEntryParserImpl {
        // Unicode's private use area: no server's name means them, and a name they came back into is refused anyway
        private static final char LF_HELD = '\uE00A';
        private static final char CR_HELD = '\uE00D';
        private final FTPFileEntryParser inner;
        private final ListingLines lines = new ListingLines();

        Lines(FTPFileEntryParser inner) {
            this.inner = inner;
        }

        @Override
        public String readNextEntry(BufferedReader reader) throws IOException {
            return lines.next(reader);
        }

        /**
         * A LIST parser's patterns do not match across a line break: the line is parsed with its breaks held by
         * stand-ins, which the name then gives back, so the entry is refused by its name rather than as a line that
         * could not be parsed.
         */
        @Override
        public FTPFile parseFTPEntry(String line) {
            FTPFile parsed = inner.parseFTPEntry(line);
            if (parsed != null || line.indexOf('\n') < 0 && line.indexOf('\r') < 0) {
                return parsed;
            }
            parsed = inner.parseFTPEntry(line.replace('\n', LF_HELD).replace('\r', CR_HELD));
            if (parsed != null && parsed.getName() != null) {
                parsed.setName(parsed.getName().replace(LF_HELD, '\n').replace(CR_HELD, '\r'));
                parsed.setRawListing(line);
            }
            return parsed;
        }

        @Override
        public List<String> preParse(List<String> original) {
            return inner.preParse(original);
        }
    }
}
