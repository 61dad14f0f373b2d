package io.ssegateway.plugin.redis;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.redis.RedisCluster;
import io.ssegateway.spi.source.IncomingMessage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Measures, on this machine, publishing through one gateway instance and delivering through another, both on the same
 * Redis engine: a single {@code redis-server}, or a 3-master, 3-replica Redis Cluster (cluster key layout, classic
 * Pub/Sub, {@code WAIT} for one replica). The publisher does what {@code POST /api/send} on instance A does (the Redis
 * source's {@code publish}: {@code publish.lua}, then {@code WAIT} on the cluster), at a fixed rate from virtual
 * threads; the subscribers are on instance B. Not a unit test: run it by hand (docs/plugins/redis.md, "Measured").
 * <p>
 * Arguments: {@code single|cluster subscribers channels rate seconds}, e.g. {@code cluster 1000 1000 1000 20}.
 */
public final class TwoInstanceLatencyBenchmark {

    private static final String[] SETTINGS = {"timeout", "2s"};

    public static void main(String[] args) throws Exception {
        String engine = args.length > 0 ? args[0] : "single";
        String[] rest = args.length > 1 ? java.util.Arrays.copyOfRange(args, 1, args.length) : new String[0];
        LatencyRun.Load load = LatencyRun.Load.fromArgs(rest, 20);
        Logger.getLogger("").setLevel(Level.WARNING);
        switch (engine) {
            case "single" -> {
                try (RedisServer redis = RedisServer.start()) {
                    run(engine, redis.url(), load);
                }
            }
            case "cluster" -> {
                try (RedisCluster cluster = RedisCluster.start()) {
                    run(engine, cluster.url(), load);
                }
            }
            default -> throw new IllegalArgumentException("engine: single or cluster");
        }
        System.exit(0);
    }

    private static void run(String engine, String url, LatencyRun.Load load) throws Exception {
        RedisPubSubSource sourceA = RedisFixtures.source(url, SETTINGS);
        Gateway a = TestGateways.builder().source(sourceA).storage(RedisFixtures.storage(url, SETTINGS)).build().start();
        Gateway b = TestGateways.builder().source(RedisFixtures.source(url, SETTINGS))
                .storage(RedisFixtures.storage(url, SETTINGS)).maxConnections(load.subscribers() + 100).build().start();
        ExecutorService publishers = Executors.newVirtualThreadPerTaskExecutor();
        AtomicLong acknowledged = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicBoolean measuring = new AtomicBoolean();
        long[] measuredFrom = new long[1];
        try {
            RedisFixtures.awaitReady(a, java.time.Duration.ofSeconds(30));
            RedisFixtures.awaitReady(b, java.time.Duration.ofSeconds(30));
            long[] all = LatencyRun.measure(b, load, (channel, scheduledAt) -> publishers.execute(() -> {
                try {
                    sourceA.publish(IncomingMessage.toChannel(channel, "tick", Long.toString(scheduledAt)));
                    if (measuring.get()) {
                        acknowledged.incrementAndGet();
                    }
                } catch (RuntimeException e) {
                    if (failed.incrementAndGet() == 1) {
                        System.out.println("  first failure: " + e);
                    }
                }
            }), () -> {
                measuring.set(true);
                measuredFrom[0] = System.nanoTime();
            });
            double seconds = (System.nanoTime() - measuredFrom[0]) / 1e9;
            System.out.printf("%s, 2 instances (publish on A, deliver on B): %s%n", engine, load);
            System.out.printf("  published and acknowledged %.0f/s (%d failed); deliveries received %d of ~%d expected; %s%n",
                    acknowledged.get() / seconds, failed.get(), all.length, load.expectedEvents(),
                    LatencyRun.percentiles(all));
        } finally {
            publishers.shutdown();
            publishers.awaitTermination(5, TimeUnit.SECONDS);
            a.stop();
            b.stop();
        }
    }
}
