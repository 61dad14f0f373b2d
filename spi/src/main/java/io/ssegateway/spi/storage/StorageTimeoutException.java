package io.ssegateway.spi.storage;

/**
 * The storage did not answer in time: unlike a refusal, the operation may still have happened (a timed-out append
 * may be stored after all). Storages throw it for timeouts so that the gateway can tell publishers the outcome is
 * unknown instead of "not stored"; a retry with the same business id is then safe, since {@code append} is
 * idempotent on it.
 */
public class StorageTimeoutException extends StorageException {

    public StorageTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
