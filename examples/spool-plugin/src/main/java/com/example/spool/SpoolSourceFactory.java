package com.example.spool;

import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.source.SourceFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** {@code gateway.source.type: spool}; reads its node {@code gateway.source.spool}: {@code dir}, {@code poll-interval}. */
public final class SpoolSourceFactory implements SourceFactory {

    @Override
    public String name() {
        return "spool";
    }

    @Override
    public MessageSource create(PluginConfig config) {
        Path dir = Path.of(config.require("dir"));
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("dir") + ": " + dir + " is not a directory");
        }
        Duration pollInterval = config.getDuration("poll-interval", Duration.ofMillis(200));
        return new SpoolSource(dir, pollInterval);
    }
}
