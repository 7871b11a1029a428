package dev.ferry;

import dev.ferry.cli.Cli;
import dev.ferry.service.FerryService;
import dev.ferry.service.FerrySettings;

/** One jar, two faces: {@code get}/{@code put} run one transfer; no arguments run the service. */
public final class Ferry {
    static final String SERVICE_USAGE = """
            Ferry moves large files to and from FTP servers: in segments over several connections, resumably,
            verified, published atomically.

            usage:
              java -jar ferry.jar                 run the service (Camel routes in routes/, settings in config/)
              java -jar ferry.jar --ferry.<key>=V   the service with a setting overridden (like FERRY_<KEY>=V, -Dferry.<key>=V)
              java -jar ferry.jar get|put ...     one transfer from the command line (below)
              java -jar ferry.jar --help          this text    (--version: the version)

            the service:
              reads config/application.properties (another folder: -Dferry.config=DIR or FERRY_CONFIG=DIR) and the
              routes in routes/*.yaml; passwords come from FERRY_SERVERS_<NAME>_PASSWORD or config/secrets.properties.
              With no server configured it starts a demo FTP server on 127.0.0.1:2121 serving data/ftp-root.
              Drop files into data/inbox/upload to upload them; drop JSON requests such as
                {"server":"demo","remotePath":"/reports/a.bin","localPath":"a.bin"}
              into data/inbox/requests to download into data/downloads. Interrupted transfers resume at start-up.

            """;

    private Ferry() {
    }

    public static void main(String[] args) throws Exception {
        String logFormatProblem = logFormatProblem(System.getenv("FERRY_LOG_FORMAT"),
                System.getProperty("ferry.log.format"));
        if (logFormatProblem != null) {
            System.err.println("ferry: " + logFormatProblem);
            System.exit(2);
        }
        if (java.util.Arrays.stream(args).allMatch(a -> a.startsWith("--ferry.") || a.startsWith("--camel."))) {
            System.exit(service(args));
        }
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help"))) {
            System.out.print(SERVICE_USAGE);
            System.exit(Cli.run(new String[] {"--help"}, System.out, System.err));
        }
        System.exit(Cli.runProcess(args));
    }

    /**
     * logback.xml picks its appender by this name; any other value would leave the service with no log at all, so it
     * is refused before anything runs. Read only from the environment or -D: logging starts before config/ is read.
     */
    static String logFormatProblem(String env, String property) {
        String given = env != null ? env : property;
        if (given == null || given.equals("text") || given.equals("json")) {
            return null;
        }
        return (env != null ? "FERRY_LOG_FORMAT" : "ferry.log.format") + " is '" + given
                + "': use text (the default) or json";
    }

    private static int service(String[] args) {
        try {
            FerrySettings settings = FerrySettings.ofProcess(args);
            FerryService.run(settings, System.out);
            return 0;
        } catch (FerryService.Displaced e) {
            System.err.println("ferry: the service stopped: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            System.err.println("ferry: the service could not start: " + dev.ferry.service.StartFailure.describe(e));
            return 1;
        }
    }
}
