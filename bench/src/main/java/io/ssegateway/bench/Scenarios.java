package io.ssegateway.bench;

import java.io.IOException;
import java.util.Map;

/**
 * The scenarios. Each returns one JSON line; progress goes to stderr. Channel names carry a run id so that one
 * gateway can serve several runs without their histories mixing.
 */
final class Scenarios {

    private Scenarios() {
    }

    /**
     * N idle connections, opened in two halves: server RSS per connection over all N (what a fresh server grows by,
     * heap expansion included) and over the second half (the marginal cost once the heap has grown), connect rate.
     * With {@code --live-heap}: also the server's live heap per connection after full collections (jcmd), the
     * figure that does not depend on how far the collector let the heap grow; {@code --warmup R} first opens and
     * closes the N connections R times, so that the server's code paths are compiled as in a long-running gateway.
     * {@code --channels-per-connection K}: each connection subscribes to K channels (K − 1 of its own beside its first).
     * {@code --quiet S}: then S seconds more with the connections open and nothing sent, and the RSS read again (the
     * gateway's launcher lets G1 give back what the connects made the heap grow by once it has been quiet for 15–30 s).
     */
    static JsonLine idle(Bench bench) throws Exception {
        int n = bench.options.getInt("connections", 10_000);
        int channels = bench.options.getInt("channels", n);
        long settle = bench.options.getInt("settle", 5) * 1000L;
        long quiet = bench.options.getInt("quiet", 0) * 1000L;
        boolean liveHeap = bench.options.flag("live-heap");
        int warmup = bench.options.getInt("warmup", 0);
        int perConnection = bench.options.getInt("channels-per-connection", 1);
        String base = "idle-" + bench.runId + "-" + (channels >= n ? "{i}" : "shared");
        StringBuilder channelList = new StringBuilder(base);
        for (int extra = 1; extra < perConnection; extra++) {
            channelList.append('|').append(base).append("-x").append(extra);
        }
        String template = channelList.toString();
        if ((warmup > 0 || liveHeap) && !bench.endpoints.own) {
            throw new IllegalArgumentException("--warmup and --live-heap need the gateway (its /metrics, a JVM)");
        }
        try (WorkerPool pool = bench.workers(n, null); HttpConnection http = bench.http()) {
            for (int round = 1; round <= warmup; round++) {
                bench.open(pool, n, template, null);
                pool.all("CLOSE", null);
                long deadline = System.nanoTime() + 120_000_000_000L;
                while (bench.serverConnections(http) > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                Bench.log("warm-up round " + round + " of " + warmup + " done");
            }
            long heapBefore = liveHeap ? ProcStats.liveHeapKb(bench.serverPid) : -1;
            long before = bench.serverMemoryKb();
            // a peer has no /api/stats: only the clients' count then
            long serverBefore = bench.endpoints.own ? bench.statsNumber("total_connections") : 0;
            Bench.Usage usage = bench.new Usage(pool);
            long start = System.nanoTime();
            bench.open(pool, n / 2, template, null);
            double firstSeconds = (System.nanoTime() - start) / 1e9;
            // let the server finish what the connects started (JIT, GC) before reading its RSS
            Thread.sleep(settle);
            long half = bench.serverMemoryKb();
            start = System.nanoTime();
            bench.open(pool, n - n / 2, template, null);
            double connectSeconds = firstSeconds + (System.nanoTime() - start) / 1e9;
            Thread.sleep(settle);
            long after = bench.serverMemoryKb();
            long heapAfter = liveHeap ? ProcStats.liveHeapKb(bench.serverPid) : -1;
            long open = pool.stats().get("open");
            JsonLine line = new JsonLine().put("scenario", "idle").put("connections", n)
                    .put("channels_per_connection", perConnection).put("open", open);
            if (bench.endpoints.own) {
                line.put("server_connections_added", bench.statsNumber("total_connections") - serverBefore);
            }
            line.put("connect_per_s", n / connectSeconds)
                    .put("server_rss_before_mb", before / 1024.0).put("server_rss_half_mb", half / 1024.0)
                    .put("server_rss_after_mb", after / 1024.0)
                    .put("rss_per_connection_kb", (after - before) / (double) n)
                    .put("rss_per_connection_second_half_kb", (after - half) / (double) (n - n / 2));
            if (quiet > 0) {
                Thread.sleep(quiet);
                long quietRss = bench.serverMemoryKb();
                line.put("quiet_s", quiet / 1000).put("server_rss_quiet_mb", quietRss / 1024.0)
                        .put("rss_per_connection_quiet_kb", (quietRss - before) / (double) n);
            }
            if (liveHeap) {
                line.put("warmup_rounds", warmup).put("live_heap_before_mb", heapBefore / 1024.0)
                        .put("live_heap_after_mb", heapAfter / 1024.0)
                        .put("live_heap_per_connection_kb", (heapAfter - heapBefore) / (double) n);
            }
            return line.raw("usage", usage.json());
        }
    }

    /**
     * N subscribers of one channel, M messages: as fast as the publisher can send them (burst), or {@code --rate}
     * messages per second. Deliveries per second, publish-to-receive latency, lost / duplicated / out of order.
     */
    static JsonLine fanout(Bench bench) throws Exception {
        int n = bench.options.getInt("connections", 10_000);
        double rate = bench.options.getDouble("rate", 0);
        int messages = bench.options.getInt("messages", rate > 0 ? (int) (rate * bench.options.getInt("duration", 30)) : 200);
        String padding = Payload.padding(bench.options.getInt("payload", 64));
        String channel = "fanout-" + bench.runId;
        try (WorkerPool pool = bench.workers(n, null)) {
            bench.open(pool, n, channel, null);
            pool.all("RESET", null);
            Bench.Usage usage = bench.new Usage(pool);
            long firstPublish = System.nanoTime();
            Histogram send = bench.publish(channel, 1, 0, messages, 1, rate, padding);
            boolean complete = bench.awaitDistinct(pool, (long) n * messages);
            WorkerPool.Stats stats = pool.stats();
            String cpu = usage.json();
            double seconds = (stats.get("last_ns") - firstPublish) / 1e9;
            return delivery(new JsonLine().put("scenario", "fanout").put("mode", rate > 0 ? "paced" : "burst")
                    .put("subscribers", n).put("messages", messages).put("rate", rate)
                    .put("payload_bytes", padding.length()), stats, (long) n * messages, complete)
                    .put("deliveries_per_s", stats.get("received") / seconds)
                    .raw("reach_all_ms", reachAll(stats))
                    .raw("send_ms", send.toJsonMillis())
                    .put("server_rss_mb", bench.serverMemoryKb() / 1024.0)
                    .raw("usage", cpu);
        }
    }

    /** N channels with one subscriber each, one message per channel per round: publishes/s and the send latency. */
    static JsonLine targeted(Bench bench) throws Exception {
        int n = bench.options.getInt("connections", 10_000);
        int rounds = bench.options.getInt("rounds", 10);
        int publishers = bench.options.getInt("publishers", 8);
        String padding = Payload.padding(bench.options.getInt("payload", 64));
        String template = "t-" + bench.runId + "-{i}";
        try (WorkerPool pool = bench.workers(n, null)) {
            bench.open(pool, n, template, null);
            pool.all("RESET", null);
            Bench.Usage usage = bench.new Usage(pool);
            long start = System.nanoTime();
            Histogram send = bench.publish(template, n, 0, rounds, publishers, 0, padding);
            double publishSeconds = (System.nanoTime() - start) / 1e9;
            boolean complete = bench.awaitDistinct(pool, (long) n * rounds);
            WorkerPool.Stats stats = pool.stats();
            return delivery(new JsonLine().put("scenario", "targeted").put("channels", n).put("rounds", rounds)
                    .put("publishers", publishers), stats, (long) n * rounds, complete)
                    .put("publishes_per_s", n * (double) rounds / publishSeconds)
                    .raw("send_ms", send.toJsonMillis())
                    .raw("usage", usage.json());
        }
    }

    /**
     * N subscribers of one channel at {@code --rate} messages/s: a baseline phase, then a phase where 1 % of them
     * ({@code --slow-percent}) stop reading. The others' latency in both, and the server's drop counter.
     */
    static JsonLine slow(Bench bench) throws Exception {
        int n = bench.options.getInt("connections", 10_000);
        double rate = bench.options.getDouble("rate", 20);
        int perPhase = (int) (rate * bench.options.getInt("duration", 30));
        double percent = bench.options.getDouble("slow-percent", 1);
        int every = (int) Math.round(100 / percent);
        String padding = Payload.padding(bench.options.getInt("payload", 512));
        String channel = "slow-" + bench.runId;
        try (WorkerPool pool = bench.workers(n, null)) {
            bench.open(pool, n, channel, "small_rcvbuf_every=" + every);
            pool.all("RESET", null);
            Bench.Usage usage = bench.new Usage(pool);
            bench.publish(channel, 1, 0, perPhase, 1, rate, padding);
            boolean baselineComplete = bench.awaitDistinct(pool, (long) n * perPhase);
            WorkerPool.Stats baseline = pool.stats();

            long droppedBefore = bench.slowConsumersDropped();
            long paused = pool.all("PAUSE every=" + every, null).getOrDefault("paused", 0L);
            pool.all("RESET", null);
            bench.publish(channel, 1, perPhase, 2L * perPhase, 1, rate, padding);
            long readers = n - paused;
            // the readers had everything of phase 1; the paused ones stopped somewhere in phase 2's buffers
            long expected = (long) n * perPhase + readers * perPhase;
            bench.awaitDistinct(pool, expected);
            WorkerPool.Stats slow = pool.stats();
            long dropped = bench.slowConsumersDropped() - droppedBefore;
            long p99Base = baseline.latencyMicros().percentile(0.99);
            long p99Slow = slow.latencyMicros().percentile(0.99);
            return new JsonLine().put("scenario", "slow").put("subscribers", n).put("paused", paused).put("rate", rate)
                    .put("messages_per_phase", perPhase).put("payload_bytes", padding.length())
                    .put("baseline_complete", baselineComplete)
                    .raw("baseline_latency_ms", baseline.latencyMicros().toJsonMillis())
                    .raw("slow_phase_latency_ms", slow.latencyMicros().toJsonMillis())
                    .put("readers_received", slow.get("received")).put("readers_expected", readers * perPhase)
                    .put("p99_change_pct", p99Base == 0 ? 0 : 100.0 * (p99Slow - p99Base) / p99Base)
                    .put("slow_consumers_dropped", dropped)
                    .put("duplicated", baseline.get("duplicates") + slow.get("duplicates"))
                    .put("out_of_order", baseline.get("out_of_order") + slow.get("out_of_order"))
                    .raw("usage", usage.json());
        }
    }

    /**
     * N channels, one subscriber each: M messages live; all disconnect; M more are published; all reconnect with
     * their {@code Last-Event-ID} while M more are being published. Every subscriber must end with exactly
     * 0..3M-1, each once, in order, and no {@code gap} event.
     */
    static JsonLine replay(Bench bench) throws Exception {
        int n = bench.options.getInt("connections", 1_000);
        int m = bench.options.getInt("messages", 50);
        int publishers = bench.options.getInt("publishers", 8);
        String padding = Payload.padding(bench.options.getInt("payload", 64));
        String template = "r-" + bench.runId + "-{i}";
        try (WorkerPool pool = bench.workers(n, null)) {
            bench.open(pool, n, template, null);
            pool.all("RESET", null);
            Bench.Usage usage = bench.new Usage(pool);
            bench.publish(template, n, 0, m, publishers, 0, padding);
            boolean liveComplete = bench.awaitDistinct(pool, (long) n * m);
            pool.all("CLOSE", null);
            bench.publish(template, n, m, 2L * m, publishers, 0, padding);

            long reconnectStart = System.nanoTime();
            try (java.util.concurrent.ExecutorService background = java.util.concurrent.Executors.newSingleThreadExecutor()) {
                java.util.concurrent.Future<Histogram> duringReplay = background.submit(
                        () -> bench.publish(template, n, 2L * m, 3L * m, publishers, 0, padding));
                java.util.Map<String, Long> reopened = pool.all("RECONNECT", "ms");
                duringReplay.get();
                boolean complete = bench.awaitDistinct(pool, 3L * n * m);
                double catchUp = (System.nanoTime() - reconnectStart) / 1e9;
                WorkerPool.Stats stats = pool.stats();
                return delivery(new JsonLine().put("scenario", "replay").put("channels", n)
                        .put("messages_per_phase", m).put("live_phase_complete", liveComplete)
                        .put("reconnected", reopened.getOrDefault("reopened", 0L))
                        .put("reconnect_failed", reopened.getOrDefault("failed", 0L))
                        .put("reconnect_ms", reopened.getOrDefault("ms", 0L)), stats, 3L * n * m, complete)
                        .put("gap_events", stats.get("gap_events"))
                        .put("catch_up_s", catchUp)
                        .put("exact", complete && stats.get("duplicates") == 0 && stats.get("out_of_order") == 0
                                && stats.get("gap_events") == 0 && stats.get("distinct") == 3L * n * m)
                        .raw("usage", usage.json());
            }
        }
    }

    /**
     * A reconnect storm: N clients connect (one channel each), all hang up at once, and the gateway must notice; then
     * they all connect again, for {@code --rounds} rounds. Per round: connected and refused, how long the clients took
     * to close all their sockets ({@code hang_up_ms}), and from the start of the hang-up the time until the gateway's
     * connection count fell by half, by 99 % and to zero ({@code release_ms}: the count is polled every 10 ms; at most {@code --release-wait} seconds, then the next round connects anyway), the
     * server's CPU time meanwhile, and its RSS. At the end: {@code /health} and the gateway's refusal and timeout counters.
     */
    static JsonLine storm(Bench bench) throws Exception {
        int n = bench.options.getInt("connections", 10_000);
        int rounds = bench.options.getInt("rounds", 3);
        long waitNanos = bench.options.getInt("release-wait", 10) * 1_000_000_000L;
        String template = "storm-" + bench.runId + "-{i}";
        StringBuilder perRound = new StringBuilder("[");
        boolean allConnected = true;
        long worstReleaseMs = 0;
        boolean reachable = true;
        try (WorkerPool pool = bench.workers(n, null); HttpConnection http = bench.http()) {
            long rssBefore = bench.serverMemoryKb();
            for (int round = 1; round <= rounds && reachable; round++) {
                Map<String, Long> opened = round == 1 ? pool.open(n, template, null) : pool.all("RECONNECT", "ms");
                long connected = opened.getOrDefault(round == 1 ? "opened" : "reopened", 0L);
                long refused = opened.getOrDefault("failed", 0L);
                allConnected &= refused == 0 && connected == n;
                JsonLine line = new JsonLine().put("round", round).put("connected", connected).put("refused", refused)
                        .put("connect_ms", opened.getOrDefault("ms", 0L));
                try {
                    long held = bench.serverConnections(http);
                    long rss = bench.serverMemoryKb();
                    Bench.log("round " + round + ": " + connected + " connected, " + refused + " refused in "
                            + opened.getOrDefault("ms", 0L) + " ms; the gateway counts " + held + "; hanging up");
                    double cpu0 = bench.serverCpuSeconds();
                    long hangUp = System.nanoTime();
                    pool.all("CLOSE", null);
                    // closing thousands of sockets takes the clients a while: the last one closed this long after the first
                    long hangUpMs = (System.nanoTime() - hangUp) / 1_000_000;
                    Release release = awaitRelease(bench, http, held, hangUp, waitNanos);
                    worstReleaseMs = Math.max(worstReleaseMs, release.maxMs < 0 ? Long.MAX_VALUE : release.maxMs);
                    double releaseCpu = bench.serverCpuSeconds() - cpu0;
                    Bench.log("round " + round + ": released " + release.json());
                    line.put("server_count", held).put("hang_up_ms", hangUpMs)
                            .raw("release_ms", release.json()).put("left_after_wait", release.left)
                            .put("release_server_cpu_s", releaseCpu)
                            .put("server_rss_mb", rss / 1024.0);
                } catch (IOException unreachable) {
                    // what a deaf listener looks like from outside: no more rounds to measure
                    Bench.log("round " + round + ": the gateway does not answer any more (" + unreachable + ")");
                    line.put("gateway_unreachable", true);
                    reachable = false;
                    worstReleaseMs = Long.MAX_VALUE;
                }
                perRound.append(perRound.length() > 1 ? "," : "").append(line);
            }
            int health;
            String counters;
            try (HttpConnection fresh = bench.http()) {
                health = fresh.get("/health").status();
                counters = bench.metricsLines(fresh, "sse_connections_rejected_total", "sse_connections_timed_out_total",
                        "sse_tcp_limit_reached_total");
            } catch (IOException unreachable) {
                health = -1;
                counters = "null";
            }
            return new JsonLine().put("scenario", "storm").put("connections", n).put("rounds", rounds)
                    .put("all_connected", allConnected)
                    .put("worst_release_ms", worstReleaseMs == Long.MAX_VALUE ? -1 : worstReleaseMs)
                    .raw("rounds_detail", perRound.append(']').toString())
                    .put("health_status", health)
                    .put("server_rss_before_mb", rssBefore / 1024.0)
                    .put("server_rss_after_mb", bench.serverMemoryKb() / 1024.0)
                    .raw("gateway_counters", counters);
        }
    }

    /** When the gateway's count fell by half, by 99 % and to zero after a hang-up (ms, -1: not within the wait). */
    private record Release(long p50Ms, long p99Ms, long maxMs, long left) {
        String json() {
            return "{\"p50\":" + p50Ms + ",\"p99\":" + p99Ms + ",\"max\":" + maxMs + "}";
        }
    }

    private static Release awaitRelease(Bench bench, HttpConnection http, long held, long hangUp, long waitNanos)
            throws Exception {
        long p50 = -1;
        long p99 = -1;
        long count = held;
        while (true) {
            count = bench.serverConnections(http);
            long ms = (System.nanoTime() - hangUp) / 1_000_000;
            long released = held - count;
            if (p50 < 0 && released * 2 >= held) {
                p50 = ms;
            }
            if (p99 < 0 && released * 100 >= held * 99) {
                p99 = ms;
            }
            if (count <= 0) {
                return new Release(p50, p99, ms, 0);
            }
            if (System.nanoTime() - hangUp > waitNanos) {
                return new Release(p50, p99, -1, count);
            }
            Thread.sleep(10);
        }
    }

    /**
     * Per message, the time from its publish until the last subscriber had it: the first message (a cold server) and
     * the distribution over the others.
     */
    private static String reachAll(WorkerPool.Stats stats) {
        Histogram rest = new Histogram();
        Long first = stats.reachAllMicros().get(0);
        stats.reachAllMicros().forEach((seq, micros) -> {
            if (seq > 0) {
                rest.record(micros);
            }
        });
        return "{\"first\":" + (first == null ? "null" : String.format(java.util.Locale.ROOT, "%.3f", first / 1000.0))
                + ",\"others\":" + rest.toJsonMillis() + "}";
    }

    /** Delivery counts: received, lost (expected − distinct), duplicated, out of order, latency. */
    private static JsonLine delivery(JsonLine line, WorkerPool.Stats stats, long expected, boolean complete) {
        return line.put("complete", complete)
                .put("expected", expected)
                .put("received", stats.get("received"))
                .put("lost", Math.max(0, expected - stats.get("distinct")))
                .put("duplicated", stats.get("duplicates"))
                .put("out_of_order", stats.get("out_of_order"))
                .put("closed_by_server", stats.get("closed_by_server"))
                .raw("latency_ms", stats.latencyMicros().toJsonMillis());
    }
}
