package dev.ferry.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The width controller against simulated servers on a simulated clock: each connection limited by the server, one
 * link shared by all, and a server that refuses a third connection. Nothing sleeps; a second is 10 samples.
 */
class AdaptiveWidthTest {
    private static final double MIB = 1 << 20;
    private static final long TICK = 100_000_000L;

    /** A server and the link to it, moving bytes for {@code open} connections one tick at a time. */
    private static final class SimulatedRun {
        final double perConnection;
        final double link;
        final int serverCap;
        final AdaptiveWidth width;
        long nanos;
        double bytes;
        int open;
        int refusals;
        int most;

        SimulatedRun(double perConnection, double link, int serverCap, int planned, int ceiling) {
            this.perConnection = perConnection;
            this.link = link;
            this.serverCap = serverCap;
            this.width = AdaptiveWidth.withCeiling(ceiling);
            this.open = Math.min(planned, serverCap);
            this.most = open;
        }

        /** Runs for {@code seconds}, doing what the controller asks after each sample. */
        SimulatedRun runFor(double seconds) {
            long until = nanos + (long) (seconds * 1e9);
            while (nanos < until) {
                nanos += TICK;
                bytes += Math.min(open * perConnection, link) * TICK / 1e9;
                int change = width.sample(nanos, (long) bytes, open);
                for (int i = 0; i < change; i++) {
                    if (open < serverCap) {
                        open++;
                    } else {
                        refusals++;
                        width.atLimit(open);
                    }
                }
                if (change < 0) {
                    open += change;
                }
                most = Math.max(most, open);
            }
            return this;
        }
    }

    @Test
    void aServerThatLimitsEachConnectionGetsConnectionsUpToTheCeiling() {
        SimulatedRun run = new SimulatedRun(2 * MIB, Double.MAX_VALUE, 100, 4, 16).runFor(10);
        assertEquals(16, run.open);
        assertEquals(16, run.most, "never past the ceiling");
        assertTrue(run.width.held());
    }

    @Test
    void theCeilingIsReachedByDoublingWithinAFewSeconds() {
        // 4 -> 8 -> 16: two probes of settle + window each, not twelve steps of one connection.
        SimulatedRun run = new SimulatedRun(2 * MIB, Double.MAX_VALUE, 100, 4, 16).runFor(2.5);
        assertEquals(16, run.open);
    }

    @Test
    void aSharedLinkThatIsFullKeepsTheConnectionsItHadAndRetiresTheOnesThatDidNotPay() {
        // 8 MiB/s for all, each connection could do far more: four fill it, eight move no more than four.
        SimulatedRun run = new SimulatedRun(64 * MIB, 8 * MIB, 100, 4, 16).runFor(10);
        assertEquals(4, run.open);
        assertTrue(run.most <= 8, "grew to " + run.most + " on a full link");
        assertTrue(run.width.held());
    }

    @Test
    void aLinkThatFillsOnTheWayUpStopsWhereAdditionsStopPaying() {
        // 1 MiB/s per connection, 8 MiB/s for all: 4 -> 8 pays in full, 8 -> 16 not at all.
        SimulatedRun run = new SimulatedRun(MIB, 8 * MIB, 100, 4, 16).runFor(10);
        assertEquals(8, run.open);
    }

    @Test
    void aServerThatRefusesAThirdConnectionKeepsTwoWithoutAnError() {
        // The pool had lowered its cap to 2 after the first 421; the controller's one attempt past it is refused too.
        SimulatedRun run = new SimulatedRun(2 * MIB, Double.MAX_VALUE, 2, 4, 16).runFor(10);
        assertEquals(2, run.open);
        assertEquals(2, run.most);
        assertTrue(run.refusals <= 2, run.refusals + " refused connections");
        assertEquals(2, run.width.cap());
        assertTrue(run.width.held());
    }

    @Test
    void aNoisyFullLinkIsNotMistakenForRoomToGrow() {
        // The same full link, read 5 % high or low at random: the measurement noise stays below what an addition
        // must show (a quarter of its connections' worth).
        java.util.Random random = new java.util.Random(42);
        for (int trial = 0; trial < 50; trial++) {
            AdaptiveWidth width = AdaptiveWidth.withCeiling(16);
            int open = 4;
            double bytes = 0;
            for (long nanos = TICK; nanos < 10_000_000_000L; nanos += TICK) {
                bytes += 8 * MIB * (0.95 + 0.1 * random.nextDouble()) * TICK / 1e9;
                open += width.sample(nanos, (long) bytes, open);
            }
            assertEquals(4, open, "trial " + trial);
        }
    }

    @Test
    void oneConnectionIsEnoughWhereTheLinkIsFullWithIt() {
        SimulatedRun run = new SimulatedRun(8 * MIB, 8 * MIB, 100, 1, 16).runFor(10);
        assertEquals(1, run.open);
    }
}
