package io.ssegateway.plugin.registry;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.SlotHash;
import io.ssegateway.redis.LuaScript;
import io.ssegateway.redis.RedisLink;
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
 * &lt;prefix&gt;instance:&lt;instance id&gt;   hash: address, gateway (the address as host:port), started_at, connections,
 *                                    channels, heartbeat_at
 *                                    expires instance-ttl after the last heartbeat
 * &lt;prefix&gt;instances                sorted set: instance id → when its record expires (epoch ms)
 * &lt;prefix&gt;channel:&lt;channel id&gt;     sorted set: instance id → when that membership expires (epoch ms);
 *                                    the key expires with its last member
 * channel:&lt;channel id&gt;:gateway      string: the address ({@code host:port}) of the instance that took the channel
 *                                    last — the original gateway's key, kept for its agents; expires channel-ttl
 *                                    after that instance's last refresh, handed to another holder when it leaves
 * </pre>
 * The key names are {@link RegistryKeys}'.
 * An instance holds one member per channel however many connections it has there (it counts them itself), so two
 * tabs on one instance, or on two instances, never remove each other. Every method throws Lettuce's
 * {@code RedisException} when Redis is unreachable, times out or refuses. Thread-safe.
 * <p>
 * In the cluster key layout (Redis Cluster) every script touches one slot: batches group channels by slot, a lookup
 * reads the channel's members and then their records (two calls), and leaving a channel hands its original key over
 * in a second call that gets the live instances' addresses as arguments. Walking the held channels
 * ({@link #channels}) is not offered there: a key walk would have to visit every master.
 */
final class ChannelDirectory {

    /** Channels per script call when many are written at once (a refresh), to keep each call short. */
    static final int BATCH = 500;

    private static final LuaScript REGISTER = LuaScript.load(ChannelDirectory.class, "register.lua");
    private static final LuaScript UNREGISTER = LuaScript.load(ChannelDirectory.class, "unregister.lua");
    private static final LuaScript HEARTBEAT = LuaScript.load(ChannelDirectory.class, "heartbeat.lua");
    private static final LuaScript GOODBYE = LuaScript.load(ChannelDirectory.class, "goodbye.lua");
    /** Also shipped in the zip's {@code scripts/}, for agents that look channels up in Redis themselves. */
    private static final LuaScript LOOKUP = LuaScript.load(ChannelDirectory.class, "/scripts/channel-registry/lookup.lua");
    private static final LuaScript INSTANCES = LuaScript.load(ChannelDirectory.class, "instances.lua");
    private static final LuaScript CHANNELS = LuaScript.load(ChannelDirectory.class, "channels.lua");
    // the cluster key layout's single-slot steps of what lookup.lua and unregister.lua do across slots
    private static final LuaScript MEMBERS = LuaScript.load(ChannelDirectory.class, "members.lua");
    private static final LuaScript ADDRESSES = LuaScript.load(ChannelDirectory.class, "addresses.lua");
    private static final LuaScript HANDOFF = LuaScript.load(ChannelDirectory.class, "handoff.lua");

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
    private final RegistryKeys keys;
    /** Whether the original gateway's {@code channel:<id>:gateway} keys are written. */
    private final boolean holderKeys;

    ChannelDirectory(RedisLink link, RegistryKeys keys, boolean holderKeys) {
        this.link = link;
        this.keys = keys;
        this.holderKeys = holderKeys;
    }

    /** Who registers: an instance, and its address in the original's {@code host:port} form. */
    record Member(String instanceId, String holderAddress) {
    }

    /**
     * Adds or refreshes {@code member}'s membership of each channel for {@code ttl}. {@code joining}: the channel's
     * first connection here (the original key then names this instance); otherwise a refresh (the key is renewed only if
     * it names this instance, or written if it is gone).
     */
    void register(Member member, Collection<String> channelIds, Duration ttl, boolean joining) {
        forEachBatch(channelIds, batch -> link.callOn(batch[0], redis -> REGISTER.run(redis, ScriptOutputType.INTEGER,
                batch, member.instanceId(), Long.toString(ttl.toMillis()), holderValue(member), joining ? "1" : "0")),
                holderKeys);
    }

    /**
     * Removes {@code member}'s membership of each channel; other instances' memberships stay. An original key that names
     * this instance goes to the remaining holder refreshed last, or is deleted.
     */
    void unregister(Member member, Collection<String> channelIds) {
        if (!keys.clustered()) {
            forEachBatch(channelIds, batch -> link.call(redis -> UNREGISTER.run(redis, ScriptOutputType.INTEGER, batch,
                    member.instanceId(), holderValue(member), keys.instancePrefix())), holderKeys);
            return;
        }
        forEachBatch(channelIds, batch -> link.callOn(batch[0], redis -> UNREGISTER.run(redis, ScriptOutputType.INTEGER,
                batch, member.instanceId(), "", keys.instancePrefix())), false);
        if (holderKeys) {
            List<String> arguments = new ArrayList<>();
            arguments.add(member.holderAddress());
            for (Instance instance : instances()) {
                String gateway = instance.fields().get("gateway");
                if (gateway != null && !instance.instanceId().equals(member.instanceId())) {
                    arguments.add(instance.instanceId());
                    arguments.add(gateway);
                }
            }
            String[] handoffArguments = arguments.toArray(String[]::new);
            for (String channelId : channelIds) {
                if (channelId.startsWith("}")) {
                    continue;
                }
                String[] pair = {keys.channel(channelId), keys.holder(channelId)};
                link.callOn(pair[0], redis -> HANDOFF.run(redis, ScriptOutputType.INTEGER, pair, handoffArguments));
            }
        }
    }

    /** The original gateway's key of {@code channelId}: the address of the instance that took it last, or {@code null}. */
    String holder(String channelId) {
        return holderKeys ? link.call(redis -> redis.get(keys.holder(channelId))) : null;
    }

    private String holderValue(Member member) {
        return holderKeys ? member.holderAddress() : "";
    }

    /**
     * What a heartbeat found before writing: whether the record was still there (if not, Redis lost it or this is the
     * first beat), and the {@code started_at} it held ({@code ""} if none).
     */
    record Beat(boolean recordWasThere, String previousStartedAt) {
    }

    /** Writes the instance record for {@code ttl}. */
    Beat heartbeat(Member member, Duration ttl, String address, long startedAtMillis, int connections, int channels) {
        String instanceId = member.instanceId();
        List<Object> reply = link.call(redis -> HEARTBEAT.run(redis, ScriptOutputType.MULTI,
                new String[] {keys.instance(instanceId), keys.instances()}, instanceId, Long.toString(ttl.toMillis()),
                address, Long.toString(startedAtMillis), Integer.toString(connections), Integer.toString(channels),
                member.holderAddress()));
        return new Beat(Long.valueOf(1).equals(reply.get(0)), (String) reply.get(1));
    }

    /** Deletes the instance record (a clean shutdown). */
    void goodbye(String instanceId) {
        link.call(redis -> GOODBYE.run(redis, ScriptOutputType.INTEGER,
                new String[] {keys.instance(instanceId), keys.instances()}, instanceId));
    }

    /** The live instances holding {@code channelId}, by instance id. */
    List<Holder> lookup(String channelId) {
        List<Object> flat = keys.clustered() ? lookupAcrossSlots(channelId) : link.call(redis -> LOOKUP.run(redis,
                ScriptOutputType.MULTI, new String[] {keys.channel(channelId)}, keys.instancePrefix()));
        List<Holder> holders = new ArrayList<>(flat.size() / 2);
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            holders.add(new Holder((String) flat.get(i), (String) flat.get(i + 1)));
        }
        holders.sort((a, b) -> a.instanceId().compareTo(b.instanceId()));
        return holders;
    }

    /** The cluster layout's lookup: the channel's live members, then the addresses in their records. */
    private List<Object> lookupAcrossSlots(String channelId) {
        if (channelId.startsWith("}")) {
            return new ArrayList<>(); // never registered: see forEachBatch
        }
        List<Object> members = link.call(redis -> MEMBERS.run(redis, ScriptOutputType.MULTI,
                new String[] {keys.channel(channelId)}));
        if (members.isEmpty()) {
            return members;
        }
        String[] ids = members.stream().map(String.class::cast).toArray(String[]::new);
        String[] records = members.stream().map(id -> keys.instance((String) id)).toArray(String[]::new);
        return link.call(redis -> ADDRESSES.run(redis, ScriptOutputType.MULTI, records, ids));
    }

    /** The live instances, by instance id. */
    List<Instance> instances() {
        List<Object> entries = link.call(redis -> INSTANCES.run(redis, ScriptOutputType.MULTI,
                new String[] {keys.instances()}, keys.instancePrefix()));
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
        if (keys.clustered()) {
            throw new UnsupportedOperationException("listing the held channels is not available in the cluster key "
                    + "layout (it would walk the keys of every master); look channels up one at a time");
        }
        String channelPrefix = keys.channelPrefix();
        List<Object> reply = link.call(redis -> CHANNELS.run(redis, ScriptOutputType.MULTI, new String[0], cursor,
                globEscape(channelPrefix) + "*", Integer.toString(count), channelPrefix, keys.instancePrefix()));
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

    /**
     * The channels' keys in batches: each channel's set, followed by its original key when {@code withHolders}. In the
     * cluster layout each batch holds channels of one slot.
     */
    private void forEachBatch(Collection<String> channelIds, BatchCall call, boolean withHolders) {
        if (!keys.clustered()) {
            batches(channelIds, call, withHolders);
            return;
        }
        Map<Integer, List<String>> bySlot = new LinkedHashMap<>();
        for (String channelId : channelIds) {
            if (channelId.startsWith("}")) {
                continue; // no hash tag can hold it (KeyLayout); the Redis storage refuses such channels on a cluster too
            }
            bySlot.computeIfAbsent(SlotHash.getSlot(keys.channel(channelId)), slot -> new ArrayList<>()).add(channelId);
        }
        for (List<String> sameSlot : bySlot.values()) {
            batches(sameSlot, call, withHolders);
        }
    }

    private void batches(Collection<String> channelIds, BatchCall call, boolean withHolders) {
        List<String> batch = new ArrayList<>(Math.min(BATCH, channelIds.size()) * 2);
        int channels = 0;
        for (String channelId : channelIds) {
            batch.add(keys.channel(channelId));
            if (withHolders) {
                batch.add(keys.holder(channelId));
            }
            if (++channels == BATCH) {
                call.run(batch.toArray(String[]::new));
                batch.clear();
                channels = 0;
            }
        }
        if (!batch.isEmpty()) {
            call.run(batch.toArray(String[]::new));
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
