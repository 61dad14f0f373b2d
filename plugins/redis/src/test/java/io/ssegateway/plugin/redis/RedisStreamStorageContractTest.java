package io.ssegateway.plugin.redis;

import io.ssegateway.redis.RedisPerClass;
import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.testkit.HistoryStorageContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisStreamStorageContractTest extends HistoryStorageContract {

    @RegisterExtension
    static final RedisPerClass REDIS = new RedisPerClass();

    @Override
    protected MessageStorage createStorage() {
        return RedisFixtures.storage(REDIS.server());
    }
}
