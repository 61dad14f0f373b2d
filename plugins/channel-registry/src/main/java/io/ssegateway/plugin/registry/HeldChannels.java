package io.ssegateway.plugin.registry;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The channels this instance holds, each with the number of its connections here: the reference count that decides
 * when the instance joins a channel in the registry (first connection) and leaves it (last one). Thread-safe.
 */
final class HeldChannels {

    private final ConcurrentHashMap<String, Integer> connections = new ConcurrentHashMap<>();

    /** Counts a new connection; {@code true} if it is the channel's first here. */
    boolean add(String channelId) {
        return connections.merge(channelId, 1, Integer::sum) == 1;
    }

    /** Counts a connection that ended; {@code true} if it was the channel's last here. */
    boolean remove(String channelId) {
        boolean[] last = {false};
        connections.computeIfPresent(channelId, (channel, count) -> {
            if (count > 1) {
                return count - 1;
            }
            last[0] = true;
            return null;
        });
        return last[0];
    }

    boolean holds(String channelId) {
        return connections.containsKey(channelId);
    }

    /** The held channels now. */
    List<String> snapshot() {
        return List.copyOf(connections.keySet());
    }

    int size() {
        return connections.size();
    }
}
