package dev.ferry.service;

import dev.ferry.ledger.Election;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.support.cluster.AbstractCamelClusterService;
import org.apache.camel.support.cluster.AbstractCamelClusterView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Camel's cluster service over the shared ledger's {@link Election}: the inbox routes' {@code ClusteredRoutePolicy}
 * starts them on the node that leads and stops them when it no longer does. A leader that cannot renew for two thirds
 * of its lease (the database unreachable, or the process frozen and woken) gives the lead up before the lease can run
 * out, as a node's transfer leases do; a frozen one no longer keeps the inboxes from the others, as a lock file did.
 */
final class LedgerClusterService extends AbstractCamelClusterService<LedgerClusterService.View> {
    private static final Logger LOG = LoggerFactory.getLogger(LedgerClusterService.class);
    /** How often each node holds a round: the delay of a takeover past the lease, and of a renewal. */
    private static final long ROUND_MILLIS = 1_000;

    private final int leaseSeconds;
    private volatile Election election;

    /**
     * @param leaseSeconds the election's lease: longer than the transfers' by two seconds, so a new leader finds every
     *                     lease of a dead one run out and claims the drops it left half-done at once
     */
    LedgerClusterService(int leaseSeconds) {
        super("ferry-inbox-election");
        this.leaseSeconds = leaseSeconds;
    }

    /** The ledger's election, known once the ledger is open (before the context starts the views). */
    void election(Election e) {
        this.election = e;
    }

    @Override
    protected View createView(String namespace) {
        return new View(this, namespace);
    }

    final class View extends AbstractCamelClusterView {
        private volatile String leader;
        private volatile long renewedAt;
        /** Said once when the rounds start failing (every second otherwise), and once when they work again. */
        private boolean failing;
        private ScheduledExecutorService rounds;

        View(CamelClusterService service, String namespace) {
            super(service, namespace);
        }

        @Override
        public Optional<CamelClusterMember> getLeader() {
            String l = leader;
            return l == null ? Optional.empty() : Optional.of(new Member(l));
        }

        @Override
        public CamelClusterMember getLocalMember() {
            return new Member(election.node());
        }

        @Override
        public List<CamelClusterMember> getMembers() {
            String l = leader;
            return l == null || l.equals(election.node()) ? List.of(getLocalMember())
                    : List.of(getLocalMember(), new Member(l));
        }

        @Override
        protected void doStart() {
            Objects.requireNonNull(election, "the election's ledger");
            rounds = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "ferry-inbox-election");
                t.setDaemon(true);
                return t;
            });
            rounds.scheduleWithFixedDelay(this::round, 0, ROUND_MILLIS, TimeUnit.MILLISECONDS);
        }

        @Override
        protected void doStop() {
            rounds.shutdownNow();
            try {
                rounds.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (leads()) {
                leader = null;
                try {
                    election.resign(getNamespace());
                } catch (RuntimeException e) {
                    LOG.warn("could not give the inboxes' lead up (another node takes it when its lease runs out):"
                            + " {}", e.getMessage());
                }
            }
        }

        private boolean leads() {
            return election.node().equals(leader);
        }

        private void round() {
            long sent = System.nanoTime();
            if (leads() && sent - renewedAt > TimeUnit.SECONDS.toNanos(leaseSeconds) * 2 / 3) {
                // Not renewed for too long (frozen, or the database away): the lease may be another node's by now.
                LOG.warn("node {} could not renew its lead of the inboxes for {} s (lease {} s): it stops taking them",
                        election.node(), TimeUnit.NANOSECONDS.toSeconds(sent - renewedAt), leaseSeconds);
                changed(null);
                return;
            }
            String now;
            try {
                now = election.round(getNamespace(), leaseSeconds);
            } catch (RuntimeException e) {
                if (!failing) {
                    failing = true;
                    LOG.warn("the inboxes' election cannot hold its rounds (tried every second): {}", e.getMessage());
                }
                return;
            }
            if (failing) {
                failing = false;
                LOG.info("the inboxes' election holds its rounds again");
            }
            if (now == null) {
                return;
            }
            if (now.equals(election.node())) {
                renewedAt = sent;
            }
            if (!now.equals(leader)) {
                changed(now);
            }
        }

        private void changed(String now) {
            boolean was = leads();
            leader = now;
            if (leads() && !was) {
                LOG.info("node {} takes the shared inboxes", election.node());
            } else if (was && !leads()) {
                LOG.info("node {} no longer takes the shared inboxes{}", election.node(),
                        now == null ? "" : " (node " + now + " does)");
            }
            fireLeadershipChangedEvent(getLeader());
        }

        private final class Member implements CamelClusterMember {
            private final String id;

            Member(String id) {
                this.id = id;
            }

            @Override
            public boolean isLeader() {
                return id.equals(leader);
            }

            @Override
            public boolean isLocal() {
                return id.equals(election.node());
            }

            @Override
            public String getId() {
                return id;
            }
        }
    }
}
