package io.ssegateway.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What every scenario shares: the server's endpoints and pid, the client workers, publishing (through
 * {@code /api/send}, or a peer's publish URL), waiting for deliveries, and CPU accounting of the server next to the
 * clients'.
 */
final class Bench implements AutoCloseable {

    final Options options;
    /** The gateway's own address (its admin API); {@link #endpoints} say where to subscribe and publish. */
    final InetSocketAddress target;
    final Endpoints endpoints;
    final String adminToken;
    final long serverPid;
    final String runId = Long.toString(System.currentTimeMillis() % 10_000_000, 36);
    private final List<WorkerPool> pools = new ArrayList<>();

    Bench(Options options) {
        this.options = options;
        this.target = new InetSocketAddress(options.get("host", "127.0.0.1"), options.getInt("port", 8080));
        this.endpoints = Endpoints.from(options, target);
        this.adminToken = options.get("token", System.getenv("ADMIN_TOKEN"));
        int pid = options.getInt("server-pid", -1);
        int port = endpoints.subscribeAddress.getPort();
        this.serverPid = pid > 0 ? pid : ProcStats.listenerPid(port);
        if (serverPid < 0) {
            log("could not find the process listening on port " + port + ": no server CPU/RSS numbers");
        }
    }

    static void log(String message) {
        System.err.println("[bench] " + message);
    }

    /** Workers enough for {@code connections} ({@code --per-worker} each, default 15,000: under 20,000 open files). */
    WorkerPool workers(int connections, String extraInit) throws IOException {
        int perWorker = options.getInt("per-worker", 15_000);
        int count = options.getInt("workers", Math.max(1, (connections + perWorker - 1) / perWorker));
        InetSocketAddress subscribe = endpoints.subscribeAddress;
        String init = "target=" + subscribe.getHostString() + ":" + subscribe.getPort()
                + " path=" + URLEncoder.encode(endpoints.subscribePath, StandardCharsets.UTF_8)
                + " addrs=" + options.getInt("addrs", 4)
                + " threads=" + options.getInt("threads", 1)
                + " connecting=" + options.getInt("connecting", 200)
                + (extraInit == null ? "" : " " + extraInit);
        List<String> jvm = List.of("-Xss256k", "-Xms64m", "-Xmx" + options.get("worker-heap", "768m"),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=4");
        WorkerPool pool = WorkerPool.start(count, options.flag("in-process"), jvm, init);
        pools.add(pool);
        return pool;
    }

    /** Opens connections and fails the run if some could not. */
    void open(WorkerPool pool, int count, String channelTemplate, String extraArgs) throws Exception {
        long start = System.nanoTime();
        Map<String, Long> opened = pool.open(count, channelTemplate, extraArgs);
        double seconds = (System.nanoTime() - start) / 1e9;
        log("opened " + opened.getOrDefault("opened", 0L) + " connections in " + String.format("%.1f", seconds) + " s"
                + (opened.getOrDefault("failed", 0L) > 0 ? ", " + opened.get("failed") + " FAILED" : ""));
        if (opened.getOrDefault("failed", 0L) > 0) {
            throw new IllegalStateException(opened.get("failed") + " of " + count + " connections failed to open");
        }
    }

    HttpConnection http() {
        return new HttpConnection(target, adminToken);
    }

    /** {@code slow_consumers_dropped} from {@code /api/stats}. */
    long slowConsumersDropped() throws IOException {
        return statsNumber("slow_consumers_dropped");
    }

    /** The gateway's open SSE connections ({@code sse_connections} of {@code /metrics}), over {@code http}. */
    long serverConnections(HttpConnection http) throws IOException {
        HttpConnection.Response response = http.get("/metrics");
        Matcher m = Pattern.compile("(?m)^sse_connections (\\S+)$").matcher(response.body());
        if (response.status() != 200 || !m.find()) {
            throw new IOException("/metrics answered " + response.status() + " without sse_connections");
        }
        return (long) Double.parseDouble(m.group(1));
    }

    /** The {@code /metrics} samples of the named series, as a JSON object (series with labels → value). */
    String metricsLines(HttpConnection http, String... names) throws IOException {
        String body = http.get("/metrics").body();
        JsonLine json = new JsonLine();
        for (String line : body.split("\n")) {
            for (String name : names) {
                if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                    int space = line.lastIndexOf(' ');
                    json.raw(line.substring(0, space).replace("\"", "'"), line.substring(space + 1));
                }
            }
        }
        return json.toString();
    }

    long statsNumber(String field) throws IOException {
        try (HttpConnection http = http()) {
            HttpConnection.Response response = http.get("/api/stats?limit=0");
            if (response.status() != 200) {
                throw new IOException("/api/stats answered " + response.status() + ": " + response.body());
            }
            Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(response.body());
            if (!m.find()) {
                throw new IOException("/api/stats has no " + field + ": " + response.body());
            }
            return Long.parseLong(m.group(1));
        }
    }

