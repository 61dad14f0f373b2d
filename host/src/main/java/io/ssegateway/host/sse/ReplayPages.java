package io.ssegateway.host.sse;

import io.ssegateway.host.channel.Subscriber;
import io.ssegateway.host.core.GatewayMetrics;
import io.ssegateway.host.core.PluginCalls;
import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.storage.Replay;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Sends a channel's history after a position, one page of {@code gateway.replay-page-bytes} at a time (a client that
 * reads slowly pins at most one page), for the single- and the multi-channel start alike; what a frame looks like
 * is theirs ({@link Frames}). A page's frames are collected and written in few large writes: the response stream is
 * unbuffered, every write is a chunk.
 */
final class ReplayPages {

    static final int BATCH_BYTES = 32 * 1024;

    /** What one kind of stream writes for what the storage returns. */
    interface Frames {

        /** The history reaches back to the position asked for: the events after {@code floor} ({@code null}: all) follow. */
        void reachesBack(String floor);

        /** The history no longer reaches back to {@code askedAfter}; writes what tells the client to {@code to}. */
        void gap(ByteArrayOutputStream to, String askedAfter, String earliestId);

        /** Writes one stored event to {@code to}. */
        void event(ByteArrayOutputStream to, SseEvent event);

        /** The storage failed: the stream must end so that the client reconnects and asks again. */
        void failed(Throwable e);
    }

    /** Something that sends pages and may fail writing them. */
    interface Sending {
        void run() throws IOException;
    }

    private final MessageStorage storage;
    private final int pageBytes;
    private final Subscriber subscriber;
    private final OutputStream out;
    private final GatewayMetrics metrics;
    private long bytes;
    private long events;

    ReplayPages(MessageStorage storage, int pageBytes, Subscriber subscriber, OutputStream out, GatewayMetrics metrics) {
        this.storage = storage;
        this.pageBytes = pageBytes;
        this.subscriber = subscriber;
        this.out = out;
        this.metrics = metrics;
    }

    /** Runs {@code sending} (calls of {@link #send}) as one replay in the metrics: counted, timed, its bytes recorded. */
    void measured(Sending sending) throws IOException {
        metrics.replays.increment();
        long startedAt = System.nanoTime();
        try {
            sending.run();
        } finally {
            GatewayMetrics.record(metrics.replayDuration, System.nanoTime() - startedAt);
            metrics.replaySize.record(bytes);
        }
    }

    /**
     * Sends {@code channelId}'s history after {@code asked} ({@link MessageStorage#EARLIEST}: all of it) through
     * {@code frames}, until the last page or until the subscriber is closed.
     */
    void send(String channelId, String asked, Frames frames) throws IOException {
        String after = asked;
        boolean firstPage = true;
        while (true) {
            String askedAfter = after;
            Replay page;
            try {
                page = PluginCalls.withContextLoader(storage, () -> storage.messagesAfter(channelId, askedAfter, pageBytes));
            } catch (RuntimeException | LinkageError e) {
                frames.failed(e);
                return;
            }
            ByteArrayOutputStream pending = new ByteArrayOutputStream();
            if (!page.complete()) {
                // on a later page: the history moved past the last page while it was being sent
                metrics.replayGaps.increment();
                frames.gap(pending, askedAfter, page.earliestId());
            } else if (firstPage) {
                frames.reachesBack(MessageStorage.EARLIEST.equals(asked) ? null : asked);
            }
            for (SseEvent event : page.events()) {
                frames.event(pending, event);
                if (pending.size() >= BATCH_BYTES) {
                    write(pending);
                    pending.reset();
                }
            }
            write(pending);
            out.flush();
            metrics.replayedEvents.add(page.events().size());
            events += page.events().size();
            if (!page.more() || subscriber.closeReason() != null) {
                return;
            }
            after = page.lastId();
            firstPage = false;
        }
    }

    /** The events sent so far. */
    long events() {
        return events;
    }

    private void write(ByteArrayOutputStream pending) throws IOException {
        if (pending.size() > 0) {
            bytes += pending.size();
            pending.writeTo(out);
        }
    }
}
