package dev.ferry.broker;

import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.seda.SedaEndpoint;

/**
 * Holds the request queue's consumer until this node has room: with a broker, a node takes the next request only
 * while fewer than {@code limit} queued transfers (requests, recovered, from the API) run here or wait to start, so
 * the rest stay in the broker for idle nodes instead of in this node's memory. Without a broker ({@code seda:}) it
 * never waits: there a request is safer in the ledger than in the in-memory queue. A transfer waiting aside for a
 * server that cannot be reached ({@link dev.ferry.transfer.ServerWaits}) is in neither count: it holds nothing, and
 * counted it would stop this node taking requests for the servers that answer.
 */
public final class PipelineRoom implements Processor {
    private static final long POLL_MILLIS = 50;
    private static final long SETTLE_MILLIS = 5;

    private final String route;
    private final String pipeline;
    private final int limit;
    private volatile SedaEndpoint queue;

    /**
     * @param route    the route that runs queued transfers (an exchange is in flight there until its transfer ends)
     * @param pipeline the seda URI that route consumes, where accepted transfers wait before they start
     * @param limit    running and waiting transfers at most; 0 for no limit
     */
    public PipelineRoom(String route, String pipeline, int limit) {
        this.route = route;
        this.pipeline = pipeline;
        this.limit = limit;
    }

    public static PipelineRoom unlimited() {
        return new PipelineRoom(null, null, 0);
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
        // Polled: neither seda nor the route signals a transfer starting or ending; a request waits at most this
        // much longer. An exchange the pipeline's consumer has just taken is in neither count for a moment (taken
        // from the queue, not yet in flight): two transfers starting at once let a third request in beside them
        // (seen in ServiceBrokerTest). So room is believed only when a second look, a moment later, agrees.
        while (context.isStarted() && !context.isStopping()) {
            if (!full(context)) {
                TimeUnit.MILLISECONDS.sleep(SETTLE_MILLIS);
                if (!full(context)) {
                    return;
                }
            }
            TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
        }
    }

    /**
     * Running and waiting transfers at the limit. The queue is read first: an exchange that moves from the queue to
     * the route between the two reads is counted twice (never none).
     */
    private boolean full(CamelContext context) {
        // getQueue(): the queue the pipeline's consumer shares by name, whichever endpoint asks.
        int waiting = queue.getQueue().size();
        return waiting + context.getInflightRepository().size(route) >= limit;
    }
}
