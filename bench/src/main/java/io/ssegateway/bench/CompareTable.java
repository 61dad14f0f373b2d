package io.ssegateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The side-by-side table of {@code bench/compare.sh}: two files of result lines, the gateway's and a peer's, the
 * n-th line of one against the n-th of the other (the same scenario with the same options), as markdown.
 * <pre>
 * java -cp bench/target/classes io.ssegateway.bench.CompareTable gateway.jsonl peer.jsonl [peer name]
 * </pre>
 * Lines starting with {@code #} are comments; a value a line does not have is shown as {@code —}.
 */
public final class CompareTable {

    /** One row: its label and where its value is in a result line ({@code a.b}: field b of object a). */
    private record Row(String label, String path, String format) {
    }

    private static final List<Row> ROWS = List.of(
            new Row("memory per idle connection (KB)", "rss_per_connection_kb", "%.1f"),
            new Row("connects/s", "connect_per_s", "%,.0f"),
            new Row("deliveries/s", "deliveries_per_s", "%,.0f"),
            new Row("publishes/s", "publishes_per_s", "%,.0f"),
            new Row("delivery latency p50 (ms)", "latency_ms.p50", "%.1f"),
            new Row("delivery latency p99 (ms)", "latency_ms.p99", "%.1f"),
            new Row("publish latency p99 (ms)", "send_ms.p99", "%.1f"),
            new Row("lost", "lost", "%.0f"),
            // a paced run that took longer than its duration: the server did not keep up with the publish rate
            new Row("wall time of the measured phase (s)", "usage.wall_s", "%.1f"),
            new Row("server CPU (s)", "usage.server_cpu_s", "%.1f"),
            new Row("server CPU (% of one core)", "usage.server_cpu_pct", "%.0f"),
            new Row("server memory at the end (MB)", "server_rss_mb", "%.0f"),
            new Row("load average (1 min) at the start", "load1_before", "%.1f"));

    private CompareTable() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: CompareTable gateway.jsonl peer.jsonl [peer name]");
            System.exit(2);
        }
        String peerName = args.length > 2 ? args[2] : "peer";
        System.out.print(table(results(Path.of(args[0])), results(Path.of(args[1])), peerName));
    }

    static List<String> results(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("{")) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** The markdown table of each pair of lines: a header row per scenario, then the rows either line has. */
    static String table(List<String> gateway, List<String> peer, String peerName) {
        if (gateway.size() != peer.size()) {
            throw new IllegalArgumentException(gateway.size() + " gateway lines but " + peer.size() + " peer lines");
        }
        StringBuilder out = new StringBuilder("| scenario | measure | sse-gateway | " + peerName + " |\n")
                .append("|---|---|---|---|\n");
        for (int i = 0; i < gateway.size(); i++) {
            String ours = gateway.get(i);
            String theirs = peer.get(i);
            String scenario = scenario(ours);
            if (!scenario.equals(scenario(theirs))) {
                throw new IllegalArgumentException("line " + (i + 1) + ": " + scenario + " against "
                        + scenario(theirs));
            }
            for (Row row : ROWS) {
                String a = value(ours, row.path);
                String b = value(theirs, row.path);
                if (a != null || b != null) {
                    out.append("| ").append(scenario).append(" | ").append(row.label).append(" | ")
                            .append(format(a, row.format)).append(" | ").append(format(b, row.format)).append(" |\n");
                }
            }
        }
        return out.toString();
    }

    /** {@code idle 10000}, {@code fanout burst 10000 × 50}, {@code targeted 10000 × 3}: what the line measured. */
    static String scenario(String line) {
        String name = value(line, "scenario");
        return switch (name == null ? "?" : name) {
            case "idle" -> "idle " + value(line, "connections");
            case "fanout" -> "fanout " + value(line, "mode") + " " + value(line, "subscribers") + " × "
                    + value(line, "messages");
            case "targeted" -> "targeted " + value(line, "channels") + " × " + value(line, "rounds");
            default -> name;
        };
    }

    private static String format(String value, String format) {
        if (value == null) {
            return "—";
        }
        try {
            return String.format(Locale.ROOT, format, Double.parseDouble(value));
        } catch (NumberFormatException e) {
            return value;
        }
    }

    /**
     * The value at {@code path} ({@code a.b}: field b of the object that is field a) in a one-line JSON object as
     * the load generator prints it, unquoted; {@code null} if absent.
     */
    static String value(String json, String path) {
        int from = 0;
        int to = json.length();
        String[] keys = path.split("\\.");
        for (int k = 0; k < keys.length; k++) {
            int at = field(json, from, to, keys[k]);
            if (at < 0) {
                return null;
            }
            int end = endOfValue(json, at);
            if (k == keys.length - 1) {
                String value = json.substring(at, end);
                return value.startsWith("\"") ? value.substring(1, value.length() - 1) : value;
            }
            from = at;
            to = end;
        }
        return null;
    }

    /** Where the value of {@code key} starts among the fields of the object that starts at {@code from}. */
    private static int field(String json, int from, int to, String key) {
        int depth = 0;
        boolean inString = false;
        for (int i = from; i < to; i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
                continue;
            }
            if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
            } else if (c == '"') {
                // a key of this object, not of one nested in it
                String quoted = "\"" + key + "\":";
                if (depth == 1 && json.startsWith(quoted, i)) {
                    return i + quoted.length();
                }
                inString = true;
            }
        }
        return -1;
    }

    /** The index after the value that starts at {@code at}. */
    private static int endOfValue(String json, int at) {
        int depth = 0;
        boolean inString = false;
        for (int i = at; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                    if (depth == 0) {
                        return i + 1;
                    }
                }
                continue;
            }
            if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (depth == 0) {
                    return i;
                }
                depth--;
                if (depth == 0) {
                    return i + 1;
                }
            } else if (c == ',' && depth == 0) {
                return i;
            }
        }
        return json.length();
    }
}
