package io.ssegateway.host.core;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The gateway's counters and histograms, in one Micrometer registry per gateway that {@code /metrics} scrapes.
 * Counters are {@link LongAdder}s (thousands of connection threads count without contending) registered as function
 * counters, so {@code /api/stats} reads the same numbers; every counter, and every label value known in advance
 * ({@link Rejection}, {@link #declareStreamEnd}, {@link #declareTimeoutPhase}), exists at zero from the start.
 * Recording into the histograms allocates nothing (fixed buckets): the delivery path records once per write batch.
 */
public final class GatewayMetrics implements AutoCloseable {

    /** Latencies on the HTTP and delivery paths: 100 µs to 10 s. */
    private static final Duration[] LATENCY_BUCKETS = durations(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500,
            1000, 2500, 5000, 10_000);
    /** A replay reads pages from a storage: 1 ms to 30 s. */
    private static final Duration[] REPLAY_BUCKETS = durations(1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000,
            10_000, 30_000);
    /** Replayed bytes: 1 KiB to 64 MiB, by fours. */
    private static final double[] REPLAY_BYTES_BUCKETS = {1 << 10, 1 << 12, 1 << 14, 1 << 16, 1 << 18, 1 << 20,
            1 << 22, 1 << 24, 1 << 26};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ProcessMetrics process = new ProcessMetrics(registry);

    /** Messages accepted for delivery (stored and/or queued), one per publish, whatever the number of subscribers. */
    public final LongAdder messagesPublished = counter("sse.messages.published", "Messages accepted for delivery.");
    /** Events written to client sockets (one per subscriber per event). */
    public final LongAdder eventsDelivered = counter("sse.events.delivered", "Events written to clients.");
    /** Connections closed because their queue was full. */
    public final LongAdder slowConsumersDropped = counter("sse.slow.consumers.dropped",
            "Connections closed because their queue was full.");
    /** Connections that asked for a replay ({@code Last-Event-ID} or {@code last_event_id}). */
    public final LongAdder replays = counter("sse.replays", "Subscriptions that asked for a replay.");
    /** Replays whose history did not reach back to the asked id (a {@code gap} event was sent). */
    public final LongAdder replayGaps = counter("sse.replay.gaps",
            "Replays whose history did not reach back (gap event sent).");
    /** Events sent from the history during replays. */
    public final LongAdder replayedEvents = counter("sse.replayed.events", "Events sent from history.");
    /** Replays that failed because the storage did; the stream is ended so that the client retries. */
    public final LongAdder replayFailures = counter("sse.replay.failures", "Replays that failed in the storage.");
    /** Events not sent to a connection because it had already sent that id or a later one. */
    public final LongAdder duplicatesSkipped = counter("sse.duplicates.skipped",
            "Events not re-sent to a connection that already had them.");
    /** Appends that failed (the message was then delivered live without an id, or handed back to its source). */
    public final LongAdder appendFailures = counter("sse.append.failures", "Messages the storage failed to append.");
    /** Messages delivered to live subscribers without being stored. */
    public final LongAdder messagesNotStored = counter("sse.messages.not.stored",
            "Messages delivered live without being stored.");
    /** SSE connections accepted since start. */
    public final LongAdder connectionsOpened = counter("sse.connections.opened", "SSE connections accepted.");
    /** Subscriptions refused by the authenticator, and authenticator failures. */
    public final LongAdder authDenied = counter("sse.auth.denied", "Subscriptions denied by the authenticator.");
    public final LongAdder authErrors = counter("sse.auth.errors", "Authenticator failures (answered 503).");
    /** Streams ended because the client's credential expired. */
    public final LongAdder connectionsExpired = counter("sse.connections.expired",
            "Streams ended because the client's credential expired.");
    /** Publish requests with a publisher credential that the authenticator refused. */
    public final LongAdder publishersDenied = counter("sse.publishers.denied",
            "Publisher credentials refused by the authenticator.");
    /** Exceptions thrown by plugin callbacks (listeners, source onConnect/onDisconnect). */
    public final LongAdder callbackErrors = counter("sse.plugin.callback.errors", "Exceptions thrown by plugin callbacks.");
    /**
     * Times the listener reached {@code server.max-tcp-connections} and stopped accepting: clients then wait in the
     * kernel's backlog until a connection ends.
     */
    public final LongAdder tcpLimitReached = counter("sse.tcp.limit.reached",
            "Times the listener reached server.max-tcp-connections (clients then wait in the accept backlog).");

    /** {@code POST /api/send}, from the handler's start to its answer (authorization, parsing, storing, fan-out). */
    public final Timer sendDuration = timer("sse.api.send.duration",
            "POST /api/send: from the request's handler to its answer.", LATENCY_BUCKETS);
    /** {@code POST /api/send} held back because the fan-out is behind ({@code gateway.send-backpressure}); waits only. */
    public final Timer sendBackpressureWait = timer("sse.api.send.backpressure.wait",
            "POST /api/send: time held back while the fan-out was behind (gateway.send-backpressure), when it was.",
            LATENCY_BUCKETS);
    /**
     * From a message's frame being encoded (once, on publish) to its bytes flushed to a client's socket: sampled once
     * per write batch, with the batch's oldest frame.
     */
    public final Timer deliveryLatency = timer("sse.delivery.latency",
            "From publish to a client's socket, one sample per write batch (its oldest event).", LATENCY_BUCKETS);
    /** One replay, every page of it, from the first storage read to the last flush. */
    public final Timer replayDuration = timer("sse.replay.duration",
            "Replays: from the first storage read to the last byte flushed.", REPLAY_BUCKETS);
    /** The bytes one replay sent. */
    public final DistributionSummary replaySize = DistributionSummary.builder("sse.replay.size").baseUnit("bytes")
            .description("Bytes sent by one replay.").serviceLevelObjectives(REPLAY_BYTES_BUCKETS).register(registry);
    /** From an SSE request reaching its handler (validation, authentication, listeners) to its {@code retry:} flushed. */
    public final Timer connectFirstByte = timer("sse.connect.first.byte",
            "SSE subscriptions: from the request to the first byte of the stream (retry:) flushed.", LATENCY_BUCKETS);

    private final LabelledCounter messagesRejected = new LabelledCounter(registry, "sse.messages.rejected",
            "Invalid messages refused or dropped, by reason.", "reason");
    private final LabelledCounter connectionsRejected = new LabelledCounter(registry, "sse.connections.rejected",
            "Subscriptions refused before streaming, by reason.", "reason");
    private final LabelledCounter connectionsTimedOut = new LabelledCounter(registry, "sse.connections.timed.out",
            "TCP connections closed because a request phase took too long, by phase (header, body, idle).", "phase");
    private final LabelledCounter streamsEnded = new LabelledCounter(registry, "sse.connections.closed",
            "SSE streams ended, by reason.", "reason");

    public GatewayMetrics() {
        for (Rejection rejection : Rejection.values()) {
            (rejection.kind() == Rejection.Kind.MESSAGE ? messagesRejected : connectionsRejected).declare(rejection.label());
        }
    }

    /** The registry {@code /metrics} scrapes; the gateway adds its gauges to it. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Records {@code nanos} into {@code timer}; allocation-free. */
    public static void record(Timer timer, long nanos) {
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A message refused by validation. */
    public void messageRejected(Rejection reason) {
        messagesRejected.increment(reason.label());
    }

    /** A subscription refused before streaming. */
    public void connectionRejected(Rejection reason) {
        connectionsRejected.increment(reason.label());
    }

    /** Registers a stream-end reason's series at zero. */
    public void declareStreamEnd(String reason) {
        streamsEnded.declare(reason);
    }

    /** Registers a request phase's time-out series at zero. */
    public void declareTimeoutPhase(String phase) {
        connectionsTimedOut.declare(phase);
    }

    /** A TCP connection closed because a request phase took too long, by phase ({@code header}, {@code body}, {@code idle}). */
    public void connectionTimedOut(String phase) {
        connectionsTimedOut.increment(phase);
    }

    /** An SSE stream ended, by reason ({@code client_gone}, {@code slow_consumer}, {@code shutdown}, {@code replay_failed}). */
    public void streamEnded(String reason) {
        streamsEnded.increment(reason);
    }

    /** The phases with at least one time-out. */
    public Map<String, Long> connectionsTimedOut() {
        return connectionsTimedOut.nonZero();
    }

    /** The reasons that ended at least one stream. */
    public Map<String, Long> streamsEnded() {
        return streamsEnded.nonZero();
    }

    /** The reasons that refused at least one message. */
    public Map<String, Long> messagesRejected() {
        return messagesRejected.nonZero();
    }

    /** The reasons that refused at least one subscription. */
    public Map<String, Long> connectionsRejected() {
        return connectionsRejected.nonZero();
    }

    public long messagesRejectedTotal() {
        return messagesRejected.total();
    }

    /** Unhooks the JVM binders (GC notifications) and closes the registry. */
    @Override
    public void close() {
        process.close();
        registry.close();
    }

    private LongAdder counter(String name, String description) {
        LongAdder adder = new LongAdder();
        FunctionCounter.builder(name, adder, LongAdder::sum).description(description).register(registry);
        return adder;
    }

    private Timer timer(String name, String description, Duration[] buckets) {
        return Timer.builder(name).description(description).serviceLevelObjectives(buckets).register(registry);
    }

    private static Duration[] durations(double... millis) {
        Duration[] durations = new Duration[millis.length];
        for (int i = 0; i < millis.length; i++) {
            durations[i] = Duration.ofNanos(Math.round(millis[i] * 1_000_000));
        }
        return durations;
    }
}
