package io.ssegateway.host.sse;

import io.ssegateway.host.channel.CloseReason;
import io.ssegateway.host.channel.Subscriber;
import io.ssegateway.host.core.Frame;
import io.ssegateway.host.core.GatewayMetrics;
import io.ssegateway.host.core.GatewaySettings;
import io.ssegateway.host.core.JsonText;
import io.ssegateway.host.core.PluginCalls;
import io.ssegateway.kit.RateLimitedLog;
import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.storage.MessageStorage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;

/**
 * The start of a connection to several channels, on the request's thread after the subscriber is registered:
 * <ol>
 * <li>where each channel stands — from the client's {@code Last-Event-ID} cursor, or, on a first connect, each
 *     channel's newest stored id ({@link MessageStorage#lastId}), read <em>after</em> registering: an event stored
 *     later is queued live, one stored before is skipped if it still arrives live (a bus delivering late), so the
 *     client gets exactly what a resume from that cursor would give;</li>
 * <li>the {@code subscribed} event: the channels, with the cursor as its {@code id:}, so that a client dropped before
 *     any event still resumes exactly;</li>
 * <li>on a resume, each channel's replay in turn, a {@code gap} event (naming the channel) first for a channel whose
 *     history no longer reaches back; every replayed event carries the cursor after it.</li>
 * </ol>
 * A failing storage closes the subscriber ({@link CloseReason#REPLAY_FAILED}): the client reconnects and asks again.
 */
final class MultiChannelStart {

    private static final Logger LOG = Logger.getLogger(MultiChannelStart.class.getName());
    private static final RateLimitedLog STORAGE_LOG = new RateLimitedLog(LOG);
    private static final RateLimitedLog LONG_ID_LOG = new RateLimitedLog(LOG);

    private final ChannelCursor cursor;
    private final Subscriber subscriber;
    private final OutputStream out;
    private final MessageStorage storage;
    private final GatewaySettings settings;
    private final GatewayMetrics metrics;

    MultiChannelStart(ChannelCursor cursor, Subscriber subscriber, OutputStream out, MessageStorage storage,
                      GatewaySettings settings, GatewayMetrics metrics) {
        this.cursor = cursor;
        this.subscriber = subscriber;
        this.out = out;
        this.storage = storage;
        this.settings = settings;
        this.metrics = metrics;
    }

    /** @return the events replayed */
    long run(String lastEventId) throws IOException {
        if (lastEventId != null) {
            cursor.resumeFrom(lastEventId);
        } else if (!readHeads()) {
            return 0;
        }
        ByteArrayOutputStream subscribed = new ByteArrayOutputStream();
        writeId(subscribed, cursor);
        StringBuilder channels = new StringBuilder(16 * cursor.channels().size()).append("{\"channels\":[");
        for (int i = 0; i < cursor.channels().size(); i++) {
            JsonText.quote(channels.append(i == 0 ? "" : ","), cursor.channels().get(i));
        }
        subscribed.writeBytes(Frame.event(null, "subscribed", channels.append("]}").toString()).bytes());
        subscribed.writeTo(out);
        out.flush();
        if (lastEventId == null) {
            return 0;
        }
        ReplayPages pages = new ReplayPages(storage, settings.replayPageBytes(), subscriber, out, metrics);
        pages.measured(() -> {
            for (int i = 0; i < cursor.channels().size() && subscriber.closeReason() == null; i++) {
                pages.send(cursor.channels().get(i), cursor.position(i), new ChannelFrames(i));
            }
        });
        return pages.events();
    }

    /** Writes {@code id: <cursor>} (nothing if the cursor is too long: the client then keeps its previous id). */
    static void writeId(ByteArrayOutputStream to, ChannelCursor cursor) {
        String id = cursor.encode();
        if (id == null) {
            LONG_ID_LOG.warn("A multi-channel event id would be longer than " + ChannelCursor.MAX_LENGTH + " bytes (the"
                    + " storage's stream ids are long): sent without id, a client resuming gets repeats");
            return;
        }
        to.writeBytes(("id: " + id + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** Each channel's newest stored id: where a first connect starts. */
    private boolean readHeads() {
        for (int i = 0; i < cursor.channels().size(); i++) {
            String channelId = cursor.channels().get(i);
            try {
                String head = PluginCalls.withContextLoader(storage, () -> storage.lastId(channelId));
                cursor.start(i, head);
                // what was stored before the head may still arrive live (a bus delivers late): the client starts after
                // it, as a resume from this cursor would
                cursor.floor(i, head);
            } catch (RuntimeException | LinkageError e) {
                failed(channelId, "reading the last id", e);
                return false;
            }
        }
        return true;
    }

    /** Channel {@code index}'s replayed frames: in envelopes, each with the cursor after it as its id. */
    private final class ChannelFrames implements ReplayPages.Frames {

        private final int index;
        private final String channelId;

        ChannelFrames(int index) {
            this.index = index;
            this.channelId = cursor.channels().get(index);
        }

        @Override
        public void reachesBack(String floor) {
            cursor.floor(index, floor);
        }

        @Override
        public void gap(ByteArrayOutputStream to, String askedAfter, String earliestId) {
            to.writeBytes(Frame.event(null, "gap", JsonText.gap(channelId, askedAfter, earliestId)).bytes());
            // the position asked for means nothing to the storage: what follows is where the channel stands now
            cursor.start(index, null);
            cursor.floor(index, null);
        }

        @Override
        public void event(ByteArrayOutputStream to, SseEvent event) {
            cursor.delivered(index, event.streamId(), storage);
            cursor.floor(index, event.streamId());
            writeId(to, cursor);
            to.writeBytes(Frame.channelEvent(channelId, event.streamId(), event.eventType(), event.data(), true)
                    .envelope());
        }

        @Override
        public void failed(Throwable e) {
            MultiChannelStart.this.failed(channelId, "its replay", e);
        }
    }

    private void failed(String channelId, String what, Throwable e) {
        metrics.replayFailures.increment();
        STORAGE_LOG.warn("Starting a multi-channel stream failed at " + what + " of channel '" + channelId
                + "' in storage '" + storage.name() + "', ending the stream so that the client retries: "
                + PluginCalls.describe(storage, e));
        subscriber.close(CloseReason.REPLAY_FAILED);
    }
}
