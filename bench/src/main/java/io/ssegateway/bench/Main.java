package io.ssegateway.bench;

import java.util.Set;

/**
 * The load generator. {@code Main <scenario> [options]} runs one scenario against a running gateway and prints one
 * JSON line; {@code Main worker} is a client process it starts by itself.
 * <pre>
 * scenarios: idle | fanout | targeted | slow | replay | storm
 * common:    --host 127.0.0.1 --port 8080 --token T --server-pid P (default: whoever listens on the port)
 *            --connections N --per-worker 15000 --workers W --threads 1 --addrs 4 --connecting 200 --in-process
 *            --payload BYTES --stall 20 (seconds without progress before giving up)
 * fanout:    --messages 200 (burst) | --rate 20 --duration 30 (paced)
 * targeted:  --rounds 10 --publishers 8
 * slow:      --rate 20 --duration 30 (per phase) --slow-percent 1
 * replay:    --messages 50 (per phase) --publishers 8
 * idle:      --settle 5 (seconds before reading RSS) --channels N --live-heap (jcmd: live heap per connection)
 *            --quiet S (then S seconds more with nothing sent, and RSS read again: what a quiet server gives back)
 * idle-h2:   --connections N (streams) --streams-per-connection 100 --settle 5 --https: live heap and RSS per HTTP/2 stream
 *            --warmup R (open and close the N connections R times first)
 *            --channels-per-connection K (each connection reads K channels)
 * storm:     --rounds 3 --release-wait 10 (seconds to wait for the gateway to release hung-up connections)
 * another SSE server (idle, fanout, targeted): --subscribe-url URL --publish-url URL [--publish-body TEMPLATE]
 *            [--publish-content-type TYPE] [--publish-header 'Name: value' …] (see {@link Endpoints})
 * </pre>
 */
public final class Main {

    private static final Set<String> OPTIONS = Set.of("host", "port", "token", "server-pid", "connections", "per-worker",
            "workers", "threads", "addrs", "connecting", "payload", "stall", "messages", "rate", "duration", "rounds",
            "publishers", "slow-percent", "settle", "quiet", "channels", "worker-heap", "release-wait", "warmup",
            "channels-per-connection", "streams-per-connection",
            "subscribe-url", "publish-url", "publish-body", "publish-content-type", "publish-header");
    /** What runs against any SSE server; the others need the gateway's admin API or its replay semantics. */
    private static final Set<String> PORTABLE = Set.of("idle", "fanout", "targeted");
    private static final Set<String> FLAGS = Set.of("in-process", "live-heap", "https");

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("worker")) {
            Worker.serve(System.in, System.out);
            return;
        }
        if (args.length == 0 || args[0].startsWith("-")) {
            System.err.println("usage: Main idle|fanout|targeted|slow|replay|storm [--option value …] (see Main's javadoc)");
            System.exit(2);
        }
        System.out.println(run(args));
    }

    /** Runs the scenario {@code args[0]} and returns its result line. */
    static String run(String[] args) throws Exception {
        Options options = new Options(args, 1, OPTIONS, FLAGS);
        try (Bench bench = new Bench(options)) {
            if (!bench.endpoints.own && !PORTABLE.contains(args[0])) {
                throw new IllegalArgumentException("scenario '" + args[0] + "' needs the gateway's own API;"
                        + " with --subscribe-url/--publish-url: " + PORTABLE);
            }
            double load = ProcStats.load1();
            JsonLine result = switch (args[0]) {
                case "idle" -> Scenarios.idle(bench);
                case "idle-h2" -> Http2Scenarios.idle(bench);
                case "fanout" -> Scenarios.fanout(bench);
                case "targeted" -> Scenarios.targeted(bench);
                case "slow" -> Scenarios.slow(bench);
                case "replay" -> Scenarios.replay(bench);
                case "storm" -> Scenarios.storm(bench);
                default -> throw new IllegalArgumentException("unknown scenario '" + args[0]
                        + "': idle, fanout, targeted, slow, replay or storm");
            };
            if (!bench.endpoints.own) {
                // which server the line measured, and how its memory was counted (ProcStats.memoryKb)
                result.put("subscribe_url", options.get("subscribe-url", null))
                        .put("publish_url", options.get("publish-url", null))
                        .put("server_processes", ProcStats.tree(bench.serverPid).size());
            }
            return result.put("load1_before", load).put("load1_after", ProcStats.load1()).toString();
        }
    }
}
