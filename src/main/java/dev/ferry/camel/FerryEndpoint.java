package dev.ferry.camel;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;

/** One step of the Ferry pipeline; producer only. */
@UriEndpoint(firstVersion = "0.1.0", scheme = "ferry", title = "Ferry", syntax = "ferry:operation",
        producerOnly = true, category = {Category.FILE})
public class FerryEndpoint extends DefaultEndpoint {

    @UriParam
    private final FerryConfiguration configuration;

    FerryEndpoint(String uri, FerryComponent component, FerryConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    @Override
    public FerryComponent getComponent() {
        return (FerryComponent) super.getComponent();
    }

    public FerryConfiguration getConfiguration() {
        return configuration;
    }

    @Override
    public Producer createProducer() {
        return new FerryProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("ferry: endpoints are steps of a route; they cannot start one");
    }

    // Options are bound onto the configuration (camel-ftp style: endpoint options live on one class).
    public void setServer(String v) { configuration.setServer(v); }
    public void setRemoteDir(String v) { configuration.setRemoteDir(v); }
    public void setDownloadDir(String v) { configuration.setDownloadDir(v); }
    public void setSegments(Integer v) { configuration.setSegments(v); }
    public void setMinSegmentSize(Long v) { configuration.setMinSegmentSize(v); }
    public void setUploadStrategy(dev.ferry.ftp.UploadStrategy v) { configuration.setUploadStrategy(v); }
    public void setChecksum(Boolean v) { configuration.setChecksum(v); }
    public void setRateLimit(Long v) { configuration.setRateLimit(v); }
    public void setOverwrite(Boolean v) { configuration.setOverwrite(v); }
    public void setFileExist(String v) { configuration.setFileExist(v); }
    public void setFollowLinks(Boolean v) { configuration.setFollowLinks(v); }
    public void setMaxAttempts(Integer v) { configuration.setMaxAttempts(v); }
    public void setLanes(int v) { configuration.setLanes(v); }
    public void setBatchSize(int v) { configuration.setBatchSize(v); }
}
