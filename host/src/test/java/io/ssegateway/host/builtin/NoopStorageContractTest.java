package io.ssegateway.host.builtin;

import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.testkit.MessageStorageContract;

/** The built-in noop storage passes the SPI contract suite plugin authors use. */
class NoopStorageContractTest extends MessageStorageContract {

    @Override
    protected MessageStorage createStorage() {
        return new NoopStorage();
    }
}
