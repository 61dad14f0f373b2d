package io.ssegateway.host.builtin;

import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.testkit.HistoryStorageContract;

/** The built-in memory storage passes the SPI contract suite plugin authors use. */
class MemoryStorageContractTest extends HistoryStorageContract {

    @Override
    protected MessageStorage createStorage() {
        return new MemoryStorage();
    }
}
