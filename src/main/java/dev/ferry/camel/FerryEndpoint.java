package dev.ferry.camel;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;

/**
 * Resumable, segmented FTP transfers recorded in a ledger: a whole transfer (transfer, batch) or one step of Ferry's
 * segment pipeline (accept, plan, segment, publish). Producer only.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "ferry", title = "Ferry", syntax = "ferry:operation",
        producerOnly = true, category = {Category.FILE})
public class FerryEndpoint extends DefaultEndpoint {

    // Every option lives on the configuration (as camel-ftp does); the generated FerryEndpointConfigurer sets them
    // there directly, so the endpoint declares none of its own.
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
}
