package dev.ferry.camel;

import dev.ferry.camel.RequestParser.RequestException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A symbolic link dropped into the upload inbox would send whatever it points to ({@code /etc/shadow} as well as a
 * file of the user's). Links are refused unless the inbox is configured to follow them, and even then the target
 * must be a regular file.
 */
final class InboxLinks {
    private InboxLinks() {
    }

    /** Throws, in words, when {@code drop} is a link that may not be uploaded; a plain file passes as it is. */
    static void check(Path drop, boolean followLinks, String source) {
        if (!Files.isSymbolicLink(drop)) {
            return;
        }
        String target;
        try {
            target = String.valueOf(Files.readSymbolicLink(drop));
        } catch (IOException e) {
            target = "?";
        }
        if (!followLinks) {
            throw new RequestException(source + ": is a symbolic link (to " + target + "); symbolic links in the"
                    + " upload inbox are not followed, nothing was sent: drop the file itself, or set"
                    + " ferry.inbox.follow-links=true to upload what links point to");
        }
        if (!Files.isRegularFile(drop)) {
            throw new RequestException(source + ": is a symbolic link to " + target + ", which is not a regular file"
                    + " (or does not exist); nothing was sent");
        }
    }
}
