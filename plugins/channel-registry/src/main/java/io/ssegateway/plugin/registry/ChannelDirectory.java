package io.ssegateway.plugin.registry;

import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry as stored in Redis: which instances are alive and where their push API is, and which instances hold
 * which channel. Every write and every read that must be consistent is one Lua script; times are Redis's clock, so
 * the instances' clocks do not matter.
 * <pre>
 * &lt;prefix&gt;instance:&lt;instance id&gt;   hash: address, started_at, connections, channels, heartbeat_at
 *                                    expires instance-ttl after the last heartbeat
 * &lt;prefix&gt;instances                sorted set: instance id → when its record expires (epoch ms)
 * &lt;prefix&gt;channel:&lt;channel id&gt;     sorted set: instance id → when that membership expires (epoch ms);
 *                                    the key expires with its last member
 * </pre>
 * An instance holds one member per channel however many connections it has there (it counts them itself), so two
 * tabs on one instance, or on two instances, never remove each other. Every method throws Lettuce's
 * {@code RedisException} when Redis is unreachable, times out or refuses. Thread-safe.
 */
final class ChannelDirectory {

    /** Channels per script call when many are written at once (a refresh), to keep each call short. */
    static final int BATCH = 500;

    private static final LuaScript REGISTER = LuaScript.load("register.lua");
    private static final LuaScript UNREGISTER = LuaScript.load("unregister.lua");
    private static final LuaScript HEARTBEAT = LuaScript.load("heartbeat.lua");
    private static final LuaScript GOODBYE = LuaScript.load("goodbye.lua");
    private static final LuaScript LOOKUP = LuaScript.load("lookup.lua");
    private static final LuaScript INSTANCES = LuaScript.load("instances.lua");
    private static final LuaScript CHANNELS = LuaScript.load("channels.lua");

    /** An instance holding a channel, and the URL of its push API. */
    record Holder(String instanceId, String address) {
    }

    /** A live instance and the fields of its record. */
    record Instance(String instanceId, Map<String, String> fields) {
    }

    /** A held channel and the live instances holding it. */
    record HeldChannel(String channelId, List<String> instanceIds) {
    }

    /** One page of {@link #channels}: {@code nextCursor} is {@code "0"} once the walk is complete. */
    record ChannelPage(String nextCursor, List<HeldChannel> channels) {
    }

    private final RedisLink link;
    private final String prefix;

    ChannelDirectory(RedisLink link, String prefix) {
        this.link = link;
        this.prefix = prefix;
    }

    String channelKey(String channelId) {
        return prefix + "channel:" + channelId;
    }

    String instanceKey(String instanceId) {
        return prefix + "instance:" + instanceId;
    }

    String instancesKey() {
        return prefix + "instances";
    }

    /** Adds or refreshes {@code instanceId}'s membership of each channel for {@code ttl}. */
    void register(String instanceId, Collection<String> channelIds, Duration ttl) {
        forEachBatch(channelIds, keys -> link.call(redis -> REGISTER.run(redis, ScriptOutputType.INTEGER, keys,
                instanceId, Long.toString(ttl.toMillis()))));
    }

    /** Removes {@code instanceId}'s membership of each channel; other instances' memberships stay. */
    void unregister(String instanceId, Collection<String> channelIds) {
        forEachBatch(channelIds, keys -> link.call(redis -> UNREGISTER.run(redis, ScriptOutputType.INTEGER, keys,
                instanceId)));
    }

    /**
     * What a heartbeat found before writing: whether the record was still there (if not, Redis lost it or this is the
     * first beat), and the {@code started_at} it held ({@code ""} if none).
     */
    record Beat(boolean recordWasThere, String previousStartedAt) {
    }

    /** Writes the instance record for {@code ttl}. */
    Beat heartbeat(String instanceId, Duration ttl, String address, long startedAtMillis, int connections, int channels) {
        List<Object> reply = link.call(redis -> HEARTBEAT.run(redis, ScriptOutputType.MULTI,
                new String[] {instanceKey(instanceId), instancesKey()}, instanceId, Long.toString(ttl.toMillis()),
                address, Long.toString(startedAtMillis), Integer.toString(connections), Integer.toString(channels)));
        return new Beat(Long.valueOf(1).equals(reply.get(0)), (String) reply.get(1));
    }

    /** Deletes the instance record (a clean shutdown). */
    void goodbye(String instanceId) {
        link.call(redis -> GOODBYE.run(redis, ScriptOutputType.INTEGER,
                new String[] {instanceKey(instanceId), instancesKey()}, instanceId));
    }

    /** The live instances holding {@code channelId}, by instance id. */
    List<Holder> lookup(String channelId) {
        List<Object> flat = link.call(redis -> LOOKUP.run(redis, ScriptOutputType.MULTI,
                new String[] {channelKey(channelId)}, instanceKey("")));
        List<Holder> holders = new ArrayList<>(flat.size() / 2);
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            holders.add(new Holder((String) flat.get(i), (String) flat.get(i + 1)));
        }
        holders.sort((a, b) -> a.instanceId().compareTo(b.instanceId()));
        return holders;
    }

    /** The live instances, by instance id. */
    List<Instance> instances() {
        List<Object> entries = link.call(redis -> INSTANCES.run(redis, ScriptOutputType.MULTI,
                new String[] {instancesKey()}, instanceKey("")));
        List<Instance> instances = new ArrayList<>(entries.size());
        for (Object entry : entries) {
            List<?> idAndFields = (List<?>) entry;
            List<?> flat = (List<?>) idAndFields.get(1);
            Map<String, String> fields = new LinkedHashMap<>();
            for (int i = 0; i + 1 < flat.size(); i += 2) {
                fields.put((String) flat.get(i), (String) flat.get(i + 1));
            }
            instances.add(new Instance((String) idAndFields.get(0), fields));
        }
        instances.sort((a, b) -> a.instanceId().compareTo(b.instanceId()));
        return instances;
    }

    /** One page of the held channels, walked with {@code SCAN} from {@code cursor} ({@code "0"} to start). */
    ChannelPage channels(String cursor, int count) {
        String channelPrefix = channelKey("");
        List<Object> reply = link.call(redis -> CHANNELS.run(redis, ScriptOutputType.MULTI, new String[0], cursor,
                globEscape(channelPrefix) + "*", Integer.toString(count), channelPrefix, instanceKey("")));
        List<HeldChannel> channels = new ArrayList<>(reply.size() - 1);
        for (Object entry : reply.subList(1, reply.size())) {
            List<?> channelAndIds = (List<?>) entry;
            List<String> ids = ((List<?>) channelAndIds.get(1)).stream().map(String.class::cast).sorted().toList();
            channels.add(new HeldChannel((String) channelAndIds.get(0), ids));
        }
        return new ChannelPage((String) reply.get(0), channels);
    }

    private interface BatchCall {
        void run(String[] keys);
    }

    private void forEachBatch(Collection<String> channelIds, BatchCall call) {
        List<String> keys = new ArrayList<>(Math.min(BATCH, channelIds.size()));
        for (String channelId : channelIds) {
            keys.add(channelKey(channelId));
            if (keys.size() == BATCH) {
                call.run(keys.toArray(String[]::new));
                keys.clear();
            }
        }
        if (!keys.isEmpty()) {
            call.run(keys.toArray(String[]::new));
        }
    }

    /** {@code text} as a literal in a Redis glob pattern. */
    static String globEscape(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 8);
        for (char c : text.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }
}
