package com.example.spool;

import io.ssegateway.spi.CancellationToken;
import io.ssegateway.spi.ConnectionView;
import io.ssegateway.spi.source.IfStorageFails;
import io.ssegateway.spi.source.IncomingMessage;
import io.ssegateway.spi.source.MessageHandler;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.storage.StorageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * Publishes the files dropped into a spool directory. A file {@code *.msg} holds the channel id on its first line
 * ({@code *} for a broadcast), the event type on its second, and the data after that. A file is deleted once the
 * gateway has stored and queued its message — so a storage outage leaves it in place to be tried again — and an
 * invalid one is moved to {@code rejected/}. Write files under another name and rename them to {@code .msg}, so
 * that a half-written file is never read.
 */
final class SpoolSource implements MessageSource {

    private static final Logger LOG = Logger.getLogger(SpoolSource.class.getName());

    private final Path dir;
    private final Duration pollInterval;

    SpoolSource(Path dir, Duration pollInterval) {
        this.dir = dir;
        this.pollInterval = pollInterval;
    }

    @Override
    public void start(MessageHandler handler, ConnectionView connections, CancellationToken cancel)
            throws IOException, InterruptedException {
        // runs on its own virtual thread until the gateway cancels it; await(timeout) doubles as the poll sleep
        do {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.msg")) {
                for (Path file : files) {
                    publish(file, handler);
                }
            }
        } while (!cancel.await(pollInterval));
    }

    private void publish(Path file, MessageHandler handler) throws IOException {
        String[] parts = Files.readString(file, StandardCharsets.UTF_8).split("\n", 3);
        if (parts.length < 3) {
            reject(file, "needs three parts: channel, event type, data");
            return;
        }
        String channel = parts[0].strip();
        IncomingMessage message = (channel.equals("*")
                ? IncomingMessage.broadcast(parts[1].strip(), parts[2])
                : IncomingMessage.toChannel(channel, parts[1].strip(), parts[2]))
                .withMessageId(file.getFileName().toString()); // a retried file is stored once
        try {
            handler.handle(message, IfStorageFails.THROW); // the file stays: it is the redelivery
            Files.delete(file);
        } catch (IllegalArgumentException invalid) {
            reject(file, invalid.getMessage());
        } catch (StorageException storageDown) {
            LOG.warning("Storage unavailable, " + file.getFileName() + " stays for the next poll: " + storageDown.getMessage());
        }
    }

    private void reject(Path file, String why) throws IOException {
        Path rejected = Files.createDirectories(dir.resolve("rejected"));
        Files.move(file, rejected.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        LOG.warning("Rejected " + file.getFileName() + ": " + why);
    }

    @Override
    public String name() {
        return "spool";
    }
}
