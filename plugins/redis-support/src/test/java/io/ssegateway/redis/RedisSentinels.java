package io.ssegateway.redis;

import io.ssegateway.host.testkit.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A real Sentinel setup for tests: one master, one replica and three sentinels (quorum 2, down after 1 s) monitoring
 * it as {@value #MASTER}, on free loopback ports, configuration files in a temporary directory, every process stopped
 * by its pid.
 * <pre>{@code
 * try (RedisSentinels sentinels = RedisSentinels.start()) {
 *     sentinels.url();                 // redis-sentinel://127.0.0.1:s1,127.0.0.1:s2,127.0.0.1:s3#mymaster
 *     RedisServer master = sentinels.master();
 *     master.pause(); sentinels.awaitNewMaster(master); master.resume();
 * }
 * }</pre>
 */
public final class RedisSentinels implements AutoCloseable {

    public static final String MASTER = "mymaster";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Path directory;
    private final List<RedisServer> servers = new ArrayList<>();
    private final List<RedisServer> sentinels = new ArrayList<>();

    private RedisSentinels(Path directory) {
        this.directory = directory;
    }

    /** Starts the master, its replica and three sentinels, and waits until the sentinels see the replica. */
    public static RedisSentinels start() {
        RedisSentinels setup;
        try {
            setup = new RedisSentinels(Files.createTempDirectory("redis-sentinel-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            List<String> common = List.of("--dir", setup.directory.toString(), "--repl-diskless-sync-delay", "0");
            RedisServer master = RedisServer.start(List.of(), common);
            setup.servers.add(master);
            List<String> replica = new ArrayList<>(common);
            replica.addAll(List.of("--replicaof", "127.0.0.1", Integer.toString(master.port())));
            setup.servers.add(RedisServer.start(List.of(), replica));
            for (int i = 0; i < 3; i++) {
                int port = RedisServer.freeLoopbackPort();
                Path conf = setup.directory.resolve("sentinel-" + port + ".conf");
                Files.writeString(conf, "sentinel monitor " + MASTER + " 127.0.0.1 " + master.port() + " 2\n"
                        + "sentinel down-after-milliseconds " + MASTER + " 1000\n"
                        + "sentinel failover-timeout " + MASTER + " 10000\n"
                        + "sentinel parallel-syncs " + MASTER + " 1\n");
                setup.sentinels.add(RedisServer.start(port, List.of(conf.toString()), List.of("--sentinel")));
            }
            setup.await(() -> setup.sentinels.stream().allMatch(s -> setup.knownReplicas(s) == 1
                    && setup.knownSentinels(s) == 2), "every sentinel knows the replica and the other sentinels");
            setup.await(() -> RedisCluster.hasOnlineReplica(master), "the replica finished its first synchronisation");
            return setup;
        } catch (IOException e) {
            setup.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            setup.close();
            throw e;
        }
    }

    /** {@code redis-sentinel://127.0.0.1:s1,127.0.0.1:s2,127.0.0.1:s3#mymaster}. */
    public String url() {
        return "redis-sentinel://" + String.join(",", sentinels.stream().map(s -> "127.0.0.1:" + s.port()).toList())
                + "#" + MASTER;
    }

    /** The server the sentinels name as master right now. */
    public RedisServer master() {
        int port = masterPort(sentinels.getFirst());
        return servers.stream().filter(server -> server.port() == port).findFirst().orElseThrow();
    }

    /** The other server. */
    public RedisServer replica() {
        RedisServer master = master();
        return servers.stream().filter(server -> server != master).findFirst().orElseThrow();
    }

    /** Waits until every sentinel names a master other than {@code old}, and it accepts writes. */
    public void awaitNewMaster(RedisServer old) {
        await(() -> sentinels.stream().allMatch(s -> masterPort(s) != old.port()) && master().command("ROLE")
                instanceof List<?> role && "master".equals(role.getFirst()), "the sentinels promoted the replica");
    }

    @Override
    public void close() {
        Stream.concat(sentinels.stream(), servers.stream()).forEach(RedisServer::close);
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }

    private int masterPort(RedisServer sentinel) {
        List<?> address = (List<?>) sentinel.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER);
        return Integer.parseInt((String) address.get(1));
    }

    private int knownReplicas(RedisServer sentinel) {
        try {
            return ((List<?>) sentinel.command("SENTINEL", "REPLICAS", MASTER)).size();
        } catch (RuntimeException notYet) {
            return -1;
        }
    }

    private int knownSentinels(RedisServer sentinel) {
        try {
            return ((List<?>) sentinel.command("SENTINEL", "SENTINELS", MASTER)).size();
        } catch (RuntimeException notYet) {
            return -1;
        }
    }

    private void await(BooleanSupplier condition, String what) {
        Poll.until(() -> {
            try {
                return condition.getAsBoolean();
            } catch (RuntimeException notYet) {
                return false; // a server in the middle of a switch
            }
        }, TIMEOUT, what);
    }
}
