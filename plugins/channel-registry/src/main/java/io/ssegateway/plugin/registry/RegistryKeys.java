package io.ssegateway.plugin.registry;

import io.ssegateway.redis.KeyLayout;

/**
 * The name of every Redis key the registry writes, in one place: the scripts get them as arguments and never build
 * one themselves. In the single key layout:
 * <pre>
 * &lt;prefix&gt;instance:&lt;instance id&gt;   an instance's record
 * &lt;prefix&gt;instances                the index of live instances
 * &lt;prefix&gt;channel:&lt;channel id&gt;     the instances holding a channel
 * channel:&lt;channel id&gt;:gateway      the original gateway's key: the address of the instance that took the channel
 *                                    last (no prefix: agents written for the original read it as it is)
 * </pre>
 * In the cluster key layout every key of one channel shares its hash tag, and the instance records share the index's:
 * <pre>
 * &lt;prefix&gt;{instances}:&lt;instance id&gt;
 * &lt;prefix&gt;{instances}
 * &lt;prefix&gt;channel:{&lt;channel id&gt;}
 * channel:{&lt;channel id&gt;}:gateway
 * </pre>
 */
final class RegistryKeys {

    private final String prefix;
    private final KeyLayout layout;

    RegistryKeys(String prefix) {
        this(prefix, KeyLayout.SINGLE);
    }

    RegistryKeys(String prefix, KeyLayout layout) {
        this.prefix = prefix;
        this.layout = layout;
    }

    /** Whether the keys are laid out for Redis Cluster (scripts then touch one slot each). */
    boolean clustered() {
        return layout == KeyLayout.CLUSTER;
    }

    String channel(String channelId) {
        return layout.key(prefix, "channel:", channelId);
    }

    String instance(String instanceId) {
        return clustered() ? prefix + "{instances}:" + instanceId : prefix + "instance:" + instanceId;
    }

    /** What {@link #instance} prepends to an instance id; scripts that look instances up append the id. */
    String instancePrefix() {
        return instance("");
    }

    /** What {@link #channel} prepends to a channel id, for walking the held channels (single layout). */
    String channelPrefix() {
        return prefix + "channel:";
    }

    String instances() {
        return clustered() ? prefix + "{instances}" : prefix + "instances";
    }

    /** The original gateway's {@code channel:<id>:gateway} ({@code channel:{<id>}:gateway} in the cluster layout). */
    String holder(String channelId) {
        return layout.key("", "channel:", channelId) + ":gateway";
    }
}
