package io.ssegateway.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The client processes of a run: each a JVM running {@link Worker} (so that every process stays under the
 * open-files limit), or threads of this process for small runs and tests. Commands go to all workers at once.
 */
final class WorkerPool implements AutoCloseable {

    /** One worker: a process talking over its stdin/stdout, or a {@link Worker} in this process. */
    static final class Handle {
        final Process process;
        final PrintStream commands;
        final BufferedReader replies;
        final Worker local;
        long pid;
        int subscriptions;

        Handle(Process process, Worker local) {
            this.process = process;
            this.local = local;
            this.commands = process == null ? null : new PrintStream(process.getOutputStream(), false, StandardCharsets.UTF_8);
            this.replies = process == null ? null
                    : new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        synchronized Map<String, String> send(String command) throws IOException {
            String reply;
            if (local != null) {
                reply = local.handle(command);
            } else {
                commands.println(command);
                commands.flush();
                reply = replies.readLine();
            }
            if (reply == null) {
                throw new IOException("worker " + pid + " exited while running " + command);
            }
            if (!reply.startsWith("OK")) {
                throw new IOException("worker " + pid + " failed " + command.split(" ")[0] + ": " + reply);
            }
            Map<String, String> values = new HashMap<>();
            for (String word : reply.substring(2).strip().split(" ")) {
                int eq = word.indexOf('=');
                if (eq > 0) {
                    values.put(word.substring(0, eq), word.substring(eq + 1));
                }
            }
            return values;
        }

        void close() {
            if (local != null) {
                local.shutdown();
                return;
            }
            commands.println("EXIT");
            commands.flush();
            commands.close();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private final List<Handle> workers = new ArrayList<>();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final boolean inProcess;

    private WorkerPool(boolean inProcess) {
        this.inProcess = inProcess;
    }

    /**
     * Starts {@code count} workers.
     *
     * @param inProcess threads instead of processes (one process's open-files limit then bounds the run)
     * @param jvmOptions options of each worker JVM
     */
    static WorkerPool start(int count, boolean inProcess, List<String> jvmOptions, String initArgs) throws IOException {
        WorkerPool pool = new WorkerPool(inProcess);
        try {
            for (int i = 0; i < count; i++) {
                pool.workers.add(inProcess ? new Handle(null, new Worker()) : startProcess(jvmOptions));
            }
            for (Handle worker : pool.workers) {
                worker.pid = Long.parseLong(worker.send("INIT " + initArgs).get("pid"));
            }
        } catch (IOException | RuntimeException e) {
            pool.close();
            throw e;
        }
        return pool;
    }

    private static Handle startProcess(List<String> jvmOptions) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.add("worker");
        return new Handle(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start(), null);
    }

    List<Handle> workers() {
        return workers;
    }

    /** Pids of the worker processes (none in-process: their CPU is this process's). */
    List<Long> pids() {
        return inProcess ? List.of() : workers.stream().map(worker -> worker.pid).toList();
    }

    /**
     * Opens {@code total} subscriptions spread evenly over the workers, {@code {i}} in the channel template being the
     * subscriber index; returns the summed replies (opened, failed) and the slowest worker's ms.
     */
    Map<String, Long> open(int total, String channelTemplate, String extraArgs) throws Exception {
        int first = workers.stream().mapToInt(worker -> worker.subscriptions).sum();
        List<String> commands = new ArrayList<>();
        int per = (total + workers.size() - 1) / workers.size();
        for (int i = 0; i < workers.size(); i++) {
            int count = Math.max(0, Math.min(per, total - i * per));
            commands.add(count == 0 ? null : "OPEN count=" + count + " first=" + (first + i * per) + " channel="
                    + channelTemplate + (extraArgs == null ? "" : " " + extraArgs));
            workers.get(i).subscriptions += count;
        }
        return sumAll(commands, "ms");
    }

    /** Sends {@code command} to every worker at once and sums the numeric answers ({@code maxKey}: the maximum). */
    Map<String, Long> all(String command, String maxKey) throws Exception {
        List<String> commands = new ArrayList<>();
        workers.forEach(worker -> commands.add(command));
        return sumAll(commands, maxKey);
    }

    /** The workers' {@code STATS}, summed, and their merged latency histogram. */
    Stats stats() throws Exception {
        List<CompletableFuture<Map<String, String>>> replies = new ArrayList<>();
        for (Handle worker : workers) {
            replies.add(CompletableFuture.supplyAsync(() -> call(worker, "STATS"), executor));
        }
        Map<String, Long> sums = new HashMap<>();
        Histogram latency = new Histogram();
        Map<Integer, Long> reachAll = new java.util.TreeMap<>();
        for (CompletableFuture<Map<String, String>> reply : replies) {
            for (Map.Entry<String, String> entry : reply.get().entrySet()) {
                if (entry.getKey().equals("reach_all")) {
                    for (String pair : entry.getValue().split(",")) {
                        int colon = pair.indexOf(':');
                        if (colon > 0) {
                            reachAll.merge(Integer.parseInt(pair.substring(0, colon)), Long.parseLong(pair.substring(colon + 1)), Math::max);
                        }
                    }
                } else if (entry.getKey().equals("hist")) {
                    latency.add(Histogram.decode(entry.getValue()));
                } else if (entry.getKey().equals("last_ns")) {
                    sums.merge("last_ns", Long.parseLong(entry.getValue()), Math::max);
                } else {
                    sums.merge(entry.getKey(), Long.parseLong(entry.getValue()), Long::sum);
                }
            }
        }
        return new Stats(sums, latency, reachAll);
    }

    /** Summed counters, the merged latency histogram, and per message the time it took to reach every subscriber. */
    record Stats(Map<String, Long> counts, Histogram latencyMicros, Map<Integer, Long> reachAllMicros) {
        long get(String key) {
            return counts.getOrDefault(key, 0L);
        }
    }

    private Map<String, Long> sumAll(List<String> commands, String maxKey) throws Exception {
        List<CompletableFuture<Map<String, String>>> replies = new ArrayList<>();
        for (int i = 0; i < workers.size(); i++) {
            Handle worker = workers.get(i);
            String command = commands.get(i);
            replies.add(command == null ? CompletableFuture.completedFuture(Map.of())
                    : CompletableFuture.supplyAsync(() -> call(worker, command), executor));
        }
        Map<String, Long> sums = new HashMap<>();
        for (CompletableFuture<Map<String, String>> reply : replies) {
            reply.get().forEach((key, value) -> sums.merge(key, Long.parseLong(value),
                    key.equals(maxKey) ? Math::max : Long::sum));
        }
        return sums;
    }

    private static Map<String, String> call(Handle worker, String command) {
        try {
            return worker.send(command);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (Handle worker : workers) {
            try {
                worker.close();
            } catch (RuntimeException ignored) {
                // the worker is gone already
            }
        }
        executor.shutdownNow();
    }
}
