package dev.ferry.testing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The faults a {@link FaultProxy} has been told to inject, handed out to connections as they open. Faults
 * are bound when a connection opens, so arming one never disturbs a transfer already running; throttles
 * are looked up per chunk, so a benchmark can slow a connection while it runs.
 */
final class FaultPlan {

    enum Kind { CUT, STALL }

    /** What happens to a connection once it has forwarded {@code afterBytes} bytes. */
    record Fault(Kind kind, long afterBytes) {
        Fault {
            if (afterBytes < 0) {
                throw new IllegalArgumentException("Negative byte count: " + afterBytes);
            }
        }
    }

    /** A data connection's fault and its place in the order data connections opened. */
    record DataAssignment(Fault fault, int epoch, int ordinal) {
    }

    private final Map<Integer, Long> throttles = new ConcurrentHashMap<>();
    private Fault nextData;
    private Fault everyData;
    /** Every data connection cut after {@code growing.afterBytes} + its ordinal × {@code growingStep}, when set. */
    private Fault growing;
    private long growingStep;
    private Fault nextControl;
    private volatile int epoch;
    private int ordinal;

    synchronized void nextData(Fault fault) {
        nextData = fault;
    }

    synchronized void everyData(Fault fault) {
        everyData = fault;
    }

    synchronized void everyDataGrowing(long first, long step) {
        growing = new Fault(Kind.CUT, first);
        growingStep = step;
    }

    synchronized void nextControl(Fault fault) {
        nextControl = fault;
    }

    void throttle(int ordinal, long bytesPerSecond) {
        if (ordinal < 0 || bytesPerSecond < 0) {
            throw new IllegalArgumentException("Negative ordinal or rate: " + ordinal + ", " + bytesPerSecond);
        }
        throttles.put(ordinal, bytesPerSecond);
    }

    synchronized DataAssignment assignData() {
        Fault fault = nextData != null ? nextData : everyData;
        if (fault == null && growing != null) {
            fault = new Fault(Kind.CUT, growing.afterBytes() + growingStep * ordinal);
        }
        nextData = null;
        return new DataAssignment(fault, epoch, ordinal++);
    }

    synchronized Fault takeControl() {
        Fault fault = nextControl;
        nextControl = null;
        return fault;
    }

    /** Bytes per second for that data connection now; 0 = unlimited. */
    long rateFor(int connectionEpoch, int connectionOrdinal) {
        if (connectionEpoch != epoch) {
            return 0;
        }
        return throttles.getOrDefault(connectionOrdinal, 0L);
    }

    /** Forgets every fault and throttle; data connections are numbered from 0 again. */
    synchronized void clear() {
        nextData = null;
        everyData = null;
        growing = null;
        nextControl = null;
        throttles.clear();
        epoch++;
        ordinal = 0;
    }
}
