package io.ssegateway.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.ScriptOutputType;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.spi.PluginConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The link on a real 3-master, 3-replica Redis Cluster: routing by slot, WAIT on the key's master, failover. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisClusterLinkTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final LuaScript ECHO = LuaScript.load(RedisClusterLinkTest.class, "echo.lua");

    private RedisCluster cluster;

    @BeforeAll
    void startCluster() {
        cluster = RedisCluster.start();
    }

    @AfterAll
    void stopCluster() {
        cluster.close();
    }

    private RedisLink link() {
        return new RedisLink(RedisSettings.from(PluginConfig.of("test", Map.of("url", cluster.url(), "timeout", "2s",
                "reconnect-max-delay", "200ms", "cluster-refresh-period", "500ms")), "url"), "test").connect();
    }

    @Test
    void scriptsAndWaitRunOnTheMasterOfTheKeysSlot() {
        try (RedisLink link = link()) {
            // a loaded machine may miss the first attempt: the link keeps trying
            SseClient.awaitCondition(link::isConnected, WAIT, () -> "the link never connected");
            SseClient.awaitCondition(link::isAvailable, WAIT, () -> "the link never became available");
            for (String tag : new String[] {"a", "b", "c", "d", "e"}) {
                String key = "k:{" + tag + "}";
                Long replicas = link.callOn(key, commands -> {
                    ECHO.run(commands, ScriptOutputType.VALUE, new String[] {key}, "v-" + tag);
                    return commands.waitForReplication(1, 1000);
                });
                assertEquals(1L, replicas, "the key's master has one replica, which confirmed the write");
                assertEquals("v-" + tag, cluster.command(key, "GET", key), "written on the master of its slot");
                assertEquals("v-" + tag, link.call(commands -> commands.get(key)), "routed by the cluster connection");
            }
        }
    }

    @Test
    void aMasterFailingOverMakesTheLinkUnavailableThenWritesReachTheNewMaster() {
        String key = "failover:{x}";
        try (RedisLink link = link()) {
            // a loaded machine may miss the first attempt: the link keeps trying
            SseClient.awaitCondition(link::isConnected, WAIT, () -> "the link never connected");
            assertEquals("before", link.callOn(key, c -> ECHO.run(c, ScriptOutputType.VALUE, new String[] {key}, "before")));
            RedisServer master = cluster.masterOf(key);
            cluster.pause(master);
            try {
                SseClient.awaitCondition(() -> {
                    try {
                        link.callOn(key, c -> c.get(key));
                    } catch (RuntimeException timedOutOrFailed) {
                        // expected while the master hangs
                    }
                    return !link.isAvailable();
                }, WAIT, () -> "the link still says it is available");
                cluster.awaitNewMaster(key, master);
                RedisServer promoted = cluster.masterOf(key);
                assertNotSame(master, promoted);
                SseClient.awaitCondition(() -> {
                    try {
                        return "after".equals(link.callOn(key, c -> ECHO.run(c, ScriptOutputType.VALUE,
                                new String[] {key}, "after")));
                    } catch (RuntimeException notYet) {
                        return false;
                    }
                }, WAIT, () -> "writes never reached the promoted replica");
                assertEquals("after", promoted.command("GET", key));
                SseClient.awaitCondition(link::isAvailable, WAIT, () -> "the link never became available again");
            } finally {
                cluster.resume(master);
            }
            cluster.awaitAllOk();
        }
    }
}
