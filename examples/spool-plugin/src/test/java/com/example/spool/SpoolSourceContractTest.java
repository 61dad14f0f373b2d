package com.example.spool;

import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.testkit.MessageSourceContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.UUID;

/** The SPI's source contract, applied to the spool source: publishing = dropping a file. */
class SpoolSourceContractTest extends MessageSourceContract {

    private Path dir;

    @Override
    protected MessageSource createSource() throws Exception {
        dir = Files.createTempDirectory("spool-");
        return new SpoolSourceFactory().create(PluginConfig.of("gateway.source.spool",
                Map.of("dir", dir.toString(), "poll-interval", "20ms")));
    }

    @Override
    protected void publishExternally(String channelId, String eventType, String data) throws Exception {
        Path draft = Files.writeString(dir.resolve(UUID.randomUUID() + ".tmp"), channelId + "\n" + eventType + "\n" + data);
        Files.move(draft, dir.resolve(UUID.randomUUID() + ".msg"), StandardCopyOption.ATOMIC_MOVE);
    }
}
