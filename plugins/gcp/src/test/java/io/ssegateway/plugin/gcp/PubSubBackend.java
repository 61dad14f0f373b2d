package io.ssegateway.plugin.gcp;

/** A Pub/Sub server the tests run against: the fake of this module or the official emulator. */
interface PubSubBackend extends AutoCloseable {

    /** {@code host:port}, plaintext, no credentials. */
    String endpoint();
}
