package io.ssegateway.host.sse;

import io.ssegateway.host.GatewayMetrics;
import io.ssegateway.host.GatewaySettings;
import io.ssegateway.host.Json;
import io.ssegateway.host.PluginCalls;
import io.ssegateway.host.RateLimitedLog;
import io.ssegateway.host.channel.CloseReason;
import io.ssegateway.host.channel.Subscriber;
import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.storage.Replay;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;

/**
 * The writer loop of one SSE connection, on the connection's own virtual thread — the only thread that touches its
 * socket. Sends {@code retry:}, the replay, then queued frames (in batches, one flush per batch), heartbeats and
 * keep-alive comments, until the subscriber is closed or a write fails.
 */
final class ConnectionWriter {

    private static final Logger LOG = Logger.getLogger(ConnectionWriter.class.getName());
    private static final RateLimitedLog REPLAY_LOG = new RateLimitedLog(LOG);
    /** Flush at least every this many bytes while draining a long queue. */
    private static final int BATCH_BYTES = 32 * 1024;
    private static final int RECENT_IDS = 8;

    private final Subscriber subscriber;
    private final OutputStream out;
    private final MessageStorage storage;
    private final GatewaySettings settings;
    private final GatewayMetrics metrics;
    private final long heartbeatNanos;
    private final long keepAliveNanos;
    private long lastWrite;
    /**
     * The id the client is known to have everything up to when live delivery starts (its Last-Event-ID, or the end of
     * its replay), or {@code null}: live events at or before it are repeats.
     */
    private String floorId;
    /** The last ids sent, to recognise an exact repeat (a broker redelivering) without holding on to every id. */
    private final String[] recentIds = new String[RECENT_IDS];
    private int recentNext;

    ConnectionWriter(Subscriber subscriber, OutputStream out, MessageStorage storage, GatewaySettings settings,
                     GatewayMetrics metrics) {
        this.subscriber = subscriber;
        this.out = out;
        this.storage = storage;
        this.settings = settings;
        this.metrics = metrics;
        this.heartbeatNanos = settings.heartbeatInterval().toNanos();
        this.keepAliveNanos = settings.cleanupInterval().toNanos();
    }

    /** Streams until the subscriber is closed; a failed write closes it as {@link CloseReason#CLIENT_GONE}. */
    void run(String lastEventId) {
        try {
            long jitter = settings.retryJitter().toMillis();
            write(Frame.retry(settings.retry().toMillis() + (jitter > 0 ? ThreadLocalRandom.current().nextLong(jitter + 1) : 0)));
            out.flush();
            if (lastEventId != null && !replay(lastEventId)) {
                return;
            }
            live();
        } catch (IOException | RuntimeException e) {
            // a failed socket write: Helidon reports it with IOException or its own runtime exceptions
            subscriber.close(CloseReason.CLIENT_GONE);
        }
    }

    /**
     * Sends the history after {@code lastEventId} (a {@code gap} event first if it does not reach back).
     *
     * @return {@code false} if the storage failed: the stream then ends, so that the client reconnects and asks again
     */
    private boolean replay(String lastEventId) throws IOException {
        metrics.replays.increment();
        Replay replay;
        try {
            replay = PluginCalls.withContextLoader(storage,
                    () -> storage.messagesAfter(subscriber.info().channelId(), lastEventId));
        } catch (RuntimeException e) {
            metrics.replayFailures.increment();
            REPLAY_LOG.warn("Replay for channel '" + subscriber.info().channelId() + "' failed in storage '"
                    + storage.name() + "', ending the stream so that the client retries: " + e);
            subscriber.close(CloseReason.REPLAY_FAILED);
            return false;
        }
        if (replay.complete()) {
            floorId = MessageStorage.EARLIEST.equals(lastEventId) ? null : lastEventId;
        } else {
            metrics.replayGaps.increment();
            String gap = Json.object().put("last_event_id", lastEventId).put("earliest_id", replay.earliestId()).toString();
            write(Frame.event(null, "gap", gap, null));
        }
        for (SseEvent event : replay.events()) {
            write(Frame.event(event.id(), event.eventType(), event.data(), event.retry()));
            floorId = event.id();
        }
        out.flush();
        metrics.replayedEvents.add(replay.events().size());
        return true;
    }

    /**
     * Writes queued frames until closed. An id-bearing frame is skipped if the client already has it: at or before
     * {@link #floorId} (live events queued while the replay ran repeat its tail, and a bus may deliver late what the
     * client got from another instance), or one of the last ids sent (a broker redelivering). A frame with a lower id
     * that this connection never sent is still sent: out of order beats lost.
     */
    private void live() throws IOException {
        long now = System.nanoTime();
        long nextHeartbeat = now + heartbeatNanos;
        lastWrite = now;
        while (subscriber.closeReason() == null) {
            Frame frame = subscriber.poll();
            if (frame == null) {
                now = System.nanoTime();
                if (heartbeatNanos > 0 && now - nextHeartbeat >= 0) {
                    writeAndFlush(Frame.heartbeat(System.currentTimeMillis()));
                    nextHeartbeat = now + heartbeatNanos;
                } else if (now - lastWrite >= keepAliveNanos) {
                    writeAndFlush(Frame.KEEP_ALIVE);
                } else {
                    long wait = lastWrite + keepAliveNanos - now;
                    if (heartbeatNanos > 0) {
                        wait = Math.min(wait, nextHeartbeat - now);
                    }
                    LockSupport.parkNanos(wait);
                    if (Thread.interrupted() && subscriber.closeReason() == null) {
                        // the server interrupts connection threads when it is stopped without a grace period
                        subscriber.close(CloseReason.SHUTDOWN);
                    }
                }
                continue;
            }
            int written = 0;
            int bytes = 0;
            while (frame != null) {
                if (frame.id() != null) {
                    if (clientHas(frame.id())) {
                        metrics.duplicatesSkipped.increment();
                        frame = subscriber.poll();
                        continue;
                    }
                    recentIds[recentNext] = frame.id();
                    recentNext = (recentNext + 1) % RECENT_IDS;
                }
                write(frame);
                written++;
                bytes += frame.bytes().length;
                if (bytes >= BATCH_BYTES) {
                    break;
                }
                frame = subscriber.poll();
            }
            if (written > 0) {
                out.flush();
                lastWrite = System.nanoTime();
                metrics.eventsDelivered.add(written);
            }
        }
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

    private void write(Frame frame) throws IOException {
        out.write(frame.bytes());
    }

    private void writeAndFlush(Frame frame) throws IOException {
        out.write(frame.bytes());
        out.flush();
        lastWrite = System.nanoTime();
    }
}
