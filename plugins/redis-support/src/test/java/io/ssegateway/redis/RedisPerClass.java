package io.ssegateway.redis;

import io.ssegateway.host.testkit.RedisServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real {@code redis-server} for the tests of a class, started before its {@code @BeforeAll} methods and killed
 * after its {@code @AfterAll} ones:
 * <pre>{@code
 * @RegisterExtension
 * static final RedisPerClass REDIS = new RedisPerClass();
 * ... REDIS.server().url() ...
 * }</pre>
 * In this module's test jar, for the tests of the plugins that use Redis.
 */
public final class RedisPerClass implements BeforeAllCallback, AfterAllCallback {

    private volatile RedisServer server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = RedisServer.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        RedisServer running = server;
        server = null;
        if (running != null) {
            running.close();
        }
    }

    /** The running server. */
    public RedisServer server() {
        RedisServer running = server;
        if (running == null) {
            throw new IllegalStateException("the redis-server runs only while the test class does");
        }
        return running;
    }
}
