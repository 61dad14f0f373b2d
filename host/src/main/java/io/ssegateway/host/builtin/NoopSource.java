package io.ssegateway.host.builtin;

import io.ssegateway.spi.CancellationToken;
import io.ssegateway.spi.ConnectionView;
import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.source.MessageHandler;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.source.SourceFactory;

/**
 * A source that produces nothing: messages arrive only through {@code POST /api/send}. The default
 * ({@code gateway.source.type: noop}).
 */
public final class NoopSource implements MessageSource {

    @Override
    public void start(MessageHandler handler, ConnectionView connections, CancellationToken cancel)
            throws InterruptedException {
        cancel.await();
    }

    @Override
    public String name() {
        return "noop";
    }

    /** {@code gateway.source.type: noop}. */
    public static final class Factory implements SourceFactory {
        @Override
        public String name() {
            return "noop";
        }

        @Override
        public MessageSource create(PluginConfig config) {
            return new NoopSource();
        }
    }
}
