package io.ssegateway.host.core;

import io.ssegateway.kit.RateLimitedLog;
import io.ssegateway.spi.SpiVersion;
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
                errorLog.warn(what + " of " + plugin.getClass().getName() + " failed: " + describe(plugin, e), e);
                return false;
            }
        });
    }

    /**
     * {@code failure} as a message about {@code plugin}'s code: its {@code toString()}, and when it is a linkage error
     * ({@code NoSuchMethodError}, {@code NoClassDefFoundError}, {@code AbstractMethodError}, … — the plugin calls or
     * implements the SPI as another version had it) the likely cause with both SPI versions.
     */
    public static String describe(Object plugin, Throwable failure) {
        return describe(plugin.getClass().getClassLoader(), failure);
    }

    /** Like {@link #describe(Object, Throwable)}, for code of the plugin that {@code loader} loads. */
    public static String describe(ClassLoader loader, Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof IncompatibleClassChangeError || cause instanceof NoClassDefFoundError) {
                return failure + " — " + spiMismatchHint(loader);
            }
        }
        return failure.toString();
    }

    private static String spiMismatchHint(ClassLoader loader) {
        if (!(loader instanceof PluginBuild build)) {
            return "built against another SPI version? This gateway provides SPI " + SpiVersion.CURRENT;
        }
        return "built against another SPI version? " + build.pluginName() + " declares Plugin-Requires "
                + build.requiredSpi() + (build.bundledSpi() == null ? "" : " and bundles SPI " + build.bundledSpi())
                + "; this gateway provides SPI " + SpiVersion.CURRENT + ": rebuild it against sse-gateway-spi "
                + SpiVersion.CURRENT;
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
