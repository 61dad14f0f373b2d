package io.ssegateway.host.core;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.lang.management.ManagementFactory;
import java.lang.management.PlatformManagedObject;
import java.lang.reflect.Method;
import java.util.function.ToDoubleFunction;

/**
 * JVM and process metrics: Micrometer's binders (memory pools, GC pauses, threads, classes, CPU,
 * {@code process_start_time_seconds}), the open and maximum file descriptors under the Prometheus client's names
 * ({@code process_open_fds}, {@code process_max_fds}: a gateway's connection cap comes from the open-files limit), and,
 * on JDKs that say (24+), the virtual-thread scheduler's mounted and queued virtual threads.
 */
final class ProcessMetrics implements AutoCloseable {

    private final JvmGcMetrics gc = new JvmGcMetrics();

    ProcessMetrics(MeterRegistry registry) {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            Gauge.builder("process.open.fds", unix, com.sun.management.UnixOperatingSystemMXBean::getOpenFileDescriptorCount)
                    .description("Open file descriptors (each SSE connection holds one).").register(registry);
            Gauge.builder("process.max.fds", unix, com.sun.management.UnixOperatingSystemMXBean::getMaxFileDescriptorCount)
                    .description("The open-files limit (ulimit -n).").register(registry);
        }
        virtualThreads(registry);
    }

    /** {@code jdk.management.VirtualThreadSchedulerMXBean} (JDK 24+), looked up by name: the build targets Java 21. */
    private static void virtualThreads(MeterRegistry registry) {
        try {
            @SuppressWarnings("unchecked")
            Class<? extends PlatformManagedObject> type = (Class<? extends PlatformManagedObject>)
                    Class.forName("jdk.management.VirtualThreadSchedulerMXBean");
            PlatformManagedObject scheduler = ManagementFactory.getPlatformMXBean(type);
            gauge(registry, "jvm.threads.virtual.mounted", "Virtual threads mounted on a carrier thread.", scheduler,
                    type.getMethod("getMountedVirtualThreadCount"));
            gauge(registry, "jvm.threads.virtual.queued", "Virtual threads queued to run (a backlog means busy carriers).",
                    scheduler, type.getMethod("getQueuedVirtualThreadCount"));
            gauge(registry, "jvm.threads.virtual.parallelism", "Carrier threads the virtual-thread scheduler may use.",
                    scheduler, type.getMethod("getParallelism"));
        } catch (ReflectiveOperationException | RuntimeException notOnThisJdk) {
            // JDK 21-23: no scheduler bean
        }
    }

    private static void gauge(MeterRegistry registry, String name, String description, Object bean, Method getter) {
        ToDoubleFunction<Object> read = target -> {
            try {
                return ((Number) getter.invoke(target)).doubleValue();
            } catch (ReflectiveOperationException e) {
                return Double.NaN;
            }
        };
        Gauge.builder(name, bean, read).description(description).register(registry);
    }

    @Override
    public void close() {
        gc.close();
    }
}
