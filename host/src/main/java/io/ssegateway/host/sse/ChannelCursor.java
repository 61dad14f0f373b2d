package io.ssegateway.host.sse;

import io.ssegateway.spi.storage.MessageStorage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;

/**
 * Where each channel of a multi-channel connection stands: the last stream id delivered per channel, written as the
 * {@code id:} of every event so that the one {@code Last-Event-ID} a browser keeps resumes all of them.
 * <p>
 * Format: {@code m1.<set>.<base>.<e0>,<e1>,…}, one entry per channel in byte order of the channel ids (the same
 * for every order of the same {@code channel_id}s):
 * <ul>
 * <li>{@code <set>}: a 32-bit hash of the channel list (base 36), so a cursor sent back with another set of channels
 *     is recognised as foreign;</li>
 * <li>{@code <base>}: the largest milliseconds of the {@code <ms>-<seq>} ids in the entries (base 36);</li>
 * <li>an entry: empty when the channel had no history and nothing was delivered from it; for an {@code <ms>-<seq>}
 *     id (memory and Redis storages), {@code base − ms} in base 36, then {@code _<seq>} in base 36 if seq is not 0;
 *     any other id as {@code ~} and its UTF-8 bytes in unpadded base64url.</li>
 * </ul>
 * Only {@code [0-9a-z._~,-]} and base64url characters: nothing a header or a URL must escape. Length: about 30 bytes
 * plus, per channel, 1 byte for the comma and 1–8 for the id (5 when the channel's last event is within a day of the
 * newest, 8 at most, plus 2–14 when its seq is not 0); at most 23 bytes per channel for any {@code <ms>-<seq>} id.
 * Longer than {@link #MAX_LENGTH} (only possible with a plugin storage's long ids), the id is not written.
 * Not thread-safe: the connection's writer owns it.
 */
final class ChannelCursor {

    static final String PREFIX = "m1.";
    /** The longest cursor written: well within Helidon's 16 KiB of request headers, and nginx's 8 KiB per header. */
    static final int MAX_LENGTH = 8192;
    private static final int RECENT_IDS = 8;
    private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder BASE64_DECODER = Base64.getUrlDecoder();

    private final List<String> channels;
    private final String setHash;
    /** Per channel: the stream id the client has everything up to, or {@code null} (nothing: from the earliest). */
    private final String[] positions;
    /** Per channel: live events at or before it are repeats of the replay, or {@code null}. */
    private final String[] floors;
    private final int[] recentChannels = new int[RECENT_IDS];
    private final String[] recentIds = new String[RECENT_IDS];
    private int recentNext;

    ChannelCursor(List<String> channelIds) {
        List<String> sorted = new ArrayList<>(channelIds);
        Collections.sort(sorted);
        this.channels = List.copyOf(sorted);
        this.setHash = Integer.toUnsignedString(hash(channels), 36);
        this.positions = new String[channels.size()];
        this.floors = new String[channels.size()];
    }

    /** The channels in the cursor's order. */
    List<String> channels() {
        return channels;
    }

    /** The index of {@code channel}, or a negative number if the connection does not read it. */
    int indexOf(String channel) {
        return Collections.binarySearch(channels, channel);
    }

    /** Where channel {@code index} stands: a stream id, or {@link MessageStorage#EARLIEST}. */
    String position(int index) {
        return positions[index] == null ? MessageStorage.EARLIEST : positions[index];
    }

    /** Sets where channel {@code index} stands ({@code null} or {@link MessageStorage#EARLIEST}: from the start). */
    void start(int index, String position) {
        positions[index] = MessageStorage.EARLIEST.equals(position) ? null : position;
    }

    /** Live events at or before {@code id} on channel {@code index} are repeats ({@code null}: none is). */
    void floor(int index, String id) {
        floors[index] = id;
    }

    /**
     * Reads a {@code Last-Event-ID} into the positions. An id that is not a cursor of this channel set (another set, a
     * single-channel id, garbage) is taken as every channel's position: the storage then answers exactly or with a gap.
     *
     * @return whether it was a cursor of this set
     */
    boolean resumeFrom(String lastEventId) {
        String[] parsed = parse(lastEventId);
        for (int i = 0; i < positions.length; i++) {
            start(i, parsed != null ? parsed[i] : lastEventId);
            floors[i] = null;
        }
        return parsed != null;
    }

    /** Whether the client already has event {@code id} of channel {@code index}; an unordered id counts as new. */
    boolean clientHas(int index, String id, MessageStorage storage) {
        for (int i = 0; i < RECENT_IDS; i++) {
            if (recentChannels[i] == index && id.equals(recentIds[i])) {
                return true;
            }
        }
        String floor = floors[index];
        if (floor == null) {
            return false;
        }
        try {
            return storage.compareIds(id, floor) <= 0;
        } catch (IllegalArgumentException unordered) {
            return false;
        }
    }

