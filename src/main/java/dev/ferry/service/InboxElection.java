package dev.ferry.service;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.support.RoutePolicySupport;

/**
 * Who takes the inboxes: the route policy the inbox routes name ({@code routePolicy: ferryInboxPolicy}).
 *
 * <p>Alone ({@code ferry.cluster.inbox=local}, the default) the policy does nothing: the service holds its inboxes
 * by {@link InboxLocks} and they run whenever it runs. Elected ({@code master}): Camel's {@link ClusteredRoutePolicy}
 * over a {@link FileLockClusterService} whose lock file is on the shared storage, so the inbox routes run on one
 * node at a time, and on another once that node is gone. A follower takes over only when the leader's heartbeat is
 * older than a lease and two seconds: by then every lease the dead node held has run out, so the new leader claims
 * the drops it finds half-done at once, instead of meeting a live lease of a node that no longer runs them.
 */
final class InboxElection {
    /** The namespace of the election: one leader for all of a cluster's inbox routes. */
    static final String NAMESPACE = "ferry-inbox";
    /** The leader's heartbeat period (all members must use the same). */
    private static final long HEARTBEAT_SECONDS = 1;

    private final FileLockClusterService service;
    private final RoutePolicy policy;

    private InboxElection(FileLockClusterService service, RoutePolicy policy) {
        this.service = service;
        this.policy = policy;
    }

    /** One service per inbox: the routes run whenever the service runs. */
    static InboxElection alone() {
        return new InboxElection(null, new RoutePolicySupport() {
        });
    }

    /** The nodes sharing the inbox folders elect one, over a lock file in {@code lockDir}. */
    static InboxElection elected(Path lockDir, int leaseSeconds) {
        FileLockClusterService service = new FileLockClusterService();
        service.setId("ferry-inbox-election");
        service.setRoot(lockDir.toAbsolutePath().normalize().toString());
        service.setAcquireLockInterval(HEARTBEAT_SECONDS, TimeUnit.SECONDS);
        service.setAcquireLockDelay(HEARTBEAT_SECONDS, TimeUnit.SECONDS);
        service.setHeartbeatTimeoutMultiplier((int) ((leaseSeconds + 2) / HEARTBEAT_SECONDS));
        try {
            return new InboxElection(service, ClusteredRoutePolicy.forNamespace(service, NAMESPACE));
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up the inbox election in " + lockDir + ": " + e.getMessage(), e);
        }
    }

    RoutePolicy policy() {
        return policy;
    }

    boolean isElected() {
        return service != null;
    }

    /** Before the routes start: the election runs as one of the context's services. */
    void joinIn(CamelContext context) {
        if (service == null) {
            return;
        }
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
