package io.ssegateway.plugin.redis;

import io.ssegateway.redis.RedisClusterPerClass;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.testkit.MessageSourceContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The source contract on a real 3-master, 3-replica Redis Cluster; the external publisher uses another node each time. */
class RedisClusterPubSubSourceContractTest extends MessageSourceContract {

    @RegisterExtension
    static final RedisClusterPerClass CLUSTER = new RedisClusterPerClass();

    private int next;

    @Override
    protected MessageSource createSource() {
        return RedisFixtures.source(CLUSTER.cluster().url());
    }

    @Override
    protected void publishExternally(String channelId, String eventType, String data) {
        var nodes = CLUSTER.cluster().nodes();
        nodes.get(next++ % nodes.size()).command("PUBLISH", "sse:" + channelId, BusMessage.json(eventType, data, null));
    }
}
