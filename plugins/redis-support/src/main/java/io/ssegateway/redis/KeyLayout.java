package io.ssegateway.redis;

/**
 * How a plugin names a channel's Redis keys ({@code key-layout}).
 * <ul>
 *   <li>{@link #SINGLE}: {@code <prefix><kind>:<channel>} ({@code sse:stream:orders}) — the layout of a single
 *       server or Sentinel, unchanged from the first releases.</li>
 *   <li>{@link #CLUSTER}: {@code <prefix><kind>:{<channel>}} ({@code sse:stream:{orders}}) — the channel is a
 *       Redis Cluster hash tag, so every key of one channel hashes to one slot and a script may touch them all.</li>
 * </ul>
 */
public enum KeyLayout {
    SINGLE,
    CLUSTER;

    /**
     * The key of {@code kind} ({@code stream:}, {@code ids:}, ...) for {@code channelId}.
     *
     * @throws IllegalArgumentException in the cluster layout, a channel id that starts with {@code }}: Redis would
     *                                  read an empty hash tag and scatter the channel's keys over several slots
     */
    public String key(String prefix, String kind, String channelId) {
        if (this == SINGLE) {
            return prefix + kind + channelId;
        }
        if (channelId.startsWith("}")) {
            throw new IllegalArgumentException("channel_id '" + channelId + "' cannot be used on Redis Cluster: it "
                    + "starts with '}', which would make its hash tag empty");
        }
        return prefix + kind + "{" + channelId + "}";
    }

    /** {@code single} or {@code cluster}, as configured. */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
