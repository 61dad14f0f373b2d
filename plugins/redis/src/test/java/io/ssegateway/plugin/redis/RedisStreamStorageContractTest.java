package io.ssegateway.plugin.redis;

import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.testkit.HistoryStorageContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class RedisStreamStorageContractTest extends HistoryStorageContract {

    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Override
    protected MessageStorage createStorage() {
        return RedisFixtures.storage(redis);
    }
}
