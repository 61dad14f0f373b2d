package io.ssegateway.plugin.nats;

import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.testkit.HistoryStorageContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class NatsStreamStorageContractTest extends HistoryStorageContract {

    @RegisterExtension
    static final NatsPerClass NATS = new NatsPerClass();

    @Override
    protected MessageStorage createStorage() {
        return NatsFixtures.storage(NATS.server());
    }
}
