package dev.ferry.service;

import dev.ferry.ledger.JdbcLedger;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.support.RoutePolicySupport;

/**
 * Who takes the inboxes: the route policy the inbox routes name ({@code routePolicy: ferryInboxPolicy}).
 *
 * <p>Alone ({@code ferry.cluster.inbox=local}, the default) the policy does nothing: the service holds its inboxes
 * by {@link InboxLocks} and they run whenever it runs. Elected ({@code master}): Camel's {@link ClusteredRoutePolicy}
 * over a {@link LedgerClusterService}, an election in the shared ledger, so the inbox routes run on one node at a
 * time, and on another once that node is gone or frozen. A follower takes over only when the leader's lease (a
 * transfer lease and two seconds) has run out: by then every lease the dead node held has run out too, so the new
 * leader claims the drops it finds half-done at once, instead of meeting a live lease of a node that no longer runs
 * them.
 */
final class InboxElection {
    /** The namespace of the election: one leader for all of a cluster's inbox routes. */
    static final String NAMESPACE = "ferry-inbox";
    private final LedgerClusterService service;
    private final RoutePolicy policy;

    private InboxElection(LedgerClusterService service, RoutePolicy policy) {
        this.service = service;
        this.policy = policy;
    }

    /** One service per inbox: the routes run whenever the service runs. */
    static InboxElection alone() {
        return new InboxElection(null, new RoutePolicySupport() {
        });
    }

    /** The nodes sharing the inbox folders elect one, in the shared ledger ({@link #joinIn} names it). */
    static InboxElection elected(int leaseSeconds) {
        LedgerClusterService service = new LedgerClusterService(leaseSeconds + 2);
        try {
            return new InboxElection(service, ClusteredRoutePolicy.forNamespace(service, NAMESPACE));
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up the inbox election: " + e.getMessage(), e);
        }
    }

    RoutePolicy policy() {
        return policy;
    }

    boolean isElected() {
        return service != null;
    }

    /** Before the routes start: the election runs as one of the context's services, over {@code ledger}. */
    void joinIn(CamelContext context, JdbcLedger ledger) {
        if (service == null) {
            return;
        }
        service.election(new dev.ferry.ledger.Election(ledger));
        ((ClusteredRoutePolicy) policy).setCamelContext(context);
        service.setCamelContext(context);
        if (!context.hasService(service)) {
            try {
                context.addService(service, true, true);
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the inbox election: " + e.getMessage(), e);
            }
        }
    }

    /** Whether this node takes the inboxes now: always when alone. */
    boolean leads() {
        return service == null || ((ClusteredRoutePolicy) policy).isLeader();
    }
}
