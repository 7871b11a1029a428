package dev.ferry.cli;

/** The command line itself is wrong: exit code 2 and the usage hint. */
final class UsageException extends IllegalArgumentException {
    UsageException(String message) {
        super(message);
    }
}
