package io.ssegateway.host.builtin;

import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.testkit.MessageStorageContract;

/** The memory storage passes the SPI storage contract. */
class BuiltInStorageContractTest extends MessageStorageContract {

    @Override
    protected MessageStorage createStorage() {
        return new MemoryStorage();
    }
}
