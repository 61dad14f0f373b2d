package io.ssegateway.kit;

/**
 * The gateway's rule for channel ids, wherever one comes from (a query parameter, a JSON body, a message source):
 * 1 to {@value #MAX_BYTES} bytes of UTF-8, no control characters (U+0000–U+001F, U+007F–U+009F), and well-formed
 * Unicode (no lone surrogate, which has no UTF-8 form).
 */
public final class ChannelIds {

    /** Longest channel id, in UTF-8 bytes. */
    public static final int MAX_BYTES = 256;

    private ChannelIds() {
    }

    /** Why {@code channelId} is unacceptable, for a client or a log line; {@code null} if it is fine. */
    public static String problem(String channelId) {
        if (channelId == null || channelId.isEmpty()) {
            return "channel_id must not be empty";
        }
        for (int i = 0; i < channelId.length(); i++) {
            if (Character.isISOControl(channelId.charAt(i))) {
                return "channel_id must not contain control characters";
            }
        }
        if (!Unicode.isWellFormed(channelId)) {
            return "channel_id is not valid Unicode (it holds half of a surrogate pair)";
        }
        if (Unicode.utf8LengthExceeds(channelId, MAX_BYTES)) {
            return "channel_id is longer than " + MAX_BYTES + " bytes";
        }
        return null;
    }
}