    /**
     * Records that event {@code id} of channel {@code index} is being sent. The position moves forward only: an event
     * arriving late (below the position) is sent, but a resume still starts after the newest.
     */
    void delivered(int index, String id, MessageStorage storage) {
        recentChannels[recentNext] = index;
        recentIds[recentNext] = id;
        recentNext = (recentNext + 1) % RECENT_IDS;
        String current = positions[index];
        if (current != null) {
            try {
                if (storage.compareIds(id, current) <= 0) {
                    return;
                }
            } catch (IllegalArgumentException unordered) {
                // the newest one delivered is the best guess
            }
        }
        positions[index] = id;
    }

    /** The cursor as an event id, or {@code null} if it would be longer than {@link #MAX_LENGTH}. */
    String encode() {
        long base = -1;
        for (String position : positions) {
            long[] msSeq = position == null ? null : msSeq(position);
            if (msSeq != null && msSeq[0] > base) {
                base = msSeq[0];
            }
        }
        StringBuilder id = new StringBuilder(32 + positions.length * 8).append(PREFIX).append(setHash).append('.');
        if (base >= 0) {
            id.append(Long.toString(base, 36));
        }
        id.append('.');
        for (int i = 0; i < positions.length; i++) {
            if (i > 0) {
                id.append(',');
            }
            String position = positions[i];
            if (position == null) {
                continue;
            }
            long[] msSeq = msSeq(position);
            if (msSeq != null) {
                id.append(Long.toString(base - msSeq[0], 36));
                if (msSeq[1] != 0) {
                    id.append('_').append(Long.toString(msSeq[1], 36));
                }
            } else {
                id.append('~').append(BASE64.encodeToString(position.getBytes(StandardCharsets.UTF_8)));
            }
            if (id.length() > MAX_LENGTH) {
                return null;
            }
        }
        return id.length() > MAX_LENGTH ? null : id.toString();
    }

    /** The positions a cursor of this channel set holds ({@code null} entries: from the start), or {@code null}. */
    private String[] parse(String cursor) {
        if (cursor == null || cursor.length() > MAX_LENGTH || !cursor.startsWith(PREFIX)) {
            return null;
        }
        String[] parts = cursor.substring(PREFIX.length()).split("\\.", 3);
        if (parts.length != 3 || !parts[0].equals(setHash)) {
            return null;
        }
        String baseText = parts[1];
        String[] entries = parts[2].split(",", -1);
        if (entries.length != positions.length) {
            return null;
        }
        try {
            long base = baseText.isEmpty() ? -1 : Long.parseLong(baseText, 36);
            String[] parsed = new String[entries.length];
            for (int i = 0; i < entries.length; i++) {
                String entry = entries[i];
                if (entry.isEmpty()) {
                    continue;
                }
                if (entry.charAt(0) == '~') {
                    parsed[i] = new String(BASE64_DECODER.decode(entry.substring(1)), StandardCharsets.UTF_8);
                    continue;
                }
                if (base < 0) {
                    return null;
                }
                int underscore = entry.indexOf('_');
                long delta = Long.parseLong(underscore < 0 ? entry : entry.substring(0, underscore), 36);
                long seq = underscore < 0 ? 0 : Long.parseLong(entry.substring(underscore + 1), 36);
                if (delta < 0 || delta > base || seq < 0) {
                    return null;
                }
                parsed[i] = (base - delta) + "-" + seq;
            }
            return parsed;
        } catch (IllegalArgumentException malformed) {
            return null;
        }
    }

    /**
     * {@code {ms, seq}} of a canonical {@code <ms>-<seq>} id (decimal, no sign, no leading zero: re-encoding gives the
     * same text), or {@code null}.
     */
    static long[] msSeq(String id) {
        int dash = id.indexOf('-');
        if (dash <= 0 || !canonicalNumber(id, 0, dash) || !canonicalNumber(id, dash + 1, id.length())) {
            return null;
        }
        try {
            return new long[] {Long.parseLong(id, 0, dash, 10), Long.parseLong(id, dash + 1, id.length(), 10)};
        } catch (NumberFormatException outOfRange) {
            return null;
        }
    }

    private static boolean canonicalNumber(String text, int from, int to) {
        if (from >= to || to - from > 19 || (text.charAt(from) == '0' && to - from > 1)) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** FNV-1a over the channel ids' UTF-8 bytes, each followed by a 0 byte (ids hold no NUL). */
    private static int hash(List<String> channels) {
        int hash = 0x811c9dc5;
        for (String channel : channels) {
            for (byte b : channel.getBytes(StandardCharsets.UTF_8)) {
                hash = (hash ^ (b & 0xff)) * 0x01000193;
            }
            hash *= 0x01000193;
        }
        return hash;
    }
}
