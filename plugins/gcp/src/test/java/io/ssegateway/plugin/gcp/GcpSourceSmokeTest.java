package io.ssegateway.plugin.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.pubsub.v1.SubscriptionName;
import com.google.pubsub.v1.TopicName;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.builtin.MemoryStorage;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.spi.CancellationSignal;
import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.source.Delivery;
import io.ssegateway.spi.source.IfStorageFails;
import io.ssegateway.spi.source.IncomingMessage;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.source.SourceFactory;
import io.ssegateway.spi.testkit.MessageSourceContract;
import io.ssegateway.spi.testkit.RecordingHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Create, start, stop: the source found through ServiceLoader, as the gateway finds it, in a gateway; and a stop that cannot wait for Pub/Sub. */
class GcpSourceSmokeTest {

    @Test
    void createStartAndStop() throws Exception {
        try (FakePubSub fake = FakePubSub.start(); PubSubTestClient pubsub = new PubSubTestClient(fake.endpoint())) {
            TopicName topic = pubsub.createTopic("smoke");
            SourceFactory factory = ServiceLoader.load(SourceFactory.class).stream().map(ServiceLoader.Provider::get)
                    .filter(candidate -> candidate.name().equals("gcp")).findFirst().orElseThrow();
            MessageSource source = factory.create(PluginConfig.of("gateway.source.gcp",
                    Map.of("project", PubSubTestClient.PROJECT, "topic", "smoke", "endpoint", fake.endpoint())));
            Gateway gateway = TestGateways.builder().instanceId("smoke-1").source(source).storage(new MemoryStorage())
                    .build().start();
            try {
                GcpTestSupport.awaitReady(gateway);
                assertEquals("gcp", Http.get(gateway.port(), "/api/stats").json().get("source").get("name").asText());
                SubscriptionName subscription = SubscriptionNames.perInstance(PubSubTestClient.PROJECT, topic, "smoke-1");
                assertTrue(pubsub.findSubscription(subscription).isPresent());
                long stopping = System.nanoTime();
                gateway.stop();
                Duration took = Duration.ofNanos(System.nanoTime() - stopping);
                assertTrue(took.compareTo(Duration.ofSeconds(4)) < 0, "stopping took " + took);
                assertFalse(source.isAvailable());
                assertFalse(pubsub.findSubscription(subscription).isPresent());
            } finally {
                gateway.stop();
            }
        }
    }

    @Test
    void stopsPromptlyWhilePubSubDoesNotAnswer() throws Exception {
        // accepts connections and never says a word: calls hang until their deadline
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CountDownLatch connected = new CountDownLatch(1);
            List<Socket> accepted = new CopyOnWriteArrayList<>();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                        connected.countDown();
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            MessageSource source = GcpTestSupport.source(PluginConfig.of("gateway.source.gcp", Map.of(
                    "project", PubSubTestClient.PROJECT, "topic", "silence", "endpoint", "127.0.0.1:" + silent.getLocalPort())));
            CancellationSignal token = new CancellationSignal();
            Thread runner = Thread.ofVirtual().start(() -> {
                try {
                    source.start(new NoHandler(), new MessageSourceContract.NoConnections("silent-1"), token);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(connected.await(10, TimeUnit.SECONDS), "the source never connected");
            assertFalse(source.isAvailable());

            long cancelling = System.nanoTime();
            token.cancel();
            runner.join(Duration.ofSeconds(5));
            Duration took = Duration.ofNanos(System.nanoTime() - cancelling);
            assertFalse(runner.isAlive(), "start() did not return after cancellation");
            assertTrue(took.compareTo(Duration.ofSeconds(3)) < 0, "start() took " + took + " to return");
            silent.close();
            acceptor.join(Duration.ofSeconds(1));
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    private static final class NoHandler extends RecordingHandler {
        @Override
        public Delivery handle(IncomingMessage message, IfStorageFails ifStorageFails) {
            throw new AssertionError("no message expected");
        }
    }
}
