package dev.ferry.broker;

import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.seda.SedaEndpoint;

/**
 * Holds the request queue's consumer until the transfer pipeline has room: with a broker, a node takes a request
 * only when fewer than {@code limit} accepted transfers wait for a free transfer thread, so the rest stay in the
 * broker for idle nodes instead of in this node's memory. Without a broker ({@code seda:}) it never waits: there a
 * request is safer in the ledger than in the in-memory queue.
 */
public final class PipelineRoom implements Processor {
    private static final long POLL_MILLIS = 50;

    private final String pipeline;
    private final int limit;
    private volatile SedaEndpoint queue;

    /**
     * @param pipeline the seda URI transfers wait in before they start
     * @param limit    how many accepted transfers may wait; 0 for no limit
     */
    public PipelineRoom(String pipeline, int limit) {
        this.pipeline = pipeline;
        this.limit = limit;
    }

    public static PipelineRoom unlimited() {
        return new PipelineRoom(null, 0);
    }

    @Override
    public void process(Exchange exchange) throws InterruptedException {
        if (limit <= 0) {
            return;
        }
        CamelContext context = exchange.getContext();
        if (queue == null) {
            queue = context.getEndpoint(pipeline, SedaEndpoint.class);
        }
        // Polled: seda offers no signal when a consumer takes an item; a request waits at most this much longer.
        // getQueue(): the queue the pipeline's consumer shares by name, whichever endpoint object asks.
        while (queue.getQueue().size() >= limit && context.isStarted() && !context.isStopping()) {
            TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
        }
    }
}
