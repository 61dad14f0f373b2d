package io.ssegateway.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One logical subscriber: a channel, its SSE parser (which keeps the last event id across reconnects, as a browser
 * does) and which sequence numbers it has received, to count lost, duplicated and out-of-order events exactly.
 */
final class Subscription implements SseParser.Listener {

    private static final byte[] HEARTBEAT = "heartbeat".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GAP = "gap".getBytes(StandardCharsets.US_ASCII);

    final int index;
    final String channel;
    final SseParser parser = new SseParser(this);
    /** Sent as {@code last_event_id} on the first connect (e.g. {@code earliest}), or {@code null}. */
    final String initialLastEventId;
    /** SO_RCVBUF of this subscriber's sockets, or 0 for the system's (auto-tuned) default. */
    int receiveBuffer;
    private final LoopStats stats;
    private long[] seen = new long[1];
    private long next;
    private long distinct;
    /** Stops reading (a slow consumer). */
    boolean paused;
    /** Set by the loop when this subscriber's connection is open. */
    SseConnection connection;
    /** When the event being parsed was read. */
    long readNanos;

    Subscription(int index, String channel, String initialLastEventId, LoopStats stats) {
        this.index = index;
        this.channel = channel;
        this.initialLastEventId = initialLastEventId;
        this.stats = stats;
    }

    long distinct() {
        return distinct;
    }

    @Override
    public void onEvent(SseParser event) {
        if (event.typeIs(HEARTBEAT)) {
            stats.heartbeats++;
            return;
        }
        if (event.typeIs(GAP)) {
            stats.gapEvents++;
            return;
        }
        long seq = Payload.field(event.data(), event.dataLength(), 's');
        long sent = Payload.field(event.data(), event.dataLength(), 't');
        if (seq == Payload.NONE || sent == Payload.NONE || seq < 0 || seq > Integer.MAX_VALUE) {
            stats.foreignEvents++;
            return;
        }
        stats.received++;
        stats.lastEventNanos = readNanos;
        long latency = (readNanos - sent) / 1000;
        stats.latencyMicros.record(latency);
        stats.arrived(seq, latency);
        int word = (int) (seq >>> 6);
        if (word >= seen.length) {
            seen = Arrays.copyOf(seen, Math.max(word + 1, seen.length * 2));
        }
        long bit = 1L << (seq & 63);
        boolean duplicate = (seen[word] & bit) != 0;
        if (duplicate) {
            stats.duplicates++;
            return;
        }
        seen[word] |= bit;
        distinct++;
        if (seq < next) {
            stats.outOfOrder++;
        } else {
            next = seq + 1;
        }
    }
}
