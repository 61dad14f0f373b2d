package io.ssegateway.plugin.gcp;

import io.ssegateway.spi.ConnectionManager;
import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.source.IncomingMessage;
import io.ssegateway.spi.source.MessageHandler;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.testkit.MessageSourceContract;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
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

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] args) throws Exception {
        String endpoint = args.length > 0 ? args[0] : "127.0.0.1:8085";
        rest(endpoint, "PUT", "/v1/projects/probe-project/topics/startup-probe", "");
        for (String round : new String[] {"cold", "warm"}) {
            measure(endpoint, round);
        }
    }

    private static void measure(String endpoint, String round) throws Exception {
        long classesBefore = ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount();
        long t0 = System.nanoTime();
        MessageSource source = new GcpSourceFactory(name -> null).create(PluginConfig.of("gateway.source.gcp",
                Map.of("project", "probe-project", "topic", "startup-probe", "endpoint", endpoint)));
        long created = System.nanoTime();
        CountDownLatch firstMessage = new CountDownLatch(1);
        MessageSourceContract.TestToken token = new MessageSourceContract.TestToken();
        Thread runner = Thread.ofVirtual().start(() -> {
            try {
                source.start(new MessageHandler() {
                    @Override
                    public String handle(IncomingMessage message) {
                        firstMessage.countDown();
                        return null;
                    }

                    @Override
                    public void deliverWithoutStoring(IncomingMessage message) {
                        firstMessage.countDown();
                    }
                }, new Instance(round), token);
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
        rest(endpoint, "POST", "/v1/projects/probe-project/topics/startup-probe:publish",
                "{\"messages\":[{\"data\":\"" + Base64.getEncoder().encodeToString("probe".getBytes()) + "\"}]}");
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

    private static void rest(String endpoint, String method, String path, String body) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + endpoint + path))
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200 && !(method.equals("PUT") && response.statusCode() == 409)) {
            throw new IllegalStateException(method + " " + path + ": " + response.statusCode() + " " + response.body());
        }
    }

    private record Instance(String instanceId) implements ConnectionManager {
        @Override
        public int connectionCount() {
            return 0;
        }

        @Override
        public int channelConnectionCount(String channelId) {
            return 0;
        }

        @Override
        public Set<String> channels() {
            return Set.of();
        }
    }
}
