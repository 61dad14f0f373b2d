package io.ssegateway.plugin.nats;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.plugin.redis.LatencyRun;
import io.ssegateway.plugin.redis.RedisFixtures;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.storage.MessageStorage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Publish-to-receive latency through an engine with two gateway instances (not a test; run by hand, see
 * docs/plugins/nats.md "Measured"): every message is sent to instance A's {@code POST /api/send}, asynchronously at a
 * fixed rate, and the subscribers are on instance B, so each event goes A → engine → B → client. Starts its own
 * {@code nats-server -js} or {@code redis-server}.
 * <p>
 * Arguments: {@code engine subscribers channels rate seconds} ({@code nats} or {@code redis}; default
 * {@code nats 1000 1000 1000 20}).
 */
public final class TwoInstanceLatencyBenchmark {

    private TwoInstanceLatencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String engine = args.length > 0 ? args[0] : "nats";
        String[] rest = args.length > 0 ? java.util.Arrays.copyOfRange(args, 1, args.length) : args;
        LatencyRun.Load load = LatencyRun.Load.fromArgs(rest, 20);
        Logger.getLogger("").setLevel(Level.WARNING);
        switch (engine) {
            case "nats" -> {
                try (NatsServer nats = NatsServer.start()) {
                    run(engine, load, () -> NatsFixtures.source(nats), () -> NatsFixtures.storage(nats));
                }
            }
            case "redis" -> {
                try (RedisServer redis = RedisServer.start()) {
                    run(engine, load, () -> RedisFixtures.source(redis), () -> RedisFixtures.storage(redis));
                }
            }
            default -> throw new IllegalArgumentException("engine: nats or redis");
        }
        System.exit(0);
    }

    private static void run(String engine, LatencyRun.Load load, Supplier<MessageSource> source,
                            Supplier<MessageStorage> storage) throws Exception {
        Gateway a = TestGateways.builder().source(source.get()).storage(storage.get()).build().start();
        Gateway b = TestGateways.builder().source(source.get()).storage(storage.get())
                .maxConnections(load.subscribers() + 100).build().start();
        HttpClient http = HttpClient.newBuilder().executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()).build();
        AtomicLong accepted = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        // at most this many sends in flight (so as many HTTP connections): a publisher that falls behind waits, and its
        // lateness shows in the latency, which counts from the scheduled time
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(32);
        try {
            NatsFixtures.awaitReady(a);
            NatsFixtures.awaitReady(b);
            URI send = URI.create("http://127.0.0.1:" + a.port() + "/api/send");
            long[] all = LatencyRun.measure(b, load, (channel, scheduledAt) -> {
                HttpRequest request = HttpRequest.newBuilder(send).timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"channel_id\":\"" + channel
                                + "\",\"event_type\":\"tick\",\"data\":\"" + scheduledAt + "\"}"))
                        .build();
                inFlight.acquire();
                http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
                    inFlight.release();
                    if (error == null && response.statusCode() == 200 && !response.body().contains("warning")) {
                        accepted.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                    }
                });
            }, () -> {
                accepted.set(0);
                failed.set(0);
            });
            double seconds = load.seconds(); // the publisher stops then; the harness waits 1 s more for stragglers
            System.out.printf("%s, 2 instances (send to A, subscribers on B): %s%n", engine, load);
            System.out.printf("  /api/send accepted %.0f/s (%d failed or fell back); events received %d of ~%d expected; %s%n",
                    accepted.get() / seconds, failed.get(), all.length, load.expectedEvents(), LatencyRun.percentiles(all));
        } finally {
            a.stop();
            b.stop();
        }
    }
}
