package io.ssegateway.host.sse;

import io.ssegateway.host.core.Rejection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** {@code gateway.max-connections} and {@code gateway.max-connections-per-ip}: admission before a stream starts. */
final class ConnectionLimits {

    /** Why admission was refused: the counted rejection, and what the 503 says. */
    enum Refusal {
        MAX_CONNECTIONS(Rejection.MAX_CONNECTIONS, "connection limit reached on this instance"),
        PER_IP(Rejection.PER_IP, "too many connections from this address");

        final Rejection rejection;
        final String message;

        Refusal(Rejection rejection, String message) {
            this.rejection = rejection;
            this.message = message;
        }
    }

    private final int maxConnections;
    private final int maxPerIp;
    private final AtomicInteger admitted = new AtomicInteger();
    private final ConcurrentHashMap<String, AtomicInteger> perIp = new ConcurrentHashMap<>();

    /** @param maxPerIp 0 for no per-address limit */
    ConnectionLimits(int maxConnections, int maxPerIp) {
        this.maxConnections = maxConnections;
        this.maxPerIp = maxPerIp;
    }

    /** Takes a slot for {@code clientIp}; {@code null} if admitted (then {@link #release} it exactly once). */
    Refusal acquire(String clientIp) {
        if (admitted.incrementAndGet() > maxConnections) {
            admitted.decrementAndGet();
            return Refusal.MAX_CONNECTIONS;
        }
        if (maxPerIp > 0) {
            boolean[] refused = {false};
            perIp.compute(clientIp, (ip, count) -> {
                AtomicInteger current = count == null ? new AtomicInteger() : count;
                if (current.get() >= maxPerIp) {
                    refused[0] = true;
                } else {
                    current.incrementAndGet();
                }
                return current.get() == 0 ? null : current;
            });
            if (refused[0]) {
                admitted.decrementAndGet();
                return Refusal.PER_IP;
            }
        }
        return null;
    }

    void release(String clientIp) {
        admitted.decrementAndGet();
        if (maxPerIp > 0) {
            perIp.computeIfPresent(clientIp, (ip, count) -> count.decrementAndGet() == 0 ? null : count);
        }
    }
}
