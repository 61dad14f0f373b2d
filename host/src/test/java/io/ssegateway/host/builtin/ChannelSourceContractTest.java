package io.ssegateway.host.builtin;

import io.ssegateway.spi.source.IncomingMessage;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.testkit.MessageSourceContract;

/** The built-in channel source passes the SPI source contract suite. */
class ChannelSourceContractTest extends MessageSourceContract {

    private final ChannelSource source = new ChannelSource();

    @Override
    protected MessageSource createSource() {
        return source;
    }

    @Override
    protected void publishExternally(String channelId, String eventType, String data) throws Exception {
        source.sender().send(IncomingMessage.toChannel(channelId, eventType, data));
    }
}
