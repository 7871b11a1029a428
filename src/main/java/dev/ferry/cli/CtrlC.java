package dev.ferry.cli;

import dev.ferry.transfer.TransferEngine;

/**
 * Ctrl-C (or SIGTERM) during a command's transfer: the engine's transfers are cancelled so the ledger records a clean
 * stop the next run resumes from, and the command's thread is interrupted out of its wait. Registered for the
 * transfer only and removed however it ends: a hook left behind by a failed run would hold that run's engine and, in a
 * JVM that runs several commands (tests, a program embedding the command line), interrupt a later command's thread
 * at exit.
 */
final class CtrlC implements AutoCloseable {
    private final Thread hook;

    private CtrlC(Thread hook) {
        this.hook = hook;
    }

    /**
     * The line on {@code err} is the hook's to say: the JVM ends once its hooks have run, often before the command's
     * own thread gets to print anything (a Ctrl-C ended with exit 130 and not a word), so the command says nothing
     * more of a stop.
     */
    static CtrlC stops(TransferEngine engine, java.io.PrintStream err) {
        Thread main = Thread.currentThread();
        Thread hook = new Thread(() -> {
            engine.active().forEach(t -> engine.cancel(t.id()));
            err.println("ferry: stopped (Ctrl-C or SIGTERM); what was sent is kept: run the same command again to"
                    + " resume");
            main.interrupt();
        }, "ferry-ctrl-c");
        Runtime.getRuntime().addShutdownHook(hook);
        return new CtrlC(hook);
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is stopping: the hook runs (or ran) as it should.
        }
    }
}
