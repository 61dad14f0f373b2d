package com.example.embedded;

import io.ssegateway.spi.lifecycle.ConnectionInfo;
import io.ssegateway.spi.lifecycle.ConnectionListener;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * A connection listener: who is online, counted per user over all their connections (two tabs are one user).
 * {@code onChange} hears when a user comes online (first connection) or goes offline (last one) — the application
 * publishes that, for example.
 * <p>
 * {@code onDisconnect} comes when the gateway has found the connection closed: at once when the gateway ends it, and
 * within about a keep-alive interval of a client that just went away (see the docs on connection listeners).
 * Listeners run on the connection's own thread and must be quick and thread-safe, as this one is.
 */
public final class PresenceListener implements ConnectionListener {

    private final Map<String, Integer> connectionsByUser = new ConcurrentHashMap<>();
    private final BiConsumer<String, Boolean> onChange;

    /** @param onChange told (user, online) when a user comes online or goes offline */
    public PresenceListener(BiConsumer<String, Boolean> onChange) {
        this.onChange = onChange;
    }

    @Override
    public void onConnect(ConnectionInfo connection) {
        if (connection.subject() != null
                && connectionsByUser.merge(connection.subject(), 1, Integer::sum) == 1) {
            onChange.accept(connection.subject(), true);
        }
    }

    @Override
    public void onDisconnect(ConnectionInfo connection) {
        if (connection.subject() == null) {
            return;
        }
        boolean[] last = {false};
        connectionsByUser.computeIfPresent(connection.subject(), (user, count) -> {
            last[0] = count == 1;
            return count == 1 ? null : count - 1;
        });
        if (last[0]) {
            onChange.accept(connection.subject(), false);
        }
    }

    /** The users online now. */
    public Set<String> online() {
        return new TreeSet<>(connectionsByUser.keySet());
    }
}
