package io.ssegateway.spi.storage;

/**
 * The storage could not do what was asked (it is unreachable or refused). Storages may throw it (or any other
 * runtime exception, which the gateway treats the same; {@link StorageTimeoutException} when the outcome is unknown);
 * {@link io.ssegateway.spi.source.MessageHandler} throws it to sources that asked for it
 * ({@link io.ssegateway.spi.source.IfStorageFails#THROW}) when a message could not be stored.
 */
public class StorageException extends RuntimeException {

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
