package io.ssegateway.spi.storage;

/**
 * The storage could not do what was asked (it is unreachable, timed out, refused). Storages may throw it (or any
 * other runtime exception, which the gateway treats the same); {@link io.ssegateway.spi.source.MessageHandler}
 * throws it to sources when a message could not be stored.
 */
public class StorageException extends RuntimeException {

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
