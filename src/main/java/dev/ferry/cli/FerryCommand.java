package dev.ferry.cli;

import dev.ferry.Version;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;

/** {@code ferry} itself: the get and put commands below it, {@code --version} and {@code --help}. */
@Command(name = "ferry", versionProvider = FerryCommand.VersionText.class,
        customSynopsis = {
            "  java -jar ferry.jar get [options] ftp://user[:password]@host[:port]/remote/path local-path",
            "  java -jar ferry.jar put [options] local-path ftp://user[:password]@host[:port]/remote/path",
            "  java -jar ferry.jar help get|put    every option of a command"},
        synopsisHeading = "usage:%n",
        description = {"", "(ftps:// for explicit TLS; a local-path that is a directory keeps the remote name, and a"
                + " remote path ending in / keeps the local name. Options may be given as --opt value or"
                + " --opt=value; -- ends the options.)"},
        commandListHeading = "%ncommands:%n", optionListHeading = "%noptions:%n")
final class FerryCommand implements Callable<Integer> {
    @Option(names = {"-V", "--version"}, versionHelp = true, description = "the version, then exit")
    boolean version;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    boolean help;

    @Override
    public Integer call() {
        throw new UsageException("get or put expected");
    }

    /** {@code ferry 0.1.0}: the line scripts and bug reports quote. */
    static final class VersionText implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ferry " + Version.current()};
        }
    }
}
