package io.ssegateway.plugin.gcp;

import io.ssegateway.spi.CancellationSignal;
import io.ssegateway.spi.ConnectionView;
import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.source.Delivery;
import io.ssegateway.spi.source.IfStorageFails;
import io.ssegateway.spi.source.IncomingMessage;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.testkit.MessageSourceContract;
import io.ssegateway.spi.testkit.RecordingHandler;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Measures what the Pub/Sub source costs at start-up, in a fresh JVM against a running emulator: the classes it
 * loads, the time from {@code create} to subscribed (cold: first in the JVM, so class loading included; warm: again),
 * and the time to the first message. The emulator is driven over its REST API so that no Google class is loaded
 * before the measurement. Not a test; run it by hand (see the README, section "Google Cloud Pub/Sub source"):
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat cp.txt) io.ssegateway.plugin.gcp.StartupCostProbe 127.0.0.1:8085
 * </pre>
 */
public final class StartupCostProbe {

    public static void main(String[] args) throws Exception {
        String endpoint = args.length > 0 ? args[0] : "127.0.0.1:8085";
        PubSubRest pubsub = new PubSubRest(endpoint);
        pubsub.createTopic("probe-project", "startup-probe");
        for (String round : new String[] {"cold", "warm"}) {
            measure(endpoint, pubsub, round);
        }
    }

    private static void measure(String endpoint, PubSubRest pubsub, String round) throws Exception {
        long classesBefore = ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount();
        long t0 = System.nanoTime();
        MessageSource source = new GcpSourceFactory(name -> null).create(PluginConfig.of("gateway.source.gcp",
                Map.of("project", "probe-project", "topic", "startup-probe", "endpoint", endpoint)));
        long created = System.nanoTime();
        CountDownLatch firstMessage = new CountDownLatch(1);
        CancellationSignal token = new CancellationSignal();
        Thread runner = Thread.ofVirtual().start(() -> {
            try {
                source.start(new RecordingHandler() {
                    @Override
                    public Delivery handle(IncomingMessage message, IfStorageFails ifStorageFails) {
                        firstMessage.countDown();
                        return super.handle(message, ifStorageFails);
                    }
                }, new MessageSourceContract.NoConnections(round), token);
            } catch (Exception e) {
                e.printStackTrace();
            }
        });
        while (!source.isAvailable()) {
            Thread.sleep(1);
        }
        long subscribed = System.nanoTime();
        long classesAfter = ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount();
        long published = System.nanoTime();
        pubsub.publish("probe-project", "startup-probe", "probe", Map.of());
        if (!firstMessage.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no message within 30 s");
        }
        long received = System.nanoTime();
        token.cancel();
        runner.join(Duration.ofSeconds(10));
        long stopped = System.nanoTime();
        System.out.printf("%s: create %d ms, create->subscribed %d ms (%d classes loaded), publish->handled %d ms, stop %d ms%n",
                round, ms(created - t0), ms(subscribed - t0), classesAfter - classesBefore, ms(received - published),
                ms(stopped - received));
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
