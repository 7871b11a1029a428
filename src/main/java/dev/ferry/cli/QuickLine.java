package dev.ferry.cli;

import java.io.PrintStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The common command lines, {@code get|put [-q] [-v] [-c] [--ledger DIR] A B}, read without picocli. picocli's
 * classes are too old for a class-data-sharing archive (class file version 49), so each of its ~170 classes is read
 * from the jar, parsed and verified on every run, and its model is built by reflection: a fifth of a 1 MiB get. Any
 * other form (another option, {@code -qv}, {@code --}, an {@code @file}, a missing argument, help) returns null and
 * goes to picocli, which stays the one definition of the command line; this only fills the same command object's
 * fields, as picocli would, for the forms whose meaning cannot differ.
 */
final class QuickLine {
    private QuickLine() {
    }

    /** The command to call, or null when picocli must read {@code args}. */
    static TransferCommand parse(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 3 || !(args[0].equals("get") || args[0].equals("put"))) {
            return null;
        }
        boolean quiet = false;
        boolean verbose = false;
        boolean resume = false;
        String ledger = null;
        String first = null;
        String second = null;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.isEmpty() || a.charAt(0) == '@') {
                return null; // picocli expands @files
            }
            if (a.charAt(0) != '-') {
                if (first == null) {
                    first = a;
                } else if (second == null) {
                    second = a;
                } else {
                    return null;
                }
                continue;
            }
            switch (a) {
                case "-q", "--quiet" -> quiet = true;
                case "-v", "--verbose" -> verbose = true;
                case "-c", "--continue" -> resume = true;
                case "--ledger" -> {
                    if (++i == args.length || args[i].isEmpty() || args[i].charAt(0) == '-' || args[i].charAt(0) == '@') {
                        return null;
                    }
                    ledger = args[i];
                }
                default -> {
                    if (!a.startsWith("--ledger=") || a.length() == "--ledger=".length()) {
                        return null;
                    }
                    ledger = a.substring("--ledger=".length());
                }
            }
        }
        if (second == null) {
            return null;
        }
        TransferCommand command;
        if (args[0].equals("get")) {
            GetCommand get = new GetCommand(out, err);
            get.url = first;
            get.local = second;
            command = get;
        } else {
            PutCommand put = new PutCommand(out, err);
            put.local = first;
            put.url = second;
            command = put;
        }
        if (ledger != null) {
            try {
                command.ledgerDir = Path.of(ledger);
            } catch (InvalidPathException e) {
                return null; // picocli words the refusal
            }
        }
        command.quiet = quiet;
        command.verbose = verbose;
        command.resume = resume;
        return command;
    }
}
