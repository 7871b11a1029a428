package dev.ferry.ftp;

import java.io.IOException;
import java.net.Socket;
import java.util.Locale;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPListParseEngine;
import org.apache.commons.net.ftp.parser.MLSxEntryParser;

/**
 * MLSD read with a parser that names every line it can: commons-net's throws on some lines (proftpd's
 * {@code perm=;} for a folder the user may not read: StringIndexOutOfBoundsException, which failed a whole folder
 * download) and gives up on types it does not know ({@code type=OS.unix=symlink}). An MLSD line is facts, one space,
 * the name (RFC 3659), so the name and the type can still be read: a folder named so is then listed and refused in
 * words by the server ("Permission denied"), a link is refused as a link. Both clients Ferry makes list through this.
 */
final class TolerantMlsd {
    private TolerantMlsd() {
    }

    /** What {@link FTPClient#initiateMListParsing(String)} does, with {@link Parser}; {@code data} may be null. */
    static FTPListParseEngine engine(FTPClient client, Socket data) throws IOException {
        FTPListParseEngine engine = new FTPListParseEngine(new Parser());
        if (data == null) {
            return engine;
        }
        try {
            engine.readServerList(data.getInputStream(), client.getControlEncoding());
        } finally {
            try {
                data.close();
            } catch (IOException ignored) {
                // the listing is read; the reply decides
            }
            client.completePendingCommand();
        }
        return engine;
    }

    /** One listing's parser: it reads the lines (see {@link ListingLines}) as well as parsing them. */
    static final class Parser extends MLSxEntryParser {
        private final ListingLines lines = new ListingLines();

        @Override
        public String readNextEntry(java.io.BufferedReader reader) throws IOException {
            return lines.next(reader);
        }

        @Override
        public java.util.List<String> preParse(java.util.List<String> original) {
            ListingLines.joinMlsdContinuations(original);
            return original;
        }

        @Override
        public FTPFile parseFTPEntry(String line) {
            FTPFile parsed;
            try {
                parsed = super.parseFTPEntry(line);
            } catch (RuntimeException e) {
                parsed = null;
            }
            return parsed != null ? parsed : byFactsAndName(line);
        }

        /** The name after the facts, the type from {@code type=}; null when the line has no facts. */
        static FTPFile byFactsAndName(String line) {
            int space = line.indexOf(' ');
            if (space <= 0 || space == line.length() - 1 || !line.substring(0, space).contains("=")) {
                return null;
            }
            FTPFile f = new FTPFile();
            f.setRawListing(line);
            f.setName(line.substring(space + 1));
            f.setType(FTPFile.UNKNOWN_TYPE);
            for (String fact : line.substring(0, space).split(";")) {
                int eq = fact.indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String key = fact.substring(0, eq).toLowerCase(Locale.ROOT);
                String value = fact.substring(eq + 1).toLowerCase(Locale.ROOT);
                if (key.equals("type")) {
                    f.setType(switch (value) {
                        case "file" -> FTPFile.FILE_TYPE;
                        case "dir", "cdir", "pdir" -> FTPFile.DIRECTORY_TYPE;
                        default -> value.contains("link") ? FTPFile.SYMBOLIC_LINK_TYPE : FTPFile.UNKNOWN_TYPE;
                    });
                    if (value.equals("cdir")) {
                        f.setName(".");
                    } else if (value.equals("pdir")) {
                        f.setName("..");
                    }
                } else if (key.equals("size")) {
                    try {
                        f.setSize(Long.parseLong(value));
                    } catch (NumberFormatException ignored) {
                        // left unknown
                    }
                }
            }
            return f;
        }
    }
}
