package dev.ferry.camel;

import dev.ferry.camel.RequestParser.RequestException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What the request inbox reads a request from: a regular file of its own, read at most {@link RequestParser#MAX_BYTES}
 * and one byte more. A FIFO named {@code x.json} blocked the inbox's one thread in its open for ever, and a link to
 * {@code /dev/zero} (whose size says 0) was read until the heap was full; a link to a file elsewhere had a parse error
 * quote the start of whatever it pointed to ({@code /etc/shadow} as well) into the log and the reason file.
 */
final class RequestFiles {
    private RequestFiles() {
    }

    /** The file's bytes, or a refusal in words naming it and what to do. */
    static byte[] read(Path file, boolean followLinks, String source) throws IOException {
        String name = file.getFileName().toString();
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                throw new RequestException(source.replace(name, name.replaceAll("\\p{Cntrl}", "?"))
                        + ": the name contains a control character (code " + (int) name.charAt(i) + "); rename the"
                        + " request file without it and drop it again");
            }
        }
        if (Files.isSymbolicLink(file) && !followLinks) {
            throw new RequestException(source + ": is a symbolic link (to " + Files.readSymbolicLink(file) + ");"
                    + " links in the request inbox are not followed: drop the request file itself, or set"
                    + " ferry.inbox.follow-links=true");
        }
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        if (!a.isRegularFile()) {
            throw new RequestException(source + ": is not a regular file (" + (a.isDirectory() ? "a folder"
                    : "a FIFO, a socket or a device") + ") and was not read; a request is one small JSON file:"
                    + " remove this one");
        }
        if (a.size() > RequestParser.MAX_BYTES) {
            throw tooLarge(source);
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(RequestParser.MAX_BYTES + 1);
        } catch (AccessDeniedException e) {
            throw new RequestException(source + ": cannot be read: permission denied; make it readable by the user"
                    + " Ferry runs as and drop it again", e);
        }
        if (bytes.length > RequestParser.MAX_BYTES) {
            throw tooLarge(source);
        }
        return bytes;
    }

    private static RequestException tooLarge(String source) {
        return new RequestException(source + ": request file too large (max 64 KiB); a request is one small JSON"
                + " object");
    }
}
