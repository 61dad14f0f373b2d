package io.ssegateway.plugin.nats;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** One real {@code nats-server -js} for the tests of a class, started before its {@code @BeforeAll} methods. */
final class NatsPerClass implements BeforeAllCallback, AfterAllCallback {

    private volatile NatsServer server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = NatsServer.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        NatsServer running = server;
        server = null;
        if (running != null) {
            running.close();
        }
    }

    NatsServer server() {
        NatsServer running = server;
        if (running == null) {
            throw new IllegalStateException("the nats-server runs only while the test class does");
        }
        return running;
    }
}
