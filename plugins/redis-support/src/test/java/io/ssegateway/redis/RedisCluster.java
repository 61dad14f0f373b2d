package io.ssegateway.redis;

import io.ssegateway.host.testkit.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A real Redis Cluster for tests: 3 masters and 3 replicas ({@code redis-server --cluster-enabled yes}, node timeout
 * 1 s so that a failover takes a few seconds), created with {@code redis-cli --cluster create … --cluster-replicas 1},
 * on free loopback ports, its node files in a temporary directory, every node stopped by its pid.
 * <pre>{@code
 * try (RedisCluster cluster = RedisCluster.start()) {
 *     cluster.url();                          // redis://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3
 *     RedisServer master = cluster.masterOf("sse:stream:{orders}");
 *     cluster.command("sse:stream:{orders}", "XLEN", "sse:stream:{orders}");
 *     master.pause(); cluster.awaitNewMaster("sse:stream:{orders}", master); master.resume();
 * }
 * }</pre>
 */
public final class RedisCluster implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Path directory;
    private final List<RedisServer> nodes;
    private final java.util.Set<RedisServer> paused = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private RedisCluster(Path directory, List<RedisServer> nodes) {
        this.directory = directory;
        this.nodes = nodes;
    }

    /** Starts 6 nodes, joins them into 3 masters with one replica each, and waits until the cluster is ok. */
    public static RedisCluster start() {
        Path directory;
        try {
            directory = Files.createTempDirectory("redis-cluster-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<RedisServer> nodes = new ArrayList<>();
        RedisCluster cluster = new RedisCluster(directory, nodes);
        try {
            for (int i = 0; i < 6; i++) {
                int port = RedisServer.freeLoopbackPort();
                int busPort = RedisServer.freeLoopbackPort(); // not port + 10000, which may be taken
                nodes.add(RedisServer.start(port, List.of(), List.of("--cluster-enabled", "yes",
                        "--cluster-port", Integer.toString(busPort),
                        "--cluster-node-timeout", "1000", "--cluster-replica-validity-factor", "0",
                        "--repl-diskless-sync-delay", "0",
                        "--cluster-config-file", directory.resolve("nodes-" + port + ".conf").toString(),
                        "--dir", directory.toString())));
            }
            List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            nodes.forEach(node -> create.add("127.0.0.1:" + node.port()));
            create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            run(create);
            cluster.await(() -> nodes.stream().allMatch(node -> cluster.isOk(node) && cluster.knowsAll(node)),
                    "every node sees the cluster ok with 3 masters and 3 replicas");
            cluster.await(() -> nodes.stream().filter(RedisCluster::isMaster).allMatch(RedisCluster::hasOnlineReplica),
                    "every master's replica finished its first synchronisation");
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** The cluster URL the plugins take: three seed nodes. */
    public String url() {
        return "redis://" + String.join(",", nodes.subList(0, 3).stream().map(n -> "127.0.0.1:" + n.port()).toList());
    }

    public List<RedisServer> nodes() {
        return List.copyOf(nodes);
    }

    /** The node that serves {@code key}'s slot right now, as a running node that is not paused sees it. */
    public RedisServer masterOf(String key) {
        RedisServer asked = anyAnswering(null);
        long slot = (Long) asked.command("CLUSTER", "KEYSLOT", key);
        for (String line : ((String) asked.command("CLUSTER", "NODES")).split("\n")) {
            String[] fields = line.trim().split(" ");
            if (fields.length < 9 || !fields[2].contains("master") || fields[2].contains("fail")) {
                continue;
            }
            int port = Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1, fields[1].indexOf('@')));
            for (int i = 8; i < fields.length; i++) {
                String range = fields[i];
                if (range.startsWith("[")) {
                    continue;
                }
                int dash = range.indexOf('-');
                long from = Long.parseLong(dash < 0 ? range : range.substring(0, dash));
                long to = dash < 0 ? from : Long.parseLong(range.substring(dash + 1));
                if (slot >= from && slot <= to) {
                    return nodes.stream().filter(node -> node.port() == port).findFirst().orElseThrow();
                }
            }
        }
        throw new IllegalStateException("no master serves slot " + slot);
    }

    /** Suspends a node ({@code SIGSTOP}): it holds its connections and answers nothing, like a hung host. */
    public void pause(RedisServer node) {
        paused.add(node);
        node.pause();
    }

    /** Resumes a paused node; a master that was failed over meanwhile rejoins as a replica. */
    public void resume(RedisServer node) {
        node.resume();
        paused.remove(node);
    }

    /** The replica of {@code master}. */
    public RedisServer replicaOf(RedisServer master) {
        String id = (String) master.command("CLUSTER", "MYID");
        for (String line : ((String) master.command("CLUSTER", "NODES")).split("\n")) {
            String[] fields = line.trim().split(" ");
            if (fields.length > 3 && fields[2].contains("slave") && fields[3].equals(id)) {
                int port = Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1, fields[1].indexOf('@')));
                return nodes.stream().filter(node -> node.port() == port).findFirst().orElseThrow();
            }
        }
        throw new IllegalStateException("the master on port " + master.port() + " has no replica");
    }

    /** Runs a command on the master of {@code key}. */
    public Object command(String key, String... arguments) {
        return masterOf(key).command(arguments);
    }

    /** Waits until a node other than {@code old} is {@code key}'s master and the cluster is ok again. */
    public void awaitNewMaster(String key, RedisServer old) {
        await(() -> {
            try {
                RedisServer now = masterOf(key);
                return now != old && isOk(anyAnswering(old));
            } catch (RuntimeException notYet) {
                return false;
            }
        }, "a replica took over " + key + " from the node on port " + old.port());
    }

    /** Waits until every node (a resumed one included) sees the cluster ok. */
    public void awaitAllOk() {
        await(() -> nodes.stream().allMatch(this::isOk) && masters() == 3, "every node sees the cluster ok");
    }

    @Override
    public void close() {
        for (RedisServer node : nodes) {  // SIGKILL ends a paused process too
            node.close();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }

    private boolean isOk(RedisServer node) {
        try {
            return ((String) node.command("CLUSTER", "INFO")).contains("cluster_state:ok");
        } catch (RuntimeException notAnswering) {
            return false;
        }
    }

    private static boolean isMaster(RedisServer node) {
        return ((String) node.command("INFO", "replication")).contains("role:master");
    }

    /** The master streams its writes to a replica (so that {@code WAIT 1} can succeed). */
    static boolean hasOnlineReplica(RedisServer master) {
        return ((String) master.command("INFO", "replication")).contains("state=online");
    }

    private long masters() {
        return ((String) anyAnswering(null).command("CLUSTER", "NODES")).lines()
                .filter(line -> line.contains("master") && !line.contains("fail")).count();
    }

    private boolean knowsAll(RedisServer node) {
        String nodesView = (String) node.command("CLUSTER", "NODES");
        return nodesView.lines().filter(line -> line.contains("master")).count() == 3
                && nodesView.lines().filter(line -> line.contains("slave")).count() == 3;
    }

    /** A node that answers (not {@code except}, which may be paused). */
    private RedisServer anyAnswering(RedisServer except) {
        for (RedisServer node : nodes) {
            if (node != except && !paused.contains(node) && node.isRunning() && isOk(node)) {
                return node;
            }
        }
        for (RedisServer node : nodes) {
            if (node != except && !paused.contains(node) && node.isRunning()) {
                return node;
            }
        }
        throw new IllegalStateException("no node is running");
    }

    private void await(BooleanSupplier condition, String what) {
        Poll.until(condition, READY_TIMEOUT, what);
    }

    private static void run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run redis-cli", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
