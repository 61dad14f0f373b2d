package io.ssegateway.plugin.registry;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.plugin.redis.RedisPubSubSource;
import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.source.MessageSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Publish-to-receive latency of direct push ({@code POST /push} to the instance holding the channel) against the Redis
 * Pub/Sub path ({@code publish.lua} run on Redis, delivered by the Redis source), with the same subscribers, channels
 * and message rate, one after the other on one gateway at a time, the Redis storage in both. Not a unit test: run it
 * by hand (see the README, "Measured"). Starts and stops its own {@code redis-server}.
 * <p>
 * Arguments (all optional): {@code subscribers channels rate seconds}, default {@code 1000 1000 1000 10}.
 */
public final class PushLatencyBenchmark {

    public static void main(String[] args) throws Exception {
        int subscribers = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int channels = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        Logger.getLogger("").setLevel(Level.WARNING);
        System.out.printf("%d subscribers on %d channels, %d msg/s round-robin over the channels, %d s measured after "
                + "5 s of warm-up%n", subscribers, channels, rate, seconds);
        try (RedisServer redis = RedisServer.start()) {
            ChannelRegistrySource registry = RegistryFixtures.source(redis);
            run("POST /push (direct)", redis, registry, subscribers, channels, rate, seconds,
                    gateway -> new PushAgent(registry.pushPort(), 16));
            MessageSource pubsub = new RedisPubSubSource.Factory().create(PluginConfig.of("gateway.source.redis",
                    Map.of("url", redis.url())));
            RedisClient client = RedisClient.create(redis.url());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                RedisAsyncCommands<String, String> commands = connection.async();
                String sha = connection.sync().scriptLoad(publishScript());
                run("publish.lua + Redis Pub/Sub source", redis, pubsub, subscribers, channels, rate, seconds, gateway ->
                        (channel, scheduledAt) -> commands.evalsha(sha, ScriptOutputType.MULTI,
                                new String[] {"sse:stream:" + channel, "sse:ids:" + channel}, "sse:" + channel, "tick",
                                Long.toString(scheduledAt), "", "1000", "3600000").whenComplete((reply, error) -> {
                                    if (error != null) {
                                        FAILED_PUBLISHES.incrementAndGet();
                                    }
                                }));
            } finally {
                client.shutdown();
            }
        }
        System.exit(0);
    }

    private static final AtomicLong FAILED_PUBLISHES = new AtomicLong();
    private static final ConcurrentLinkedQueue<Long> REPLY_LATENCIES = new ConcurrentLinkedQueue<>();

    /**
     * Publishes one message to a channel, stamped with the nanoTime it was scheduled for: a publisher that falls behind
     * its schedule shows in the latency (no coordinated omission).
     */
    private interface Publisher {
        void publish(String channel, long scheduledAt);
    }

    private interface PublisherFactory {
        Publisher create(Gateway gateway) throws Exception;
    }

    private static void run(String name, RedisServer redis, MessageSource source, int subscribers, int channels, int rate,
                            int seconds, PublisherFactory publishers) throws Exception {
        redis.command("FLUSHALL");
        FAILED_PUBLISHES.set(0);
        REPLY_LATENCIES.clear();
        Gateway gateway = TestGateways.builder().source(source).storage(RegistryFixtures.storage(redis))
                .maxConnections(subscribers + 100).build().start();
        SseClient.awaitCondition(source::isAvailable, Duration.ofSeconds(30), () -> name + ": source not available");
        List<Subscriber> clients = new ArrayList<>();
        try {
            for (int i = 0; i < subscribers; i++) {
                clients.add(new Subscriber(gateway.port(), "bench-" + (i % channels)));
            }
            SseClient.awaitCondition(() -> gateway.connections().connectionCount() == subscribers, Duration.ofSeconds(60),
                    () -> "subscribers connected: " + gateway.connections().connectionCount());
            Publisher publisher = publishers.create(gateway);
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
                    REPLY_LATENCIES.clear();
                    measuring = true;
                }
                publisher.publish("bench-" + (sent % channels), next);
                sent++;
                next += interval;
            }
            Thread.sleep(1000);
            long[] all = clients.stream().map(Subscriber::latencies).flatMapToLong(Arrays::stream).sorted().toArray();
            long expected = (long) seconds * rate * subscribers / channels;
            System.out.printf("%s: received %d of ~%d; p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms;"
                    + " failed publishes %d%n", name, all.length, expected, percentile(all, 50), percentile(all, 90),
                    percentile(all, 99), percentile(all, 99.9), all.length == 0 ? 0 : all[all.length - 1] / 1e6,
                    FAILED_PUBLISHES.get());
            if (!REPLY_LATENCIES.isEmpty()) {
                long[] replies = REPLY_LATENCIES.stream().mapToLong(Long::longValue).sorted().toArray();
                System.out.printf("  agent's round trip (request to 200 reply): p50 %.2f ms, p99 %.2f ms%n",
                        percentile(replies, 50), percentile(replies, 99));
            }
        } finally {
            clients.forEach(Subscriber::close);
            gateway.stop();
        }
    }

    private static String publishScript() throws IOException {
        try (InputStream in = RedisPubSubSource.class.getResourceAsStream("publish.lua")) {
            if (in == null) {
                throw new IllegalStateException("publish.lua is not in the Redis plugin's jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static double percentile(long[] sorted, double percentile) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(percentile / 100 * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    /**
     * A lean agent: {@code connections} keep-alive HTTP/1.1 connections, each driven by a virtual thread that takes the
     * next message from a queue, sends {@code POST /push} and reads the reply. A bounded pool, as a real agent has;
     * messages wait in the queue when every connection is busy (counted in the latency: they carry their scheduled time).
     */
    private static final class PushAgent implements Publisher {
        private final java.util.concurrent.BlockingQueue<String> queue = new java.util.concurrent.LinkedBlockingQueue<>();

        PushAgent(int port, int connections) throws IOException {
            for (int i = 0; i < connections; i++) {
                Socket socket = new Socket("127.0.0.1", port);
                socket.setTcpNoDelay(true);
                Thread.ofVirtual().start(() -> send(socket));
            }
        }

        @Override
        public void publish(String channel, long scheduledAt) {
            queue.add("{\"channel_id\":\"" + channel + "\",\"event_type\":\"tick\",\"data\":\"" + scheduledAt + "\"}");
        }

        private void send(Socket socket) {
            try (socket) {
                OutputStream out = socket.getOutputStream();
                java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
                while (true) {
                    String body = queue.take();
                    long scheduledAt = Long.parseLong(body.substring(body.lastIndexOf(':') + 2, body.length() - 2));
                    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                    out.write(("POST /push HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(bytes);
                    out.flush();
                    String status = readLine(in);
                    int length = 0;
                    for (String header = readLine(in); !header.isEmpty(); header = readLine(in)) {
                        if (header.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                            length = Integer.parseInt(header.substring(15).trim());
                        }
                    }
                    in.readFully(new byte[length]);
                    if (!status.startsWith("HTTP/1.1 200")) {
                        if (FAILED_PUBLISHES.incrementAndGet() <= 3) {
                            System.out.println("  a push failed: " + status);
                        }
                    } else {
                        REPLY_LATENCIES.add(System.nanoTime() - scheduledAt);
                    }
                }
            } catch (IOException | InterruptedException | RuntimeException stopped) {
                // the run is over
            }
        }

        private static String readLine(java.io.DataInputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("closed");
                }
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }
    }

    /** A lean SSE subscriber: reads {@code data:} lines (the publisher's nanoTime) and notes the delay. */
    private static final class Subscriber {
        private final Socket socket;
        private volatile boolean measuring;
        private long[] latencies = new long[1024];
        private int count;

        Subscriber(int port, String channel) throws IOException {
            socket = new Socket("127.0.0.1", port);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /sse/connect?channel_id=" + channel + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.ofVirtual().start(this::read);
        }

        void startMeasuring() {
            measuring = true;
        }

        private void read() {
            LongConsumer record = latency -> {
                synchronized (this) {
                    if (count == latencies.length) {
                        latencies = Arrays.copyOf(latencies, count * 2);
                    }
                    latencies[count++] = latency;
                }
            };
            try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.startsWith("data: ") && measuring && Character.isDigit(line.charAt(6))) {
                        try {
                            record.accept(System.nanoTime() - Long.parseLong(line.substring(6).trim()));
                        } catch (NumberFormatException splitByAChunkHeader) {
                            // a chunk boundary inside the line: skip this sample
                        }
                    }
                }
            } catch (IOException closed) {
                // the run is over
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
