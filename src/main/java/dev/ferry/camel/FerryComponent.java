package dev.ferry.camel;

import dev.ferry.transfer.TransferEngine;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

/**
 * The {@code ferry:} component: {@code ferry:<operation>?options}, each operation one step of the segment pipeline
 * (see {@link FerryOperation}). All endpoints share one {@link TransferEngine}, so many transfers at once share one
 * connection cap per server. The engine is the one set here, or else the one in the registry.
 */
@Component("ferry")
public class FerryComponent extends DefaultComponent {

    @Metadata(description = "The transfer engine; by default the one bound in the registry")
    private TransferEngine engine;

    @Metadata(description = "Server profile for endpoints and requests that name none")
    private String defaultServer;

    @Metadata(description = "Local directory download requests are resolved in", defaultValue = "data/downloads")
    private String downloadDir = "data/downloads";
    /** Inbox drops that are symbolic links are uploaded (their target, a regular file) instead of refused. */
    private boolean followLinks;

    /** Remote base directory per server profile name (ferry.servers.NAME.remote-dir). */
    private final Map<String, String> remoteDirs = new ConcurrentHashMap<>();

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
        setProperties(endpoint, parameters);
        return endpoint;
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

    TransferEngine engine() {
        if (engine == null) {
            engine = getCamelContext().getRegistry().findSingleByType(TransferEngine.class);
            if (engine == null) {
                throw new IllegalStateException("no TransferEngine is bound in the Camel registry for ferry: endpoints");
            }
        }
        return engine;
    }

    /**
     * The service is shutting down: a step that fails from now on is not a transfer's failure (the ledger or the
     * connections are closing), so its exchange is left unfinished and the transfer resumes at the next start.
     */
    public void serviceStopping() {
        stopping = true;
    }

    boolean isServiceStopping() {
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

    public Map<String, String> getRemoteDirs() {
        return remoteDirs;
    }

    public void setRemoteDirs(Map<String, String> dirs) {
        remoteDirs.clear();
        remoteDirs.putAll(dirs);
    }
}
