package io.ssegateway.host;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The gateway's counters. {@link LongAdder}s so that thousands of connection threads can count without
 * contending; read by {@code /api/stats} and {@code /metrics}.
 */
public final class GatewayMetrics {

    /** Messages accepted for delivery (stored and/or queued), one per publish, whatever the number of subscribers. */
    public final LongAdder messagesPublished = new LongAdder();
    /** Events written to client sockets (one per subscriber per event). */
    public final LongAdder eventsDelivered = new LongAdder();
    /** Connections closed because their queue was full. */
    public final LongAdder slowConsumersDropped = new LongAdder();
    /** Connections that asked for a replay ({@code Last-Event-ID} or {@code last_event_id}). */
    public final LongAdder replays = new LongAdder();
    /** Replays whose history did not reach back to the asked id (a {@code gap} event was sent). */
    public final LongAdder replayGaps = new LongAdder();
    /** Events sent from the history during replays. */
    public final LongAdder replayedEvents = new LongAdder();
    /** Replays that failed because the storage did; the stream is ended so that the client retries. */
    public final LongAdder replayFailures = new LongAdder();
    /** Events not sent to a connection because it had already sent that id or a later one. */
    public final LongAdder duplicatesSkipped = new LongAdder();
    /** Appends that failed (the message was then delivered live without an id, or handed back to its source). */
    public final LongAdder appendFailures = new LongAdder();
    /** Messages delivered to live subscribers without being stored. */
    public final LongAdder messagesNotStored = new LongAdder();
    /** SSE connections accepted since start. */
    public final LongAdder connectionsOpened = new LongAdder();
    /** Subscriptions refused by the authenticator, and authenticator failures. */
    public final LongAdder authDenied = new LongAdder();
    public final LongAdder authErrors = new LongAdder();
    /** Exceptions thrown by plugin callbacks (listeners, source onConnect/onDisconnect). */
    public final LongAdder callbackErrors = new LongAdder();

    private final Map<String, LongAdder> messagesRejected = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> connectionsRejected = new ConcurrentHashMap<>();

    /** A message refused by validation, by reason ({@code control_characters}, {@code too_large}, …). */
    public void messageRejected(String reason) {
        messagesRejected.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    /** A subscription refused before streaming, by reason ({@code max_connections}, {@code per_ip}, {@code shutdown}). */
    public void connectionRejected(String reason) {
        connectionsRejected.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    public Map<String, Long> messagesRejected() {
        return snapshot(messagesRejected);
    }

    public Map<String, Long> connectionsRejected() {
        return snapshot(connectionsRejected);
    }

    public long messagesRejectedTotal() {
        return messagesRejected.values().stream().mapToLong(LongAdder::sum).sum();
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> counters) {
        Map<String, Long> copy = new java.util.TreeMap<>();
        counters.forEach((key, value) -> copy.put(key, value.sum()));
        return copy;
    }
}
