package io.ssegateway.bench;

import java.util.Set;

/**
 * The load generator. {@code Main <scenario> [options]} runs one scenario against a running gateway and prints one
 * JSON line; {@code Main worker} is a client process it starts by itself.
 * <pre>
 * scenarios: idle | fanout | targeted | slow | replay
 * common:    --host 127.0.0.1 --port 8080 --token T --server-pid P (default: whoever listens on the port)
 *            --connections N --per-worker 15000 --workers W --threads 1 --addrs 4 --connecting 200 --in-process
 *            --payload BYTES --stall 20 (seconds without progress before giving up)
 * fanout:    --messages 200 (burst) | --rate 20 --duration 30 (paced)
 * targeted:  --rounds 10 --publishers 8
 * slow:      --rate 20 --duration 30 (per phase) --slow-percent 1
 * replay:    --messages 50 (per phase) --publishers 8
 * idle:      --settle 5 (seconds before reading RSS) --channels N
 * </pre>
 */
public final class Main {

    private static final Set<String> OPTIONS = Set.of("host", "port", "token", "server-pid", "connections", "per-worker",
            "workers", "threads", "addrs", "connecting", "payload", "stall", "messages", "rate", "duration", "rounds",
            "publishers", "slow-percent", "settle", "channels", "worker-heap");
    private static final Set<String> FLAGS = Set.of("in-process");

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("worker")) {
            Worker.serve(System.in, System.out);
            return;
        }
        if (args.length == 0 || args[0].startsWith("-")) {
            System.err.println("usage: Main idle|fanout|targeted|slow|replay [--option value …] (see Main's javadoc)");
            System.exit(2);
        }
        System.out.println(run(args));
    }

    /** Runs the scenario {@code args[0]} and returns its result line. */
    static String run(String[] args) throws Exception {
        Options options = new Options(args, 1, OPTIONS, FLAGS);
        try (Bench bench = new Bench(options)) {
            double load = ProcStats.load1();
            JsonLine result = switch (args[0]) {
                case "idle" -> Scenarios.idle(bench);
                case "fanout" -> Scenarios.fanout(bench);
                case "targeted" -> Scenarios.targeted(bench);
                case "slow" -> Scenarios.slow(bench);
                case "replay" -> Scenarios.replay(bench);
                default -> throw new IllegalArgumentException("unknown scenario '" + args[0]
                        + "': idle, fanout, targeted, slow or replay");
            };
            return result.put("load1_before", load).put("load1_after", ProcStats.load1()).toString();
        }
    }
}
