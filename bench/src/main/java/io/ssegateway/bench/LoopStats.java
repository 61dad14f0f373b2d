package io.ssegateway.bench;

/** Counters of one connection loop; touched by its thread only (snapshots are taken on that thread too). */
final class LoopStats {
    long received;
    long duplicates;
    long outOfOrder;
    long gapEvents;
    long heartbeats;
    long foreignEvents;
    long connectFailures;
    long rejected;
    long closedByServer;
    long protocolErrors;
    long lastEventNanos;
    final Histogram latencyMicros = new Histogram();
    /** Per sequence number, the latest arrival (µs after publish) on this loop: when the event had reached everyone. */
    long[] lastArrivalBySeq = new long[0];

    void arrived(long seq, long latencyMicros) {
        if (seq >= MAX_TRACKED_SEQ) {
            return;
        }
        if (seq >= lastArrivalBySeq.length) {
            lastArrivalBySeq = java.util.Arrays.copyOf(lastArrivalBySeq, (int) Math.max(seq + 1, lastArrivalBySeq.length * 2L));
        }
        if (latencyMicros > lastArrivalBySeq[(int) seq]) {
            lastArrivalBySeq[(int) seq] = latencyMicros;
        }
    }

    /** Sequence numbers beyond this are not tracked per message (memory, and the size of a STATS answer). */
    static final int MAX_TRACKED_SEQ = 4096;

    void clear() {
        received = 0;
        duplicates = 0;
        outOfOrder = 0;
        gapEvents = 0;
        heartbeats = 0;
        foreignEvents = 0;
        connectFailures = 0;
        rejected = 0;
        closedByServer = 0;
        protocolErrors = 0;
        lastEventNanos = 0;
        latencyMicros.clear();
        lastArrivalBySeq = new long[0];
    }
}