    /** The server's processes' memory in KiB (see {@link ProcStats#memoryKb}), or -1. */
    long serverMemoryKb() {
        return ProcStats.memoryKb(ProcStats.tree(serverPid));
    }

    /** CPU seconds of the server's processes so far. */
    double serverCpuSeconds() {
        return ProcStats.cpuSeconds(ProcStats.tree(serverPid));
    }

    /**
     * Publishes sequence numbers {@code from..to-1} to each of {@code channels} channels ({@code {i}} = channel
     * index) from {@code threads} keep-alive connections; each channel belongs to one thread, so its events are
     * sent in order. {@code ratePerSecond > 0} paces each round (every channel once) to that many rounds per second.
     *
     * @return the publish latency in microseconds
     */
    Histogram publish(String channelTemplate, int channels, long from, long to, int threads, double roundsPerSecond,
                      String padding) throws Exception {
        int threadCount = Math.min(threads, channels);
        long start = System.nanoTime();
        List<Future<Histogram>> results = new ArrayList<>();
        try (ExecutorService executor = Executors.newFixedThreadPool(threadCount)) {
            for (int t = 0; t < threadCount; t++) {
                int thread = t;
                results.add(executor.submit(() -> {
                    Histogram sendMicros = new Histogram();
                    // a peer gets no admin token: its own credentials are --publish-header lines
                    try (HttpConnection http = endpoints.own ? http()
                            : new HttpConnection(endpoints.publishAddress, null)) {
                        for (long seq = from; seq < to; seq++) {
                            if (roundsPerSecond > 0) {
                                long due = start + (long) ((seq - from) * 1e9 / roundsPerSecond);
                                long wait = due - System.nanoTime();
                                if (wait > 0) {
                                    LockSupport.parkNanos(wait);
                                }
                            }
                            for (int c = thread; c < channels; c += threadCount) {
                                String channel = channelTemplate.replace("{i}", Integer.toString(c));
                                long sent = System.nanoTime();
                                String path = endpoints.publishPath(channel);
                                String body = endpoints.publishBody(channel, Payload.data(seq, padding));
                                HttpConnection.Response response = http.post(path, endpoints.contentType,
                                        endpoints.publishHeaders, body);
                                sendMicros.record((System.nanoTime() - sent) / 1000);
                                // peers answer a publish with 200, 201 (created), 202 (queued) or 204
                                if (response.status() / 100 != 2) {
                                    throw new IOException("POST " + path + " answered " + response.status() + ": "
                                            + response.body());
                                }
                            }
                        }
                    }
                    return sendMicros;
                }));
            }
        }
        Histogram all = new Histogram();
        for (Future<Histogram> result : results) {
            all.add(result.get());
        }
        return all;
    }

    /**
     * Waits until the workers have {@code expectedDistinct} distinct events in total, or nothing new arrived for
     * {@code --stall} seconds (default 20). @return whether everything arrived
     */
    boolean awaitDistinct(WorkerPool pool, long expectedDistinct) throws Exception {
        long stallNanos = options.getInt("stall", 20) * 1_000_000_000L;
        long last = -1;
        long lastChange = System.nanoTime();
        while (true) {
            long distinct = pool.all("PROGRESS", null).getOrDefault("distinct", 0L);
            if (distinct >= expectedDistinct) {
                return true;
            }
            if (distinct != last) {
                last = distinct;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > stallNanos) {
                log("gave up waiting: " + distinct + " of " + expectedDistinct + " events arrived");
                return false;
            }
            Thread.sleep(20);
        }
    }

    /** CPU seconds of the server, the client workers and this process, and wall time, from a starting point. */
    final class Usage {
        private final WorkerPool pool;
        private final long wallStart = System.nanoTime();
        private final double serverStart;
        private final double clientsStart;
        private final double selfStart;

        Usage(WorkerPool pool) {
            this.pool = pool;
            serverStart = serverCpuSeconds();
            clientsStart = ProcStats.cpuSeconds(pool.pids());
            selfStart = ProcStats.cpuSeconds(ProcessHandle.current().pid());
        }

        double wallSeconds() {
            return (System.nanoTime() - wallStart) / 1e9;
        }

        /** {@code {"wall_s":…,"server_cpu_pct":…,"clients_cpu_pct":…,"publisher_cpu_pct":…}}: % of one core. */
        String json() {
            double wall = wallSeconds();
            double server = serverCpuSeconds() - serverStart;
            double clients = ProcStats.cpuSeconds(pool.pids()) - clientsStart;
            double self = ProcStats.cpuSeconds(ProcessHandle.current().pid()) - selfStart;
            return new JsonLine().put("wall_s", wall)
                    .put("server_cpu_s", server).put("server_cpu_pct", 100 * server / wall)
                    .put("clients_cpu_pct", 100 * clients / wall)
                    .put("publisher_cpu_pct", 100 * self / wall)
                    .toString();
        }
    }

    @Override
    public void close() {
        pools.forEach(WorkerPool::close);
    }
}
