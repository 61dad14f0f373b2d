package io.ssegateway.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.ScriptOutputType;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.spi.PluginConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The link through real sentinels: the master they name, and the replica they promote when it hangs. */
class RedisSentinelLinkTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final LuaScript ECHO = LuaScript.load(RedisSentinelLinkTest.class, "echo.lua");

    @Test
    void writesFollowTheMasterTheSentinelsPromote() {
        try (RedisSentinels sentinels = RedisSentinels.start();
             RedisLink link = new RedisLink(RedisSettings.from(PluginConfig.of("test", Map.of("url", sentinels.url(),
                     "timeout", "2s", "reconnect-max-delay", "200ms")), "url"), "test").connect()) {
            // a loaded machine may miss the first attempt: the link keeps trying
            SseClient.awaitCondition(link::isConnected, WAIT, () -> "the link never connected");
            RedisServer master = sentinels.master();
            assertEquals(1L, (Long) link.callOn("k", c -> {
                ECHO.run(c, ScriptOutputType.VALUE, new String[] {"k"}, "before");
                return c.waitForReplication(1, 1000);
            }), "the replica confirmed the write");
            assertEquals("before", master.command("GET", "k"));
            assertEquals("before", sentinels.replica().command("GET", "k"));

            master.pause();
            try {
                sentinels.awaitNewMaster(master);
                RedisServer promoted = sentinels.master();
                SseClient.awaitCondition(() -> {
                    try {
                        return "after".equals(link.callOn("k", c -> ECHO.run(c, ScriptOutputType.VALUE,
                                new String[] {"k"}, "after")));
                    } catch (RuntimeException notYet) {
                        return false;
                    }
                }, WAIT, () -> "writes never reached the promoted replica");
                assertEquals("after", promoted.command("GET", "k"));
                SseClient.awaitCondition(link::isAvailable, WAIT, () -> "the link never became available again");
            } finally {
                master.resume();
            }
        }
    }
}
