package io.ssegateway.host;

import io.ssegateway.spi.RateLimitedLog;
import java.util.logging.Logger;

/**
 * Calls into plugin code (listeners, source callbacks) so that an exception is logged and counted and never
 * reaches the connection that triggered it, with the callee's class loader as the thread's context class loader.
 */
public final class PluginCalls {

    private static final Logger LOG = Logger.getLogger(PluginCalls.class.getName());

    private final GatewayMetrics metrics;
    private final RateLimitedLog errorLog = new RateLimitedLog(LOG);

    public PluginCalls(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    /** Runs {@code call} on behalf of {@code plugin}; returns {@code false} if it threw. */
    public boolean run(Object plugin, String what, Runnable call) {
        return withContextLoader(plugin, () -> {
            try {
                call.run();
                return true;
            } catch (RuntimeException | Error e) {
                if (e instanceof VirtualMachineError fatal) {
                    throw fatal;
                }
                metrics.callbackErrors.increment();
                errorLog.warn(what + " of " + plugin.getClass().getName() + " failed: " + e, e);
                return false;
            }
        });
    }

    /** Runs {@code call} with the class loader of {@code plugin}'s class as context class loader. */
    public static <T> T withContextLoader(Object plugin, java.util.function.Supplier<T> call) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        ClassLoader pluginLoader = plugin.getClass().getClassLoader();
        if (pluginLoader == null || pluginLoader == previous) {
            return call.get();
        }
        thread.setContextClassLoader(pluginLoader);
        try {
            return call.get();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
