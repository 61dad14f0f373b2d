package io.ssegateway.spi.source;

/** What {@link MessageHandler#handle} does with a message the storage could not take. */
public enum IfStorageFails {

    /**
     * Deliver it to the subscribers online on this instance, without {@code id:} (it cannot be replayed), and report
     * {@link Delivery.Outcome#FAILED} or {@link Delivery.Outcome#UNKNOWN}: for a source that cannot bring the message
     * again (Redis Pub/Sub, an HTTP push that has already been answered).
     */
    DELIVER_UNSTORED,

    /**
     * Deliver nothing and throw the {@link io.ssegateway.spi.storage.StorageException}: for a source whose broker
     * redelivers what is not acknowledged (Google Pub/Sub, a spool directory), or that can tell its caller to retry.
     */
    THROW
}
