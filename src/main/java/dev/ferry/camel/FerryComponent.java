package dev.ferry.camel;

import dev.ferry.Printable;
import dev.ferry.ftp.ServerProfile;
import dev.ferry.ftp.TlsMode;
import dev.ferry.transfer.TransferEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Endpoint;
import org.apache.camel.util.URISupport;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

/**
 * The {@code ferry:} component: {@code ferry:<operation>?options}, each operation one step of the segment pipeline
 * (see {@link FerryOperation}). All endpoints share one {@link TransferEngine}, so many transfers at once share one
 * connection cap per server. The engine is the one set here, else the one in the registry, else one the component
 * builds at start from its own options (host, port, user, password, dataDir or ledgerUrl): then a Camel application
 * needs only {@code camel.component.ferry.*} properties.
 */
@Component("ferry")
public class FerryComponent extends DefaultComponent {

    @Metadata(label = "advanced", autowired = true,
            description = "The transfer engine; by default the one bound in the registry, else one built from this"
                    + " component's server and ledger options")
    private TransferEngine engine;

    @Metadata(description = "Server profile for endpoints and requests that name none; also the name of the server"
            + " given by host/port/user", defaultValue = "default")
    private String defaultServer;

    @Metadata(description = "Local directory download requests are resolved in", defaultValue = "data/downloads")
    private String downloadDir = "data/downloads";

    @Metadata(description = "Upload an inbox drop that is a symbolic link (to a regular file) instead of refusing it",
            defaultValue = "false")
    private boolean followLinks;

    @Metadata(label = "advanced", description = "Remote base directory per server profile name")
    private final Map<String, String> remoteDirs = new ConcurrentHashMap<>();

    @Metadata(label = "server", description = "FTP server host, when the component builds its own engine (further"
            + " servers: dev.ferry.ftp.ServerProfile beans in the registry)")
    private String host;

    @Metadata(label = "server", description = "FTP server port", defaultValue = "21")
    private int port = 21;

    @Metadata(label = "server", secret = true, description = "FTP user", defaultValue = "anonymous")
    private String user;

    @Metadata(label = "server", secret = true, description = "FTP password: give it as a placeholder such as"
            + " {{env:FTP_PASSWORD}}, never in a route or a committed file")
    private String password;

    @Metadata(label = "server", description = "NONE for plain FTP, EXPLICIT for FTPS (AUTH TLS)", defaultValue = "NONE",
            enums = "NONE,EXPLICIT")
    private TlsMode tls = TlsMode.NONE;

    @Metadata(label = "server", description = "Most connections open to the server at once", defaultValue = "4")
    private int connectionLimit = 4;

    @Metadata(label = "ledger", description = "Directory of the embedded (H2) ledger, when no ledgerUrl is set",
            defaultValue = "data")
    private String dataDir = "data";

    @Metadata(label = "ledger", description = "JDBC URL of a shared ledger (jdbc:postgresql://...); default: the"
            + " embedded H2 ledger in dataDir")
    private String ledgerUrl;

    @Metadata(label = "ledger", secret = true, description = "Ledger database user")
    private String ledgerUser;

    @Metadata(label = "ledger", secret = true, description = "Ledger database password: a placeholder such as"
            + " {{env:FERRY_LEDGER_PASSWORD}}")
    private String ledgerPassword;

    /** The engine built at start from the options above, closed at stop; null when one was given. */
    private OwnEngine own;

    private volatile boolean stopping;

    public FerryComponent() {
    }

