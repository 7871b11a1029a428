package dev.ferry.cli;

import dev.ferry.Printable;
import dev.ferry.plan.UnsafePathException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code ferry get|put}: one transfer on the engine, without booting the Camel service, so it starts fast. Run again
 * after an interruption, it resumes from the ledger. This class only wires picocli to Ferry's exit codes and error
 * lines: the options live on {@link TransferCommand}, the run in {@link TransferRun}.
 */
public final class Cli {
    private static final String HINT = "run 'java -jar ferry.jar --help' for usage";

    private Cli() {
    }

    public static void main(String[] args) {
        System.exit(runProcess(args));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        TransferCommand quick = QuickLine.parse(args, out, err);
        if (quick != null) {
            try {
                return quick.call();
            } catch (RuntimeException e) {
                return failure(err, e); // as picocli's execution exception handler below
            }
        }
        return commandLine(out, err, args.length > 0 ? args[0] : "").execute(args);
    }

    /** {@link #run} as the whole process: the caller exits with the result, so process-wide set-up may be cheaper. */
    public static int runProcess(String[] args) {
        StartTrace.mark("main");
        NoLogging.processOwned();
        int code = run(args, System.out, System.err);
        StartTrace.mark("exit");
        return code;
    }

    /**
     * @param first the first argument: a {@code get} or {@code put} command line gets only that command's model.
     *              picocli builds a model by reflection over every option of every command added (its classes are
     *              too old for a class-data-sharing archive), a visible part of a transfer's start; the help and
     *              an unknown command still see all of them.
     */
    static CommandLine commandLine(PrintStream out, PrintStream err, String first) {
        CommandLine cmd = new CommandLine(new FerryCommand());
        if (!first.equals("put")) {
            cmd.addSubcommand("get", new GetCommand(out, err));
        }
        if (!first.equals("get")) {
            cmd.addSubcommand("put", new PutCommand(out, err)).addSubcommand("help", new CommandLine.HelpCommand());
        }
        // As before picocli: a repeated option takes its last value (scripts append to a base command line).
        cmd.setOverwrittenOptionsAllowed(true);
        cmd.setUsageHelpWidth(100);
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        Map<String, String> codes = new LinkedHashMap<>();
        for (ExitCode c : ExitCode.values()) {
            codes.put(Integer.toString(c.code), c.meaning);
        }
        for (CommandLine c : cmd.getCommandSpec().subcommands().values()) {
            if (c.getCommand() instanceof TransferCommand) {
                exitCodes(c, codes);
            }
        }
        exitCodes(cmd, codes);
        cmd.setParameterExceptionHandler((e, args) -> usageError(err, message(e)));
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> failure(err, e));
        return cmd;
    }

    private static void exitCodes(CommandLine c, Map<String, String> codes) {
        c.getCommandSpec().usageMessage().exitCodeListHeading("%nexit codes:%n").exitCodeList(codes)
                .footer("%nSIZE takes K, M or G suffixes (powers of 1024).");
    }

    /** The one line a command-line mistake gets, with the option's name in front of a value it refused. */
    private static String message(ParameterException e) {
        if (e.getCause() instanceof TypeConversionException t && e.getArgSpec() instanceof OptionSpec option) {
            return option.longestName() + " " + t.getMessage();
        }
        if (e instanceof UnmatchedArgumentException u && u.getCommandLine().getParent() == null
                && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
            return "unknown command '" + u.getUnmatched().get(0) + "': get or put expected";
        }
        return e.getMessage();
    }

    private static int usageError(PrintStream err, String message) {
        err.println("ferry: " + Printable.of(message));
        err.println(HINT);
        return ExitCode.USAGE.code;
    }

    private static int failure(PrintStream err, Exception e) {
        if (e instanceof UsageException) {
            return usageError(err, e.getMessage());
        }
        if (e instanceof UnsafePathException) {
            // A name that would climb out of the target directory (or a control character in it): refused as given.
            err.println("ferry: " + Printable.of(e.getMessage()));
            return ExitCode.of(e).code;
        }
        if (e instanceof IllegalArgumentException) {
            // Anything else the command line's values are refused with (a server profile's checks, a local path
            // the file system cannot name): still the command line, so a usage error rather than a stack trace.
            return usageError(err, e.getMessage() == null ? e.toString() : e.getMessage());
        }
        err.println("ferry: " + Printable.of(Objects.toString(e.getMessage(), e.toString())));
        return ExitCode.of(e).code;
    }
}
