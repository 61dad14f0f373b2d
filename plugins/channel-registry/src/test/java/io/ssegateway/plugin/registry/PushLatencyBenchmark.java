package io.ssegateway.plugin.registry;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.plugin.redis.LatencyRun;
import io.ssegateway.plugin.redis.RedisFixtures;
import io.ssegateway.spi.source.MessageSource;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
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
        LatencyRun.Load load = LatencyRun.Load.fromArgs(args, 10);
        Logger.getLogger("").setLevel(Level.WARNING);
        System.out.println(load + " (round-robin over the channels), measured after 5 s of warm-up");
        try (RedisServer redis = RedisServer.start()) {
            ChannelRegistrySource registry = RegistryFixtures.source(redis);
            run("POST /push (direct)", redis, registry, load,
                    gateway -> new PushAgent(registry.pushPort(), 16));
            MessageSource pubsub = RedisFixtures.source(redis);
            RedisClient client = RedisClient.create(redis.url());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                RedisAsyncCommands<String, String> commands = connection.async();
                String sha = connection.sync().scriptLoad(RedisFixtures.publishScript());
                run("publish.lua + Redis Pub/Sub source", redis, pubsub, load, gateway ->
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

    private interface PublisherFactory {
        LatencyRun.Publisher create(Gateway gateway) throws Exception;
    }

    private static void run(String name, RedisServer redis, MessageSource source, LatencyRun.Load load,
                            PublisherFactory publishers) throws Exception {
        redis.command("FLUSHALL");
        FAILED_PUBLISHES.set(0);
        REPLY_LATENCIES.clear();
        Gateway gateway = TestGateways.builder().source(source).storage(RedisFixtures.storage(redis))
                .maxConnections(load.subscribers() + 100).build().start();
        try {
            SseClient.awaitCondition(source::isAvailable, Duration.ofSeconds(30), () -> name + ": source not available");
            long[] all = LatencyRun.measure(gateway, load, publishers.create(gateway), REPLY_LATENCIES::clear);
            System.out.printf("%s: received %d of ~%d; %s; failed publishes %d%n", name, all.length,
                    load.expectedEvents(), LatencyRun.percentiles(all), FAILED_PUBLISHES.get());
            if (!REPLY_LATENCIES.isEmpty()) {
                long[] replies = REPLY_LATENCIES.stream().mapToLong(Long::longValue).sorted().toArray();
                System.out.printf("  agent's round trip (request to 200 reply): p50 %.2f ms, p99 %.2f ms%n",
                        LatencyRun.percentile(replies, 50), LatencyRun.percentile(replies, 99));
            }
        } finally {
            gateway.stop();
        }
    }

    /**
     * A lean agent: {@code connections} keep-alive HTTP/1.1 connections, each driven by a virtual thread that takes the
     * next message from a queue, sends {@code POST /push} and reads the reply. A bounded pool, as a real agent has;
     * messages wait in the queue when every connection is busy (counted in the latency: they carry their scheduled time).
     */
    private static final class PushAgent implements LatencyRun.Publisher {
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
}
