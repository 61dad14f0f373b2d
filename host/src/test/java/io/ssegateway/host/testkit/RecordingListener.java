package io.ssegateway.host.testkit;

import io.ssegateway.spi.lifecycle.ConnectionInfo;
import io.ssegateway.spi.lifecycle.ConnectionListener;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts {@code onConnect} / {@code onDisconnect} per connection id. */
public final class RecordingListener implements ConnectionListener {

    public final Map<String, AtomicInteger> connects = new ConcurrentHashMap<>();
    public final Map<String, AtomicInteger> disconnects = new ConcurrentHashMap<>();
    public final Map<String, ConnectionInfo> infos = new ConcurrentHashMap<>();

    @Override
    public void onConnect(ConnectionInfo connection) {
        infos.put(connection.connectionId(), connection);
        connects.computeIfAbsent(connection.connectionId(), id -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public void onDisconnect(ConnectionInfo connection) {
        disconnects.computeIfAbsent(connection.connectionId(), id -> new AtomicInteger()).incrementAndGet();
    }

    public int disconnectCount() {
        return disconnects.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Every connection seen got exactly one onConnect and one onDisconnect. */
    public boolean exactlyOnceEach() {
        return connects.keySet().equals(disconnects.keySet())
                && connects.values().stream().allMatch(count -> count.get() == 1)
                && disconnects.values().stream().allMatch(count -> count.get() == 1);
    }
}
