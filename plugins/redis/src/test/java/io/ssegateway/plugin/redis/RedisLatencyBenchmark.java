package io.ssegateway.plugin.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.spi.SseEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
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
        int subscribers = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int channels = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        Logger.getLogger("").setLevel(Level.WARNING);
        try (RedisServer redis = RedisServer.start()) {
            latency(redis, subscribers, channels, rate, seconds);
            appendCost(redis);
        }
        System.exit(0);
    }

    private static void latency(RedisServer redis, int subscribers, int channels, int rate, int seconds) throws Exception {
        Gateway gateway = TestGateways.builder().source(RedisFixtures.source(redis)).storage(RedisFixtures.storage(redis))
                .maxConnections(subscribers + 100).build().start();
        RedisFixtures.awaitReady(gateway);
        List<Subscriber> clients = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            clients.add(new Subscriber(gateway.port(), "bench-" + (i % channels)));
        }
        io.ssegateway.host.testkit.SseClient.awaitCondition(() -> gateway.connections().connectionCount() == subscribers,
                Duration.ofSeconds(60), () -> "subscribers connected: " + gateway.connections().connectionCount());

        RedisClient client = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisAsyncCommands<String, String> commands = connection.async();
            String sha = connection.sync().scriptLoad(RedisStreamStorage.PUBLISH_SCRIPT.source());
            long warmUpEnd = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            long end = warmUpEnd + Duration.ofSeconds(seconds).toNanos();
            long interval = 1_000_000_000L / rate;
            long next = System.nanoTime();
            long sent = 0;
            boolean measuring = false;
            while (System.nanoTime() < end) {
                long now = System.nanoTime();
                if (now < next) {
                    LockSupport.parkNanos(next - now);
                    continue;
                }
                if (!measuring && now >= warmUpEnd) {
                    clients.forEach(Subscriber::startMeasuring);
                    measuring = true;
                }
                String channel = "bench-" + (sent % channels);
                commands.evalsha(sha, ScriptOutputType.MULTI, new String[] {"sse:stream:" + channel, "sse:ids:" + channel},
                        "sse:" + channel, "tick", Long.toString(System.nanoTime()), "", "1000", "3600000");
                sent++;
                next += interval;
            }
            Thread.sleep(1000);
            long[] all = clients.stream().map(Subscriber::latencies).flatMapToLong(Arrays::stream).sorted().toArray();
            long expected = (long) seconds * rate * subscribers / channels;
            System.out.printf("latency: %d subscribers on %d channels, %d msg/s for %d s through publish.lua:%n",
                    subscribers, channels, rate, seconds);
            System.out.printf("  events received %d of ~%d expected; p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms%n",
                    all.length, expected, percentile(all, 50), percentile(all, 90), percentile(all, 99),
                    percentile(all, 99.9), all.length == 0 ? 0 : all[all.length - 1] / 1e6);
        } finally {
            clients.forEach(Subscriber::close);
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

    private static double percentile(long[] sorted, double percentile) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(percentile / 100 * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    /** A lean SSE subscriber: reads {@code data:} lines (the publisher's nanoTime) and notes the delay. */
    private static final class Subscriber {
        private final Socket socket;
        private final Thread reader;
        private volatile boolean measuring;
        private long[] latencies = new long[1024];
        private int count;

        Subscriber(int port, String channel) throws IOException {
            socket = new Socket("127.0.0.1", port);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /sse/connect?channel_id=" + channel + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            reader = Thread.ofVirtual().start(this::read);
        }

        void startMeasuring() {
            measuring = true;
        }

        private void read() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.startsWith("data: ") && measuring && Character.isDigit(line.charAt(6))) {
                        long latency;
                        try {
                            latency = System.nanoTime() - Long.parseLong(line.substring(6).trim());
                        } catch (NumberFormatException splitByAChunkHeader) {
                            continue;
                        }
                        synchronized (this) {
                            if (count == latencies.length) {
                                latencies = Arrays.copyOf(latencies, count * 2);
                            }
                            latencies[count++] = latency;
                        }
                    }
                }
            } catch (IOException closed) {
                // the benchmark is over
            }
        }

        synchronized long[] latencies() {
            return Arrays.copyOf(latencies, count);
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
