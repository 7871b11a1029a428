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
        /** The pool's cap for the server: lowered by a 421, as the planned connections past the server's met. */
        int poolCap;
        int most;
        /** Connections opened beyond the planned ones. */
        int opened;
        /** The width after each tick. */
        final java.util.List<Integer> widths = new java.util.ArrayList<>();

        SimulatedRun(double perConnection, double link, int serverCap, int planned, int ceiling) {
            this.perConnection = perConnection;
            this.link = link;
            this.serverCap = serverCap;
            this.width = AdaptiveWidth.withCeiling(ceiling);
            this.open = Math.min(planned, serverCap);
            this.poolCap = planned > serverCap ? serverCap : Integer.MAX_VALUE;
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
                        opened++;
                    } else if (open < poolCap) {
                        // The server's 421: the pool lowers its cap and remembers it.
                        refusals++;
                        poolCap = open;
                        width.atLimit(open);
                    } else {
                        // The pool's cap is taken: no login is tried.
                        width.atLimit(open);
                    }
                }
                if (change < 0) {
                    open += change;
                }
                most = Math.max(most, open);
                widths.add(open);
            }
            return this;
        }

        double secondsAbove(int width) {
            return widths.stream().filter(w -> w > width).count() * TICK / 1e9;
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
    void theCeilingIsReachedInOneProbeOfFourTimesThePlannedWidth() {
        // 4 -> 16: one probe of settle + window (0.8 s) after the first measurement, not two or twelve.
        SimulatedRun run = new SimulatedRun(2 * MIB, Double.MAX_VALUE, 100, 4, 16).runFor(1.5);
        assertEquals(16, run.open);
        assertEquals(12, run.opened, "connections opened beyond the plan");
    }

    @Test
    void aSharedLinkThatIsFullKeepsTheConnectionsItHadAndRetiresTheOnesThatDidNotPay() {
        // 8 MiB/s for all, each connection could do far more: four fill it, sixteen move no more than four.
        SimulatedRun run = new SimulatedRun(64 * MIB, 8 * MIB, 100, 4, 16).runFor(10);
        assertEquals(4, run.open);
        assertTrue(run.most <= 16, "grew to " + run.most + " past the ceiling");
        assertEquals(12, run.opened, "one probe, then held");
        assertTrue(run.secondsAbove(4) <= 1.0, run.secondsAbove(4) + " s with more than 4 connections");
        assertTrue(run.width.held());
    }

    @Test
    void aLinkThatFillsOnTheWayUpStopsWhereAdditionsStopPaying() {
        // 1 MiB/s per connection, 8 MiB/s for all: the probe to 16 pays for 4 of its 12; a ninth does not pay.
        SimulatedRun run = new SimulatedRun(MIB, 8 * MIB, 100, 4, 16).runFor(10);
        assertEquals(8, run.open);
        assertTrue(run.width.held());
    }

    @Test
    void aLinkThatFillsBetweenTwoDoublingsKeepsWhatItPaidFor() {
        // Full at 10 and at 6 connections: neither a doubling nor the probe's width, but what the gain paid for.
        assertEquals(10, new SimulatedRun(MIB, 10 * MIB, 100, 4, 16).runFor(10).open);
        assertEquals(6, new SimulatedRun(MIB, 6 * MIB, 100, 4, 16).runFor(10).open);
        assertEquals(5, new SimulatedRun(MIB, 5 * MIB, 100, 4, 16).runFor(10).open);
    }

    @Test
    void aServerThatRefusesAThirdConnectionKeepsTwoWithoutAnError() {
        // The pool had lowered its cap to 2 after the planned connections' 421s: the probe finds it taken, and no
        // login past it is tried.
        SimulatedRun run = new SimulatedRun(2 * MIB, Double.MAX_VALUE, 2, 4, 16).runFor(10);
        assertEquals(2, run.open);
        assertEquals(2, run.most);
        assertEquals(0, run.refusals, "refused connections");
        assertEquals(2, run.width.cap());
        assertTrue(run.width.held());
    }

    @Test
    void aCapFirstMetByTheProbeIsMetOnce() {
        // Two planned connections, a server that takes three: the probe's fourth login gets the 421, the others of
        // the probe find the pool's lowered cap taken.
        SimulatedRun run = new SimulatedRun(2 * MIB, Double.MAX_VALUE, 3, 2, 16).runFor(10);
        assertEquals(3, run.open);
        assertEquals(1, run.refusals, "refused connections");
        assertEquals(3, run.width.cap());
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
