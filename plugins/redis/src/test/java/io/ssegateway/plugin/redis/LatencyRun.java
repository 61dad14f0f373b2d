package io.ssegateway.plugin.redis;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.SseClient;
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
import java.util.concurrent.locks.LockSupport;

/**
 * Publish-to-receive latency through a running gateway, for the benchmarks (not a test): lean SSE subscribers spread
 * over the channels note when each event arrives; the publisher runs at a fixed rate, round-robin over the channels,
 * and stamps each message with the time it was <em>scheduled</em> for, so that a publisher falling behind shows in the
 * latency (no coordinated omission). 5 s of warm-up, then {@code seconds} measured. Public, in this module's test jar,
 * for the channel registry's benchmark too.
 */
public final class LatencyRun {

    private static final Duration WARM_UP = Duration.ofSeconds(5);

    /**
     * How much: {@code subscribers} spread over {@code channels} channels, {@code rate} messages a second round-robin
     * over the channels, {@code seconds} measured after the warm-up.
     */
    public record Load(int subscribers, int channels, int rate, int seconds) {

        /** From a benchmark's arguments {@code subscribers channels rate seconds} (all optional; 1000 each by default). */
        public static Load fromArgs(String[] args, int defaultSeconds) {
            return new Load(arg(args, 0, 1000), arg(args, 1, 1000), arg(args, 2, 1000), arg(args, 3, defaultSeconds));
        }

        private static int arg(String[] args, int index, int defaultValue) {
            return args.length > index ? Integer.parseInt(args[index]) : defaultValue;
        }

        /** The events the subscribers should receive while measuring. */
        public long expectedEvents() {
            return (long) seconds * rate * subscribers / channels;
        }

        @Override
        public String toString() {
            return subscribers + " subscribers on " + channels + " channels, " + rate + " msg/s for " + seconds + " s";
        }
    }

    /** Publishes one message whose data is {@code scheduledAt} (a {@link System#nanoTime()}) to a channel. */
    public interface Publisher {
        void publish(String channel, long scheduledAt) throws Exception;
    }

    private LatencyRun() {
    }

    /**
     * Connects the subscribers to channels {@code bench-0} … {@code bench-<channels - 1>}, publishes, and returns every
     * latency measured (nanoseconds, sorted). {@code onMeasuring} runs when the warm-up ends.
     */
    public static long[] measure(Gateway gateway, Load load, Publisher publisher, Runnable onMeasuring) throws Exception {
        int subscribers = load.subscribers();
        int channels = load.channels();
        List<Subscriber> clients = new ArrayList<>();
        try {
            for (int i = 0; i < subscribers; i++) {
                clients.add(new Subscriber(gateway.port(), "bench-" + (i % channels)));
            }
            SseClient.awaitCondition(() -> gateway.connections().connectionCount() == subscribers, Duration.ofSeconds(60),
                    () -> "subscribers connected: " + gateway.connections().connectionCount());
            long warmUpEnd = System.nanoTime() + WARM_UP.toNanos();
            long end = warmUpEnd + Duration.ofSeconds(load.seconds()).toNanos();
            long interval = 1_000_000_000L / load.rate();
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
                    onMeasuring.run();
                    measuring = true;
                }
                publisher.publish("bench-" + (sent % channels), next);
                sent++;
                next += interval;
            }
            Thread.sleep(1000); // the last events in flight
            return clients.stream().map(Subscriber::latencies).flatMapToLong(Arrays::stream).sorted().toArray();
        } finally {
            clients.forEach(Subscriber::close);
        }
    }

    /** {@code p50 …, p90 …, p99 …, p99.9 …, max …} in milliseconds. */
    public static String percentiles(long[] sorted) {
        return String.format("p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms", percentile(sorted, 50),
                percentile(sorted, 90), percentile(sorted, 99), percentile(sorted, 99.9), percentile(sorted, 100));
    }

    /** A percentile of sorted nanoseconds, in milliseconds. */
    public static double percentile(long[] sorted, double percentile) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(percentile / 100 * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    /** A lean SSE subscriber: reads {@code data:} lines (the scheduled nanoTime) and notes the delay. */
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
            try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.startsWith("data: ") && measuring && Character.isDigit(line.charAt(6))) {
                        long latency;
                        try {
                            latency = System.nanoTime() - Long.parseLong(line.substring(6).trim());
                        } catch (NumberFormatException splitByAChunkHeader) {
                            continue;
                        }
                        record(latency);
                    }
                }
            } catch (IOException closed) {
                // the run is over
            }
        }

        private synchronized void record(long latency) {
            if (count == latencies.length) {
                latencies = Arrays.copyOf(latencies, count * 2);
            }
            latencies[count++] = latency;
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
