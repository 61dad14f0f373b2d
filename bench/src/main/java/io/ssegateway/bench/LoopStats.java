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
    }
}
