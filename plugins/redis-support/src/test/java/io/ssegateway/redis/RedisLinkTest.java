package io.ssegateway.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.spi.PluginConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The link and the scripts against a real {@code redis-server}, killed and restarted under them. */
class RedisLinkTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final LuaScript ECHO = LuaScript.load(RedisLinkTest.class, "echo.lua");

    private static RedisSettings settings(RedisServer redis) {
        return RedisSettings.from(PluginConfig.of("test", Map.of("url", redis.url(), "timeout", "1s",
                "reconnect-max-delay", "200ms")), "url");
    }

    @Test
    void aScriptRunsAgainAfterRedisForgotIt() {
        try (RedisServer redis = RedisServer.start(); RedisLink link = new RedisLink(settings(redis), "test").connect()) {
            assertTrue(link.awaitFirstAttempt(WAIT));
            assertEquals("one", link.call(commands -> ECHO.run(commands, ScriptOutputType.VALUE, new String[] {"k"}, "one")));
            assertEquals("one", redis.command("GET", "k"));
            redis.command("SCRIPT", "FLUSH");
            assertEquals("two", link.call(commands -> ECHO.run(commands, ScriptOutputType.VALUE, new String[] {"k"}, "two")),
                    "NOSCRIPT: loaded again and run");
            assertEquals("two", redis.command("GET", "k"));
        }
    }

    @Test
    void aMissingScriptIsAnErrorThatNamesIt() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> LuaScript.load(RedisLinkTest.class, "nope.lua"));
        assertTrue(e.getMessage().contains("nope.lua"), e.getMessage());
    }

    @Test
    void anUnreachableRedisIsAnOutageToRecoverFrom_andEachConnectionRunsOnConnected() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            redis.kill();
            Semaphore connected = new Semaphore(0);
            try (RedisLink link = new RedisLink(settings(redis), "test", connected::release).connect()) {
                assertFalse(link.awaitFirstAttempt(WAIT), "refused at once, still trying");
                assertFalse(link.isAvailable());
                RedisException notConnected = assertThrows(RedisException.class, () -> link.call(commands -> commands.ping()));
                assertTrue(notConnected.getMessage().contains("not connected to Redis"), notConnected.getMessage());

                redis.restart();
                assertTrue(connected.tryAcquire(WAIT.toMillis(), TimeUnit.MILLISECONDS), "connected in the background");
                assertTrue(link.isAvailable());
                assertEquals("PONG", link.call(commands -> commands.ping()));

                redis.kill();
                redis.restart();
                assertTrue(connected.tryAcquire(WAIT.toMillis(), TimeUnit.MILLISECONDS), "reconnected by Lettuce");
                assertEquals("PONG", link.call(commands -> commands.ping()));
            }
        }
    }

    @Test
    void describeJoinsTheCausesMessages() {
        RuntimeException error = new RuntimeException("outer", new IllegalStateException("middle", new Exception()));
        assertEquals("outer: middle: Exception", RedisLink.describe(error));
    }
}
