package io.ssegateway.host.sse;

import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerResponse;
import io.ssegateway.host.channel.CloseReason;
import io.ssegateway.host.channel.Subscriber;
import io.ssegateway.host.core.Frame;
import io.ssegateway.host.core.GatewayMetrics;
import io.ssegateway.host.core.GatewaySettings;
import io.ssegateway.host.core.JsonText;
import io.ssegateway.host.core.PluginCalls;
import io.ssegateway.host.http.Json;
import io.ssegateway.host.http.StreamLink;
import io.ssegateway.kit.RateLimitedLog;
import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.storage.MessageStorage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;

/**
 * Writes one SSE connection: {@code retry:} and the replay on the request's own thread ({@link #start}), then queued
 * frames (in batches, one flush per batch), heartbeats and keep-alive comments in write passes ({@link #pass}) that
 * the {@link Subscriber} starts when there is something to write — never two at once, so one thread at a time
 * touches the socket. Once the subscriber is closed, the pass that sees it ends the stream and closes the socket.
 */
final class ConnectionWriter implements Subscriber.Writer {

    private static final Logger LOG = Logger.getLogger(ConnectionWriter.class.getName());
    private static final RateLimitedLog REPLAY_LOG = new RateLimitedLog(LOG);
    /** Write at most about this many bytes at once while draining a long queue. */
    private static final int BATCH_BYTES = 32 * 1024;
    private static final int RECENT_IDS = 8;

    private final Subscriber subscriber;
    private final ServerResponse response;
    private final OutputStream out;
    private final StreamLink connection;
    private final MessageStorage storage;
    private final GatewaySettings settings;
    private final GatewayMetrics metrics;
    /** When the client's credential expires ({@code null}: never): the stream then ends with an {@code expired} event. */
    private final Instant credentialExpiresAt;
    private final long heartbeatNanos;
    private final long keepAliveNanos;
    private long lastWrite;
    private long nextHeartbeat;
    /**
     * The id the client is known to have everything up to when live delivery starts (its Last-Event-ID, or the end of
     * its replay), or {@code null}: live events at or before it are repeats.
     */
    private String floorId;
    /** The last ids sent, to recognise an exact repeat (a broker redelivering) without holding on to every id. */
    private final String[] recentIds = new String[RECENT_IDS];
    private int recentNext;
    /** Events written to this client (replayed and live); passes run one at a time, each after the last. */
    private long eventsSent;
    /** Where each channel stands, on a connection to several channels; {@code null} on a single-channel one. */
    private final ChannelCursor cursor;

    /** Also becomes {@code subscriber}'s writer. Call on the request's thread (it opens the response stream). */
    ConnectionWriter(Subscriber subscriber, ServerResponse response, StreamLink connection, MessageStorage storage,
                     GatewaySettings settings, GatewayMetrics metrics, Instant credentialExpiresAt) {
        this.subscriber = subscriber;
        this.response = response;
        this.out = response.outputStream();
        this.connection = connection;
        this.storage = storage;
        this.settings = settings;
        this.metrics = metrics;
        this.credentialExpiresAt = credentialExpiresAt;
        this.heartbeatNanos = settings.heartbeatInterval().toNanos();
        this.keepAliveNanos = settings.keepAliveInterval().toNanos();
        this.cursor = subscriber.isMultiChannel() ? new ChannelCursor(subscriber.info().channelIds()) : null;
        subscriber.writer(this);
    }

    /**
     * Writes the stream's start on the request's thread, which holds the writer role until then: {@code retry:} and
     * the replay after {@code lastEventId} (or none); on a multi-channel connection, the {@code subscribed} event and
     * the replay of each channel ({@link MultiChannelStart}). Then live frames are the passes' job. Call it after the
     * subscriber is registered.
     */
    void start(String lastEventId, long requestStartNanos) {
        try {
            long jitter = settings.retryJitter().toMillis();
            out.write(Frame.retry(settings.retry().toMillis() + (jitter > 0 ? ThreadLocalRandom.current().nextLong(jitter + 1) : 0)).bytes());
            out.flush();
            GatewayMetrics.record(metrics.connectFirstByte, System.nanoTime() - requestStartNanos);
            if (cursor != null) {
                eventsSent += new MultiChannelStart(cursor, subscriber, out, storage, settings, metrics).run(lastEventId);
            } else if (lastEventId != null) {
                replay(lastEventId);
            }
        } catch (IOException | RuntimeException e) {
            // a failed socket write: Helidon reports it with IOException or its own runtime exceptions
            subscriber.close(CloseReason.CLIENT_GONE);
        }
        long now = System.nanoTime();
        nextHeartbeat = now + heartbeatNanos;
        lastWrite = now;
        finishPass();
    }

