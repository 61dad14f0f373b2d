package io.ssegateway.plugin.redis;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Http;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A publisher that sends numbered messages to one channel through {@code POST /api/send}, alternating between
 * gateway instances, until stopped; it records the stream ids that were acknowledged, and watches whether any instance
 * answered 503 on {@code /ready} meanwhile.
 */
final class FailoverRun implements AutoCloseable {

    private final List<Gateway> gateways;
    private final String channel;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger unacknowledged = new AtomicInteger();
    private final AtomicBoolean sawNotReady = new AtomicBoolean();
    private final Thread publisher;
    private final Thread readiness;

    FailoverRun(String channel, List<Gateway> gateways) {
        this.channel = channel;
        this.gateways = gateways;
        this.publisher = Thread.ofVirtual().name("failover-publisher").start(this::publish);
        this.readiness = Thread.ofVirtual().name("failover-readiness").start(this::watchReadiness);
    }

    private void publish() {
        for (int i = 0; running.get(); i++) {
            Gateway gateway = gateways.get(i % gateways.size());
            try {
                // with a business id, as a careful publisher sends: a retry or the gateway's fallback never stores twice
                Http.Response response = Http.postJson(gateway.port(), "/api/send", Http.JSON.createObjectNode()
                        .put("channel_id", channel).put("event_type", "tick").put("data", "m-" + i).put("id", "m-" + i)
                        .toString());
                var streamId = response.status() == 200 ? response.json().get("stream_id") : null;
                if (streamId != null && !streamId.isNull()) {
                    acknowledged.add(streamId.asText());
                } else {
                    unacknowledged.incrementAndGet();
                }
            } catch (RuntimeException failed) {
                unacknowledged.incrementAndGet();
            }
        }
    }

    private void watchReadiness() {
        while (running.get()) {
            for (Gateway gateway : gateways) {
                try {
                    if (Http.get(gateway.port(), "/ready").status() == 503) {
                        sawNotReady.set(true);
                    }
                } catch (RuntimeException ignored) {
                    // a slow answer is no answer
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The stream ids acknowledged so far, in the order of the answers. */
    List<String> acknowledged() {
        synchronized (acknowledged) {
            return List.copyOf(acknowledged);
        }
    }

    int unacknowledged() {
        return unacknowledged.get();
    }

    boolean sawNotReady() {
        return sawNotReady.get();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        publisher.join();
        readiness.join();
    }
}
