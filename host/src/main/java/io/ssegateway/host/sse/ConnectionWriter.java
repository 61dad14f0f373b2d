package io.ssegateway.host.sse;

import io.ssegateway.host.GatewayMetrics;
import io.ssegateway.host.GatewaySettings;
import io.ssegateway.host.Json;
import io.ssegateway.host.PluginCalls;
import io.ssegateway.spi.RateLimitedLog;
import io.ssegateway.host.channel.CloseReason;
import io.ssegateway.host.channel.Subscriber;
import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.storage.Replay;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;

/**
 * The writer loop of one SSE connection, on the connection's own virtual thread — the only thread that touches its
 * socket. Sends {@code retry:}, the replay, then queued frames (in batches, one flush per batch), heartbeats and
 * keep-alive comments, until the subscriber is closed or a write fails.
 */
final class ConnectionWriter {

    private static final Logger LOG = Logger.getLogger(ConnectionWriter.class.getName());
    private static final RateLimitedLog REPLAY_LOG = new RateLimitedLog(LOG);
    /** Write at most about this many bytes at once while draining a long queue. */
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
            out.write(Frame.retry(settings.retry().toMillis() + (jitter > 0 ? ThreadLocalRandom.current().nextLong(jitter + 1) : 0)).bytes());
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
        // the response stream is unbuffered: collect the history into few large writes
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        if (replay.complete()) {
            floorId = MessageStorage.EARLIEST.equals(lastEventId) ? null : lastEventId;
        } else {
            metrics.replayGaps.increment();
            String gap = Json.object().put("last_event_id", lastEventId).put("earliest_id", replay.earliestId()).toString();
            pending.writeBytes(Frame.event(null, "gap", gap, null).bytes());
        }
        for (SseEvent event : replay.events()) {
            pending.writeBytes(Frame.event(event.id(), event.eventType(), event.data(), event.retry()).bytes());
            floorId = event.id();
            if (pending.size() >= BATCH_BYTES) {
                pending.writeTo(out);
                pending.reset();
            }
        }
        if (pending.size() > 0) {
            pending.writeTo(out);
        }
        out.flush();
        metrics.replayedEvents.add(replay.events().size());
        return true;
    }

    /**
     * Writes queued frames until closed. An id-bearing frame is skipped if the client already has it: at or before
     * {@link #floorId} (live events queued while the replay ran repeat its tail, and a bus may deliver late what the
     * client got from another instance), or one of the last ids sent (a broker redelivering). A frame with a lower id
     * that this connection never sent is still sent: out of order beats lost. Between frames the writer parks without a timer; the {@link WriterTimer} wakes it when a heartbeat or
     * keep-alive is due.
     */
    private void live() throws IOException {
        long now = System.nanoTime();
        long nextHeartbeat = now + heartbeatNanos;
        lastWrite = now;
        while (subscriber.closeReason() == null) {
            Frame frame = subscriber.poll();
            if (frame != null) {
                writeBatch(frame);
                continue;
            }
            now = System.nanoTime();
            if (heartbeatNanos > 0 && now - nextHeartbeat >= 0) {
                writeAndFlush(Frame.heartbeat(System.currentTimeMillis()));
                nextHeartbeat = now + heartbeatNanos;
            } else if (now - lastWrite >= keepAliveNanos) {
                writeAndFlush(Frame.KEEP_ALIVE);
            } else {
                long wakeAt = lastWrite + keepAliveNanos;
                if (heartbeatNanos > 0 && nextHeartbeat - wakeAt < 0) {
                    wakeAt = nextHeartbeat;
                }
                subscriber.awaitFrames(wakeAt);
                if (Thread.interrupted() && subscriber.closeReason() == null) {
                    // the server interrupts connection threads when it is stopped without a grace period
                    subscriber.close(CloseReason.SHUTDOWN);
                }
            }
        }
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
        lastWrite = System.nanoTime();
        metrics.eventsDelivered.add(several == null ? 1 : several.size());
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

    private void writeAndFlush(Frame frame) throws IOException {
        out.write(frame.bytes());
        out.flush();
        lastWrite = System.nanoTime();
    }
}
