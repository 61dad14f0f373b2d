package io.ssegateway.host.testkit;

import io.ssegateway.host.Gateway;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts gateways for a test and stops every one of them after it, whatever the test did:
 * <pre>{@code
 * @RegisterExtension
 * final Gateways gateways = new Gateways();
 *
 * @Test
 * void something() {
 *     Gateway gateway = gateways.start(TestGateways.builder().maxConnections(2));
 * }
 * }</pre>
 */
public final class Gateways implements AfterEachCallback {

    private final List<Gateway> started = new ArrayList<>();

    /** Builds and starts a gateway that is stopped after the test. */
    public synchronized Gateway start(Gateway.Builder builder) {
        Gateway gateway = builder.build();
        started.add(gateway);
        return gateway.start();
    }

    /** A default test gateway ({@link TestGateways#builder()}), started. */
    public Gateway start() {
        return start(TestGateways.builder());
    }

    @Override
    public synchronized void afterEach(ExtensionContext context) {
        RuntimeException failure = null;
        for (Gateway gateway : started.reversed()) {
            try {
                gateway.stop();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        started.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
