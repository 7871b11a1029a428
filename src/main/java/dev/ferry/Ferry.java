package dev.ferry;

import dev.ferry.cli.Cli;

/** One jar, two faces: {@code get}/{@code put} run one transfer; no arguments run the service. */
public final class Ferry {
    private Ferry() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0) {
            System.exit(Cli.run(args, System.out, System.err));
        }
        System.err.println("the service is not built yet");
        System.exit(2);
    }
}
