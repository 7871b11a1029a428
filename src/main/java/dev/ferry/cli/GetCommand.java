package dev.ferry.cli;

import dev.ferry.plan.Direction;
import java.io.PrintStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "get", sortOptions = false, abbreviateSynopsis = true,
        description = "Download a file; run the same command again after an interruption and it resumes.")
final class GetCommand extends TransferCommand {
    @Parameters(index = "0", paramLabel = "URL",
            description = "ftp://user[:password]@host[:port]/remote/path (ftps:// for explicit TLS)")
    String url;

    @Parameters(index = "1", paramLabel = "LOCAL", description = "a file, or a directory to keep the remote name (with -r: the folder the tree goes into)")
    String local;

    GetCommand(PrintStream out, PrintStream err) {
        super(out, err);
    }

    @Override
    Direction direction() {
        return Direction.DOWNLOAD;
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
