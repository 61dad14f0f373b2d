package io.ssegateway.plugin.registry;

import static io.ssegateway.plugin.registry.RegistryFixtures.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.spi.CancellationSignal;
import io.ssegateway.spi.ConnectionView;
import io.ssegateway.spi.lifecycle.ConnectionInfo;
import io.ssegateway.spi.testkit.MessageSourceContract;
import io.ssegateway.spi.testkit.RecordingHandler;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Many connections of one channel coming and going at once on one instance, as fast as the source can take them (its
 * {@code onConnect}/{@code onDisconnect} called straight from many threads, as the gateway does from each connection's
 * thread, with a real Redis): once they settle, Redis must say exactly what is connected — registered while any
 * connection remains, gone once the last one left.
 */
class RegistrationRaceTest {

    private static final int THREADS = 8;
    private static final int ROUNDS = 150;

    private RedisServer redis;
    private ChannelRegistrySource source;
    private final CancellationSignal token = new CancellationSignal();
    private Thread runner;

    @BeforeEach
    void start() {
        redis = RedisServer.start();
        source = RegistryFixtures.source(redis);
        runner = Thread.ofVirtual().start(() -> {
            try {
                source.start(new RecordingHandler(), new MessageSourceContract.NoConnections("race-instance"), token);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        SseClient.awaitCondition(source::isAvailable, WAIT, () -> "the source did not start");
    }

    @AfterEach
    void stop() throws InterruptedException {
        token.cancel();
        runner.join(WAIT);
        redis.close();
    }

    @Test
    void racingTransitionsSettleOnTheTruth_thenOnline_thenOffline() throws Exception {
        churn("race", false);
        assertEquals(List.of(), holders("race"), "everyone left: the channel must not be registered");

        churn("race", true); // each thread leaves its last connection open
        assertEquals(List.of("race-instance"), holders("race"), "connections remain: the channel must be registered");

        for (int thread = 0; thread < THREADS; thread++) {
            source.onDisconnect(info("race", "last-" + thread));
        }
        assertEquals(List.of(), holders("race"));
        assertEquals(0L, redis.command("EXISTS", "sse:registry:channel:race"));
    }

    /** Every thread connects and disconnects {@link #ROUNDS} times, all starting together. */
    private void churn(String channel, boolean leaveOneOpen) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                done.add(threads.submit(() -> {
                    go.await();
                    for (int round = 0; round < ROUNDS; round++) {
                        ConnectionInfo connection = info(channel, thread + "-" + round);
                        source.onConnect(connection);
                        source.onDisconnect(connection);
                    }
                    if (leaveOneOpen) {
                        source.onConnect(info(channel, "last-" + thread));
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> future : done) {
                future.get();
            }
        }
    }

    private List<String> holders(String channel) {
        Http.Response lookup = Http.get(source.pushPort(), "/channel/" + channel);
        assertEquals(200, lookup.status(), lookup.body());
        return RegistryFixtures.ids(lookup.json().get("instances"));
    }

    private static ConnectionInfo info(String channel, String connectionId) {
        return new ConnectionInfo(List.of(channel), connectionId, "race-instance", Instant.now(), "127.0.0.1", "test", null);
    }
}
