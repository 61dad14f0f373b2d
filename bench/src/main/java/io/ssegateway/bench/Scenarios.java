package io.ssegateway.bench;

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
     */
    static JsonLine idle(Bench bench) throws Exception {
        int n = bench.options.getInt("connections", 10_000);
        int channels = bench.options.getInt("channels", n);
        long settle = bench.options.getInt("settle", 5) * 1000L;
        String template = "idle-" + bench.runId + "-" + (channels >= n ? "{i}" : "shared");
        try (WorkerPool pool = bench.workers(n, null)) {
            long before = ProcStats.rssKb(bench.serverPid);
            long serverBefore = bench.statsNumber("total_connections");
            Bench.Usage usage = bench.new Usage(pool);
            long start = System.nanoTime();
            bench.open(pool, n / 2, template, null);
            double firstSeconds = (System.nanoTime() - start) / 1e9;
            // let the server finish what the connects started (JIT, GC) before reading its RSS
            Thread.sleep(settle);
            long half = ProcStats.rssKb(bench.serverPid);
            start = System.nanoTime();
            bench.open(pool, n - n / 2, template, null);
            double connectSeconds = firstSeconds + (System.nanoTime() - start) / 1e9;
            Thread.sleep(settle);
            long after = ProcStats.rssKb(bench.serverPid);
            long open = pool.stats().get("open");
            long connections = bench.statsNumber("total_connections") - serverBefore;
            return new JsonLine().put("scenario", "idle").put("connections", n).put("open", open)
                    .put("server_connections_added", connections)
                    .put("connect_per_s", n / connectSeconds)
                    .put("server_rss_before_mb", before / 1024.0).put("server_rss_half_mb", half / 1024.0)
                    .put("server_rss_after_mb", after / 1024.0)
                    .put("rss_per_connection_kb", (after - before) / (double) n)
                    .put("rss_per_connection_second_half_kb", (after - half) / (double) (n - n / 2))
                    .raw("usage", usage.json());
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
                    .put("server_rss_mb", ProcStats.rssKb(bench.serverPid) / 1024.0)
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
