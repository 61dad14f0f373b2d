package io.ssegateway.host.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.core.Frame;
import io.ssegateway.spi.lifecycle.ConnectionInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SubscriptionsTest {

    private final Subscriptions registry = new Subscriptions("instance");

    private static Subscriber subscriber(String channel, int n) {
        // never handed to write passes: the frames stay queued for the test to poll
        return new Subscriber(new ConnectionInfo(List.of(channel), "c" + n, "instance", Instant.now(), "127.0.0.1", "", null), 1_000_000, Long.MAX_VALUE, new WritePasses());
    }

    @Test
    void aPublishReachesExactlyTheSubscribersStillRegisteredAfterManyJoinsAndLeavesInAnyOrder() {
        Random random = new Random(42);
        List<Subscriber> live = new ArrayList<>();
        int next = 0;
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i < random.nextInt(300); i++) {
                Subscriber s = subscriber("big", next++);
                registry.register(s);
                live.add(s);
            }
            Collections.shuffle(live, random);
            int leaving = live.isEmpty() ? 0 : random.nextInt(live.size());
            for (int i = 0; i < leaving; i++) {
                registry.unregister(live.removeLast());
            }
            Frame frame = Frame.event(Integer.toString(round), "e", "d");
            assertEquals(live.size(), registry.publish("big", withEnvelope -> frame).queued());
            assertEquals(live.size(), registry.channelConnectionCount("big"));
            assertEquals(live.size(), registry.connectionCount());
            assertEquals(Set.copyOf(live), new HashSet<>(registry.subscribers("big")));
            for (Subscriber s : live) {
                assertTrue(s.queued() > 0);
                while (s.poll() != null) {
                    // drained: the next round counts afresh
                }
            }
        }
        live.forEach(registry::unregister);
        assertEquals(0, registry.connectionCount());
        assertEquals(0, registry.channelCount());
        assertEquals(Set.of(), registry.channels());
    }

    @Test
    void unregisteringTwiceOrAnUnknownSubscriberChangesNothing() {
        Subscriber a = subscriber("c", 1);
        Subscriber b = subscriber("c", 2);
        registry.register(a);
        registry.register(b);
        registry.unregister(a);
        registry.unregister(a);
        registry.unregister(subscriber("c", 3));
        assertEquals(1, registry.connectionCount());
        assertEquals(List.of(b), registry.subscribers("c"));
    }
}
