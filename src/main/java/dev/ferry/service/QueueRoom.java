package dev.ferry.service;

import java.util.concurrent.RejectedExecutionException;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.seda.SedaEndpoint;

/**
 * Room in one of the service's in-memory queues ({@code seda:}) for the API, which must never wait for it. The
 * queues hold 1,000 exchanges and their producers block when full, as recovery and the routes should; but with the
 * transfer consumers all waiting out a server that cannot be reached, 1,000 requests posted behind them filled the
 * queue and every POST after that held its HTTP worker until the outage ended: after 20 of them the status page, the
 * API and the health checks answered nothing at all (a review of the service over time).
 */
final class QueueRoom {
    private final CamelContext context;
    private final String uri;
    private volatile SedaEndpoint endpoint;

    /** @param uri the seda URI the requests go to (its options do not matter: the queue is shared by name) */
    QueueRoom(CamelContext context, String uri) {
        this.context = context;
        this.uri = uri;
    }

    boolean hasRoom() {
        return queue().getQueue().remainingCapacity() > 0;
    }

    /**
     * Puts {@code body} on the queue if there is room now.
     *
     * @throws RejectedExecutionException when there is none (another caller took the last place since {@link
     *                                    #hasRoom}); nothing was queued
     */
    void offer(ProducerTemplate template, Object body) {
        if (!hasRoom()) {
            throw new RejectedExecutionException(uri + " is full");
        }
        try {
            // blockWhenFull=false: Camel's producer offers instead of waiting, and fails if the place went meanwhile.
            template.sendBody(queue().getEndpointUri().replaceFirst("\\?.*", "") + "?blockWhenFull=false", body);
        } catch (org.apache.camel.CamelExecutionException e) {
            throw new RejectedExecutionException(uri + " is full", e);
        }
    }

    private SedaEndpoint queue() {
        SedaEndpoint e = endpoint;
        if (e == null) {
            e = context.getEndpoint(uri, SedaEndpoint.class);
            endpoint = e;
        }
        return e;
    }
}
