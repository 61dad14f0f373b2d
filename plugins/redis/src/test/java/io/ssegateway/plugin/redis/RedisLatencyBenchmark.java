package io.ssegateway.plugin.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.spi.SseEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Measures, on this machine, (1) publish-to-receive latency through Redis: a publisher runs {@code publish.lua} at a
 * fixed rate, one gateway (Redis source and storage) delivers to real SSE connections, and each subscriber notes when
 * each event arrives; (2) the cost of {@code RedisStreamStorage.append}. Not a unit test: run it by hand
 * (see the README, "Measuring"). Starts and stops its own {@code redis-server}.
 * <p>
 * Arguments (all optional): {@code subscribers channels rate seconds}, default {@code 1000 1000 1000 20}: 1,000
 * subscribers spread over 1,000 channels, 1,000 messages/s round-robin over the channels, 20 s measured after 5 s of
 * warm-up.
 */
public final class RedisLatencyBenchmark {

    public static void main(String[] args) throws Exception {
        LatencyRun.Load load = LatencyRun.Load.fromArgs(args, 20);
        Logger.getLogger("").setLevel(Level.WARNING);
        try (RedisServer redis = RedisServer.start()) {
            latency(redis, load);
            appendCost(redis);
        }
        System.exit(0);
    }

    private static void latency(RedisServer redis, LatencyRun.Load load) throws Exception {
        Gateway gateway = TestGateways.builder().source(RedisFixtures.source(redis)).storage(RedisFixtures.storage(redis))
                .maxConnections(load.subscribers() + 100).build().start();
        RedisClient client = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisFixtures.awaitReady(gateway);
            RedisAsyncCommands<String, String> commands = connection.async();
            String sha = connection.sync().scriptLoad(RedisFixtures.publishScript());
            long[] all = LatencyRun.measure(gateway, load, (channel, scheduledAt) ->
                    commands.evalsha(sha, ScriptOutputType.MULTI, new String[] {"sse:stream:" + channel, "sse:ids:" + channel},
                            "sse:" + channel, "tick", Long.toString(scheduledAt), "", "1000", "3600000"), () -> { });
            System.out.printf("latency: %s through publish.lua:%n", load);
            System.out.printf("  events received %d of ~%d expected; %s%n", all.length, load.expectedEvents(),
                    LatencyRun.percentiles(all));
        } finally {
            client.shutdown();
            gateway.stop();
        }
    }

    private static void appendCost(RedisServer redis) throws Exception {
        RedisStreamStorage storage = RedisFixtures.storage(redis);
        try {
            for (int i = 0; i < 5_000; i++) {
                storage.append("warm-" + (i % 10), SseEvent.of("t", "warm-up"));
            }
            String data = "{\"user\":\"u1\",\"text\":\"" + "x".repeat(200) + "\"}";
            int count = 20_000;
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                storage.append("append-" + (i % 100), SseEvent.of("t", data).withMessageId("m-" + i));
            }
            double sequential = (System.nanoTime() - start) / 1e3 / count;
            int threads = 16;
            ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
            start = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < count / threads; i++) {
                        storage.append("concurrent-" + thread, SseEvent.of("t", data).withMessageId("c-" + thread + "-" + i));
                    }
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
            double concurrent = (System.nanoTime() - start) / 1e3 / count;
            pool.shutdown();
            System.out.printf("append (~250-byte event with a business id, max-len 1000): %.1f µs per call one at a time, "
                    + "%.1f µs per message with %d concurrent appenders (%.0f appends/s)%n",
                    sequential, concurrent, threads, 1e6 / concurrent);
        } finally {
            storage.close();
        }
    }
}
