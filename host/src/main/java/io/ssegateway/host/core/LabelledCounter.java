package io.ssegateway.host.core;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A counter with one label, one {@link LongAdder} per value, each registered with the meter registry the first time
 * it is declared or counted. Values known in advance are declared at start, so that their series exist at zero.
 */
final class LabelledCounter {

    private final MeterRegistry registry;
    private final String name;
    private final String description;
    private final String label;
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    LabelledCounter(MeterRegistry registry, String name, String description, String label) {
        this.registry = registry;
        this.name = name;
        this.description = description;
        this.label = label;
    }

    /** Registers {@code value}'s series at zero (if it is not there yet). */
    void declare(String value) {
        adder(value);
    }

    void increment(String value) {
        adder(value).increment();
    }

    /** The values counted at least once, sorted. */
    Map<String, Long> nonZero() {
        Map<String, Long> copy = new TreeMap<>();
        counts.forEach((value, count) -> {
            long sum = count.sum();
            if (sum > 0) {
                copy.put(value, sum);
            }
        });
        return copy;
    }

    long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    private LongAdder adder(String value) {
        LongAdder existing = counts.get(value);
        return existing != null ? existing : counts.computeIfAbsent(value, this::register);
    }

    private LongAdder register(String value) {
        LongAdder adder = new LongAdder();
        FunctionCounter.builder(name, adder, LongAdder::sum).description(description).tag(label, value)
                .register(registry);
        return adder;
    }
}