    /**
     * One write pass: the queued frames, in batches; then a heartbeat or keep-alive if one is due. An id-bearing frame
     * is skipped if the client already has it: at or before {@link #floorId} (live events queued while the replay ran
     * repeat its tail, and a bus may deliver late what the client got from another instance), or one of the last ids
     * sent (a broker redelivering). A frame with a lower id that this connection never sent is still sent: out of
     * order beats lost.
     */
    @Override
    public void pass() {
        connection.passStarted();
        try {
            Frame frame;
            while (subscriber.closeReason() == null && (frame = subscriber.poll()) != null) {
                if (cursor != null) {
                    writeChannelsBatch(frame);
                } else {
                    writeBatch(frame);
                }
            }
            long now = System.nanoTime();
            if (subscriber.closeReason() == null) {
                if (heartbeatNanos > 0 && now - nextHeartbeat >= 0) {
                    writeAndFlush(Frame.heartbeat(System.currentTimeMillis()));
                    nextHeartbeat = now + heartbeatNanos;
                } else if (now - lastWrite >= keepAliveNanos) {
                    // the backstop for a client that vanished without closing: a write to it fails eventually
                    writeAndFlush(Frame.KEEP_ALIVE);
                }
            }
        } catch (IOException | RuntimeException e) {
            subscriber.close(CloseReason.CLIENT_GONE);
        } finally {
            connection.passEnded();
        }
        finishPass();
    }

    /** Events written to the client so far; read once the stream ended (its last pass is over). */
    long eventsSent() {
        return eventsSent;
    }

    /** Breaks the stream off: a blocked write fails, and the request thread watching the client returns. */
    @Override
    public void abort() {
        connection.abort();
    }

    /** An HTTP/2 stream interrupts the thread of a pass blocked on it; an HTTP/1.1 connection closes its socket. */
    @Override
    public boolean interruptsItsThread() {
        return !connection.ownsConnection();
    }

    /** Hands the writer role back (with the time the next heartbeat or keep-alive is due), or ends the stream. */
    private void finishPass() {
        CloseReason reason = subscriber.closeReason();
        if (reason == null) {
            long wakeAt = lastWrite + keepAliveNanos;
            if (heartbeatNanos > 0 && nextHeartbeat - wakeAt < 0) {
                wakeAt = nextHeartbeat;
            }
            subscriber.passDone(wakeAt);
            return;
        }
        if (reason == CloseReason.CREDENTIAL_EXPIRED) {
            sayExpired();
        }
        if (reason == CloseReason.SHUTDOWN || reason == CloseReason.REPLAY_FAILED || reason == CloseReason.CREDENTIAL_EXPIRED) {
            // the client is still there: end the chunked body properly before closing
            try {
                if (response instanceof RoutingResponse routing) {
                    routing.commit();
                }
            } catch (RuntimeException clientGone) {
                // it went away meanwhile
            }
        }
        connection.close();
        subscriber.ended();
    }

    /**
     * Sends the history after {@code lastEventId} (a {@code gap} event first if it does not reach back), one page at a
     * time: a client that reads slowly pins at most one page of {@code gateway.replay-page-bytes}.
     *
     * If the storage fails, the subscriber is closed: the stream ends, so that the client reconnects and asks again.
     */
    private void replay(String lastEventId) throws IOException {
        String channelId = subscriber.info().channelId();
        ReplayPages pages = new ReplayPages(storage, settings.replayPageBytes(), subscriber, out, metrics);
        pages.measured(() -> pages.send(channelId, lastEventId, new ReplayPages.Frames() {
            @Override
            public void reachesBack(String floor) {
                floorId = floor;
            }

            @Override
            public void gap(ByteArrayOutputStream to, String askedAfter, String earliestId) {
                // not Jackson: its per-thread buffers would stay with this (long-lived) thread
                to.writeBytes(Frame.event(null, "gap", JsonText.gap(null, askedAfter, earliestId)).bytes());
            }

            @Override
            public void event(ByteArrayOutputStream to, SseEvent event) {
                to.writeBytes(Frame.event(event.streamId(), event.eventType(), event.data()).bytes());
                floorId = event.streamId();
            }

            @Override
            public void failed(Throwable e) {
                metrics.replayFailures.increment();
                REPLAY_LOG.warn("Replay for channel '" + channelId + "' failed in storage '" + storage.name()
                        + "', ending the stream so that the client retries: " + PluginCalls.describe(storage, e));
                subscriber.close(CloseReason.REPLAY_FAILED);
            }
        }));
        eventsSent += pages.events();
    }

