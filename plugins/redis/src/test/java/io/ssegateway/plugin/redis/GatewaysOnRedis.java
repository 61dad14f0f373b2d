package io.ssegateway.plugin.redis;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.redis.RedisPerClass;
import io.ssegateway.spi.storage.MessageStorage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tests against gateway instances with the Redis source, all on one real {@code redis-server}: started once for the
 * test class and ready (subscribed, storage available) before its first test; its tests share them, each on channels
 * of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class GatewaysOnRedis {

    @RegisterExtension
    static final RedisPerClass REDIS = new RedisPerClass();

    protected RedisServer redis;
    /** The first instance. */
    protected Gateway a;
    /** The second instance, or {@code null} if the class asked for one. */
    protected Gateway b;

    /** How many instances the class needs: 1 or 2. */
    protected int instances() {
        return 2;
    }

    /** Each instance's storage: the Redis one (shared mode) unless the class says otherwise. */
    protected MessageStorage storage() {
        return RedisFixtures.storage(redis);
    }

    @BeforeAll
    void startGateways() {
        redis = REDIS.server();
        a = RedisFixtures.gateway(redis, storage());
        b = instances() > 1 ? RedisFixtures.gateway(redis, storage()) : null;
        RedisFixtures.awaitReady(a);
        if (b != null) {
            RedisFixtures.awaitReady(b);
        }
    }

    @AfterAll
    void stopGateways() {
        for (Gateway gateway : new Gateway[] {a, b}) {
            if (gateway != null) {
                gateway.stop();
            }
        }
    }
}
