package io.ssegateway.plugin.redis;

import io.ssegateway.redis.RedisClusterPerClass;
import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.testkit.HistoryStorageContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The storage contract on a real 3-master, 3-replica Redis Cluster (cluster key layout, WAIT for one replica). */
class RedisClusterStorageContractTest extends HistoryStorageContract {

    @RegisterExtension
    static final RedisClusterPerClass CLUSTER = new RedisClusterPerClass();

    @Override
    protected MessageStorage createStorage() {
        return RedisFixtures.storage(CLUSTER.cluster().url());
    }
}
