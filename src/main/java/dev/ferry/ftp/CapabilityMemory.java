package dev.ferry.ftp;

/**
 * Where {@link CapabilityProbe} keeps its definitive upload answers beyond its own lifetime (the command line: in its
 * ledger, for the next run). The probe's in-memory cache is asked first.
 */
public interface CapabilityMemory {
    CapabilityMemory NONE = new CapabilityMemory() {
        @Override
        public Capabilities recall(ServerProfile profile) {
            return null;
        }

        @Override
        public void remember(ServerProfile profile, Capabilities capabilities) {
        }
    };

    /** What an earlier probe of this server found, or null when nothing (still) stands. */
    Capabilities recall(ServerProfile profile);

    /** A definitive probe result (no answer in it was a passing 4xx). */
    void remember(ServerProfile profile, Capabilities capabilities);
}
