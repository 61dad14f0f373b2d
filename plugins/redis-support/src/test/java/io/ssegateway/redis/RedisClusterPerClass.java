package io.ssegateway.redis;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real {@link RedisCluster} (3 masters, 3 replicas) for the tests of a class, started before its
 * {@code @BeforeAll} methods and stopped after its {@code @AfterAll} ones:
 * <pre>{@code
 * @RegisterExtension
 * static final RedisClusterPerClass CLUSTER = new RedisClusterPerClass();
 * ... CLUSTER.cluster().url() ...
 * }</pre>
 */
public final class RedisClusterPerClass implements BeforeAllCallback, AfterAllCallback {

    private volatile RedisCluster cluster;

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster = RedisCluster.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        RedisCluster running = cluster;
        cluster = null;
        if (running != null) {
            running.close();
        }
    }

    /** The running cluster. */
    public RedisCluster cluster() {
        RedisCluster running = cluster;
        if (running == null) {
            throw new IllegalStateException("the cluster runs only while the test class does");
        }
        return running;
    }
}