    public FerryComponent(TransferEngine engine) {
        this.engine = engine;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        FerryConfiguration configuration = new FerryConfiguration();
        try {
            configuration.setOperation(FerryOperation.valueOf(remaining));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ferry:" + remaining + " is not an operation; use one of "
                    + java.util.Arrays.toString(FerryOperation.values()), e);
        }
        FerryEndpoint endpoint = new FerryEndpoint(uri, this, configuration);
        requireWholeNumbers(uri, parameters);
        setProperties(endpoint, parameters);
        try {
            configuration.options().checked();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(URISupport.sanitizeUri(uri) + ": "
                    + e.getMessage().replace("field 'options.", "option '"), e);
        }
        if (configuration.getLanes() < 1 || configuration.getBatchSize() < 1) {
            throw new IllegalArgumentException(URISupport.sanitizeUri(uri) + ": options 'lanes' and 'batchSize'"
                    + " must be 1 or more, found " + configuration.getLanes() + " and " + configuration.getBatchSize());
        }
        return endpoint;
    }

    private static final java.util.Set<String> WHOLE_NUMBERS = java.util.Set.of("segments", "minSegmentSize",
            "rateLimit", "maxAttempts", "lanes", "batchSize");

    /**
     * Camel reads a number option's text as a time pattern when it is not a number: "abc" and "4M" became 0 (for
     * rateLimit, no limit at all) and "1m" 60000. A number option takes digits only.
     */
    private static void requireWholeNumbers(String uri, Map<String, Object> parameters) {
        for (Map.Entry<String, Object> e : parameters.entrySet()) {
            if (WHOLE_NUMBERS.contains(e.getKey()) && e.getValue() instanceof String text
                    && !text.matches("-?\\d{1,18}")) {
                throw new IllegalArgumentException(URISupport.sanitizeUri(uri) + ": option '" + e.getKey()
                        + "' must be a whole number" + (e.getKey().equals("rateLimit") ? " of bytes per second" : "") + ", found '"
                        + Printable.of(text) + "'");
            }
        }
    }

    /**
     * The request a request file would become through a plain {@code ferry:accept} (no endpoint options): what
     * start-up recovery uses to tell which unfinished transfers a request file in the inbox will resume by itself.
     */
    public dev.ferry.plan.TransferRequest resolveRequestFile(String json, String source) {
        FerryConfiguration configuration = new FerryConfiguration();
        configuration.setOperation(FerryOperation.accept);
        FerryEndpoint endpoint = new FerryEndpoint("ferry:accept", this, configuration);
        return new FerryProducer(endpoint).withoutRecording().resolve(RequestParser.parse(json, source), source);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        engine();
    }

    @Override
    protected void doStop() throws Exception {
        if (own != null) {
            own.close();
            own = null;
            engine = null;
        }
        super.doStop();
    }

    synchronized TransferEngine engine() {
        if (engine == null) {
            engine = getCamelContext().getRegistry().findSingleByType(TransferEngine.class);
        }
        if (engine == null) {
            own = OwnEngine.start(servers(), Path.of(dataDir), ledgerUrl, ledgerUser, ledgerPassword);
            engine = own.engine();
        }
        return engine;
    }

    /** The server from host/port/user/password (named defaultServer), and every ServerProfile in the registry. */
    private List<ServerProfile> servers() {
        List<ServerProfile> servers = new ArrayList<>();
        if (host != null && !host.isBlank()) {
            if (defaultServer == null) {
                defaultServer = "default";
            }
            servers.add(ServerProfile.builder(defaultServer).host(host).port(port).user(user).password(password)
                    .tls(tls).connectionLimit(connectionLimit).build());
        }
        servers.addAll(getCamelContext().getRegistry().findByType(ServerProfile.class));
        if (defaultServer == null && servers.size() == 1) {
            defaultServer = servers.get(0).name();
        }
        return servers;
    }

    /**
     * The service is shutting down: a step that fails from now on is not a transfer's failure (the ledger or the
     * connections are closing), so its exchange is left unfinished and the transfer resumes at the next start.
     */
    public void serviceStopping() {
        stopping = true;
    }

    public boolean isServiceStopping() {
        return stopping;
    }

    public TransferEngine getEngine() {
        return engine;
    }

    public void setEngine(TransferEngine engine) {
        this.engine = engine;
    }

    public String getDefaultServer() {
        return defaultServer;
    }

    public void setDefaultServer(String defaultServer) {
        this.defaultServer = defaultServer;
    }

    public String getDownloadDir() {
        return downloadDir;
    }

    public boolean isFollowLinks() {
        return followLinks;
    }

    public void setFollowLinks(boolean followLinks) {
        this.followLinks = followLinks;
    }

    public void setDownloadDir(String downloadDir) {
        this.downloadDir = downloadDir;
    }

    public String getHost() { return host; }
    public void setHost(String host) { this.host = host; }
    public int getPort() { return port; }
    public void setPort(int port) { this.port = port; }
    public String getUser() { return user; }
    public void setUser(String user) { this.user = user; }
    public String getPassword() { return password; }
    public void setPassword(String password) { this.password = password; }
    public TlsMode getTls() { return tls; }
    public void setTls(TlsMode tls) { this.tls = tls; }
    public int getConnectionLimit() { return connectionLimit; }
    public void setConnectionLimit(int connectionLimit) { this.connectionLimit = connectionLimit; }
    public String getDataDir() { return dataDir; }
    public void setDataDir(String dataDir) { this.dataDir = dataDir; }
    public String getLedgerUrl() { return ledgerUrl; }
    public void setLedgerUrl(String ledgerUrl) { this.ledgerUrl = ledgerUrl; }
    public String getLedgerUser() { return ledgerUser; }
    public void setLedgerUser(String ledgerUser) { this.ledgerUser = ledgerUser; }
    public String getLedgerPassword() { return ledgerPassword; }
    public void setLedgerPassword(String ledgerPassword) { this.ledgerPassword = ledgerPassword; }

    public Map<String, String> getRemoteDirs() {
        return remoteDirs;
    }

    public void setRemoteDirs(Map<String, String> dirs) {
        remoteDirs.clear();
        remoteDirs.putAll(dirs);
    }
}
