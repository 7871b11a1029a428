package dev.ferry.cli;

import dev.ferry.plan.Direction;
import java.io.PrintStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "put", sortOptions = false, abbreviateSynopsis = true,
        description = "Upload a file; run the same command again after an interruption and it resumes.")
final class PutCommand extends TransferCommand {
    @Parameters(index = "0", paramLabel = "LOCAL", description = "the file to send (with -r: the folder)")
    String local;

    @Parameters(index = "1", paramLabel = "URL", description = "ftp://user[:password]@host[:port]/remote/path"
            + " (ftps:// for explicit TLS; a path ending in / keeps the local name)")
    String url;

    PutCommand(PrintStream out, PrintStream err) {
        super(out, err);
    }

    @Override
    Direction direction() {
        return Direction.UPLOAD;
    }

    @Override
    String urlText() {
        return url;
    }

    @Override
    String localText() {
        return local;
    }
}
