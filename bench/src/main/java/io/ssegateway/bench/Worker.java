package io.ssegateway.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client process (or, in tests, a thread) holding SSE connections for the coordinator. Reads one command per line
 * and answers one line, {@code OK key=value…} or {@code ERR message}:
 * <pre>
 * INIT target=127.0.0.1:8080 path=%2Fsse%2Fconnect%3Fchannel_id%3D%7Bchannel%7D addrs=4 threads=1 connecting=200 rcvbuf=0
 * OPEN count=5000 first=0 channel=fanout-{i} [last=earliest] [small_rcvbuf_every=100]   ({i}: subscriber index)
 * PAUSE every=100 | RECONNECT | CLOSE | RESET | PROGRESS | STATS | EXIT
 * </pre>
 */
final class Worker {

    private static final long OPEN_TIMEOUT_SECONDS = 300;

    private final List<ConnectionLoop> loops = new ArrayList<>();
    private int nextLoop;

    /** Serves commands until EXIT or end of input. */
    static void serve(InputStream input, PrintStream output) throws IOException {
        Worker worker = new Worker();
        BufferedReader in = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8));
        try {
            String line;
            while ((line = in.readLine()) != null) {
                line = line.strip();
                if (line.isEmpty()) {
                    continue;
                }
                output.println(worker.handle(line));
                output.flush();
                if (line.equals("EXIT")) {
                    return;
                }
            }
        } finally {
            worker.shutdown();
        }
    }

    /** Runs one command line; returns the answer line. */
    String handle(String line) {
        try {
            return execute(line);
        } catch (Exception e) {
            return "ERR " + e.toString().replace('\n', ' ');
        }
    }

    void shutdown() {
        loops.forEach(ConnectionLoop::shutdown);
    }

    private String execute(String line) throws Exception {
        String[] words = line.split(" ");
        Map<String, String> args = new HashMap<>();
        for (int i = 1; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            args.put(words[i].substring(0, eq), words[i].substring(eq + 1));
        }
        return switch (words[0]) {
            case "INIT" -> init(args);
            case "OPEN" -> open(args);
            case "PAUSE" -> "OK paused=" + sum(loop -> (long) loop.pause(Integer.parseInt(args.get("every"))));
            case "RECONNECT" -> reconnect();
            case "CLOSE" -> {
                sum(loop -> {
                    loop.closeAll();
                    return 0L;
                });
                yield "OK";
            }
            case "RESET" -> {
                sum(loop -> {
                    loop.stats().clear();
                    return 0L;
                });
                yield "OK";
            }
            case "PROGRESS" -> "OK received=" + sum(loop -> loop.stats().received) + " distinct=" + sum(ConnectionLoop::distinct);
            case "STATS" -> stats();
            case "EXIT" -> "OK";
            default -> throw new IllegalArgumentException("unknown command " + words[0]);
        };
    }

    private String init(Map<String, String> args) throws IOException {
        String target = args.get("target");
        int colon = target.lastIndexOf(':');
        InetSocketAddress address = new InetSocketAddress(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)));
        List<InetAddress> sources = new ArrayList<>();
        int addrs = Integer.parseInt(args.getOrDefault("addrs", "1"));
        if (address.getAddress().isLoopbackAddress() && address.getAddress().getAddress().length == 4) {
            for (int i = 1; i <= addrs; i++) {
                sources.add(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) i}));
            }
        }
        int threads = Integer.parseInt(args.getOrDefault("threads", "1"));
        int connecting = Integer.parseInt(args.getOrDefault("connecting", "200"));
        int rcvbuf = Integer.parseInt(args.getOrDefault("rcvbuf", "0"));
        // the subscribe request's path and query with {channel}, URL-encoded so that it is one word of the line
        String path = URLDecoder.decode(args.getOrDefault("path", Endpoints.OWN_SUBSCRIBE_PATH), StandardCharsets.UTF_8);
        for (int i = 0; i < threads; i++) {
            loops.add(new ConnectionLoop("sse-loop-" + i, address, path, sources, Math.max(1, connecting / threads), rcvbuf));
        }
        return "OK pid=" + ProcessHandle.current().pid();
    }

    private String open(Map<String, String> args) throws Exception {
        int count = Integer.parseInt(args.get("count"));
        int first = Integer.parseInt(args.get("first"));
        String template = args.get("channel");
        String last = args.get("last");
        // slow consumers-to-be get a small receive buffer, so that the server's writes block soon after they pause
        int smallEvery = Integer.parseInt(args.getOrDefault("small_rcvbuf_every", "0"));
        CountDownLatch done = new CountDownLatch(count);
        AtomicInteger failures = new AtomicInteger();
        long start = System.nanoTime();
        Map<ConnectionLoop, List<Subscription>> perLoop = new HashMap<>();
        for (int i = 0; i < count; i++) {
            ConnectionLoop loop = loops.get(nextLoop++ % loops.size());
            int index = first + i;
            Subscription subscription = new Subscription(index, template.replace("{i}", Integer.toString(index)), last, loop.stats());
            if (smallEvery > 0 && index % smallEvery == 0) {
                subscription.receiveBuffer = 4096;
            }
            perLoop.computeIfAbsent(loop, l -> new ArrayList<>()).add(subscription);
        }
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        perLoop.forEach((loop, added) -> calls.add(loop.call(l -> {
            l.open(added, done, failures);
            return null;
        })));
        for (CompletableFuture<Object> call : calls) {
            call.get();
        }
        if (!done.await(OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            return "ERR open timed out with " + done.getCount() + " connections pending";
        }
        int failed = failures.get();
        return "OK opened=" + (count - failed) + " failed=" + failed + " ms=" + (System.nanoTime() - start) / 1_000_000;
    }

    private String reconnect() throws Exception {
        long subscriptions = sum(loop -> (long) loop.subscriptions().size());
        CountDownLatch done = new CountDownLatch((int) subscriptions);
        AtomicInteger failures = new AtomicInteger();
        long start = System.nanoTime();
        sum(loop -> {
            loop.reconnectAll(done, failures);
            return 0L;
        });
        if (!done.await(OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            return "ERR reconnect timed out with " + done.getCount() + " connections pending";
        }
        int failed = failures.get();
        return "OK reopened=" + (subscriptions - failed) + " failed=" + failed + " ms=" + (System.nanoTime() - start) / 1_000_000;
    }

    private String stats() throws Exception {
        LoopStats total = new LoopStats();
        long[] extra = new long[2];
        for (ConnectionLoop loop : loops) {
            loop.call(l -> {
                LoopStats s = l.stats();
                synchronized (total) {
                    total.received += s.received;
                    total.duplicates += s.duplicates;
                    total.outOfOrder += s.outOfOrder;
                    total.gapEvents += s.gapEvents;
                    total.heartbeats += s.heartbeats;
                    total.foreignEvents += s.foreignEvents;
                    total.connectFailures += s.connectFailures;
                    total.rejected += s.rejected;
                    total.closedByServer += s.closedByServer;
                    total.protocolErrors += s.protocolErrors;
                    total.lastEventNanos = Math.max(total.lastEventNanos, s.lastEventNanos);
                    total.latencyMicros.add(s.latencyMicros);
                    for (int seq = 0; seq < s.lastArrivalBySeq.length; seq++) {
                        total.arrived(seq, s.lastArrivalBySeq[seq]);
                    }
                    extra[0] += l.distinct();
                    extra[1] += l.openConnections();
                }
                return null;
            }).get();
        }
        synchronized (total) {
            return "OK received=" + total.received + " duplicates=" + total.duplicates + " out_of_order=" + total.outOfOrder
                    + " gap_events=" + total.gapEvents + " heartbeats=" + total.heartbeats + " foreign=" + total.foreignEvents
                    + " connect_failures=" + total.connectFailures + " rejected=" + total.rejected
                    + " closed_by_server=" + total.closedByServer + " protocol_errors=" + total.protocolErrors
                    + " last_ns=" + total.lastEventNanos + " distinct=" + extra[0] + " open=" + extra[1]
                    + " hist=" + total.latencyMicros.encode() + " reach_all=" + reachAll(total.lastArrivalBySeq);
        }
    }

    /** {@code seq:µs,…} of the messages that arrived here. */
    private static String reachAll(long[] lastArrivalBySeq) {
        StringBuilder out = new StringBuilder();
        for (int seq = 0; seq < lastArrivalBySeq.length; seq++) {
            if (lastArrivalBySeq[seq] > 0) {
                out.append(seq).append(':').append(lastArrivalBySeq[seq]).append(',');
            }
        }
        return out.isEmpty() ? "-" : out.toString();
    }

    private long sum(java.util.function.Function<ConnectionLoop, Long> action) throws Exception {
        long total = 0;
        for (ConnectionLoop loop : loops) {
            total += loop.call(action).get();
        }
        return total;
    }
}