    /**
     * Writes {@code first} and whatever else is queued (up to {@link #BATCH_BYTES}) as one write and one flush, so
     * one chunk and one socket write. The response stream is unbuffered (see {@code Gateway}): a single frame is
     * written straight from its shared bytes, several are joined into one transient array.
     */
    private void writeBatch(Frame first) throws IOException {
        Frame single = null;
        List<Frame> several = null;
        int bytes = 0;
        for (Frame frame = first; frame != null; frame = bytes >= BATCH_BYTES ? null : subscriber.poll()) {
            if (frame.id() != null) {
                if (clientHas(frame.id())) {
                    metrics.duplicatesSkipped.increment();
                    continue;
                }
                recentIds[recentNext] = frame.id();
                recentNext = (recentNext + 1) % RECENT_IDS;
            }
            if (single == null) {
                single = frame;
            } else {
                if (several == null) {
                    several = new ArrayList<>();
                    several.add(single);
                }
                several.add(frame);
            }
            bytes += frame.bytes().length;
        }
        if (single == null) {
            return;
        }
        out.write(several == null ? single.bytes() : joined(several, bytes));
        out.flush();
        batchWritten(several == null ? 1 : several.size(), single);
    }

    /**
     * {@link #writeBatch} for a multi-channel connection: each event with the connection's own {@code id:} line (the
     * cursor after it) and its frame's shared {@link Frame#envelope}; repeats are skipped per channel.
     */
    private void writeChannelsBatch(Frame first) throws IOException {
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        int count = 0;
        for (Frame frame = first; frame != null; frame = batch.size() >= BATCH_BYTES ? null : subscriber.poll()) {
            byte[] envelope = frame.envelope();
            if (envelope == null) {
                batch.writeBytes(frame.bytes());
                count++;
                continue;
            }
            if (frame.id() != null && frame.channel() != null) {
                int index = cursor.indexOf(frame.channel());
                if (index < 0) {
                    continue;
                }
                if (cursor.clientHas(index, frame.id(), storage)) {
                    metrics.duplicatesSkipped.increment();
                    continue;
                }
                cursor.delivered(index, frame.id(), storage);
                MultiChannelStart.writeId(batch, cursor);
            }
            batch.writeBytes(envelope);
            count++;
        }
        if (count == 0) {
            return;
        }
        batch.writeTo(out);
        out.flush();
        batchWritten(count, first);
    }

    /**
     * Counts a batch of {@code count} events just flushed, and takes one latency sample from its {@code oldest} frame
     * (it waited longest): for the metric, and for the publishers' backpressure ({@link Subscriber#reportLag}).
     */
    private void batchWritten(int count, Frame oldest) {
        lastWrite = System.nanoTime();
        metrics.eventsDelivered.add(count);
        eventsSent += count;
        if (oldest.encodedAtNanos() != 0) {
            long lag = lastWrite - oldest.encodedAtNanos();
            GatewayMetrics.record(metrics.deliveryLatency, lag);
            subscriber.reportLag(lag);
        }
    }

    private static byte[] joined(List<Frame> frames, int bytes) {
        byte[] joined = new byte[bytes];
        int at = 0;
        for (Frame frame : frames) {
            System.arraycopy(frame.bytes(), 0, joined, at, frame.bytes().length);
            at += frame.bytes().length;
        }
        return joined;
    }

    /** Whether the client already has the event {@code id}; an id the storage cannot order counts as new. */
    private boolean clientHas(String id) {
        for (String recent : recentIds) {
            if (id.equals(recent)) {
                return true;
            }
        }
        if (floorId == null) {
            return false;
        }
        try {
            return storage.compareIds(id, floorId) <= 0;
        } catch (IllegalArgumentException unordered) {
            return false;
        }
    }

    /** The last event of a stream whose credential expired: tells the client why before the stream ends. */
    private void sayExpired() {
        try {
            String data = Json.object().put("expired_at", String.valueOf(credentialExpiresAt)).toString();
            out.write(Frame.event(null, "expired", data).bytes());
            out.flush();
        } catch (IOException | RuntimeException clientGone) {
            // the stream ends anyway
        }
    }

    private void writeAndFlush(Frame frame) throws IOException {
        out.write(frame.bytes());
        out.flush();
        lastWrite = System.nanoTime();
    }
}
