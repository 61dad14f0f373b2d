package io.ssegateway.bench.jmh;

import io.ssegateway.host.channel.Subscriber;
import io.ssegateway.host.channel.Subscriptions;
import io.ssegateway.host.channel.WritePasses;
import io.ssegateway.host.core.Frame;
import io.ssegateway.host.core.GatewayMetrics;
import io.ssegateway.spi.lifecycle.ConnectionInfo;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The fan-out loop: {@link Subscriptions#publish} of one frame to every subscriber of a channel, then each queue
 * drained (as its write pass would). The subscribers are never handed to write passes, so an offer starts no thread:
 * this measures the registry and the queues, not the scheduler running 10,000 write passes (the load generator's
 * fanout scenario measures that). {@link #publishDrainAndRecord} also counts and times each drained event as a write
 * pass does ({@code ConnectionWriter}: one delivery-latency sample per batch, here a batch of one): run with
 * {@code -prof gc}, its {@code gc.alloc.rate.norm} equals {@link #publishAndDrain}'s — the metrics allocate nothing.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FanoutBenchmark {

    @Param({"1000", "10000"})
    public int subscribers;

    private Subscriptions registry;
    private Subscriber[] all;
    private final Frame frame = Frame.event("1764215400123-0", "notification", "{\"text\":\"hello\"}");
    private final GatewayMetrics metrics = new GatewayMetrics();

    @Setup
    public void setUp() {
        registry = new Subscriptions("bench");
        all = new Subscriber[subscribers];
        for (int i = 0; i < subscribers; i++) {
            // never handed to write passes: the benchmark drains the queues itself
            all[i] = new Subscriber(new ConnectionInfo(List.of("room"), "c" + i, "bench", Instant.now(), "127.0.0.1", "", null), 1024, 8L << 20, new WritePasses());
            registry.register(all[i]);
        }
    }

    @Benchmark
    public int publishAndDrain() {
        int queued = registry.publish("room", withEnvelope -> frame).queued();
        for (Subscriber subscriber : all) {
            subscriber.poll();
        }
        return queued;
    }

    @Benchmark
    public int publishDrainAndRecord() {
        int queued = registry.publish("room", withEnvelope -> frame).queued();
        for (Subscriber subscriber : all) {
            Frame polled = subscriber.poll();
            metrics.eventsDelivered.add(1);
            GatewayMetrics.record(metrics.deliveryLatency, System.nanoTime() - polled.encodedAtNanos());
        }
        return queued;
    }
}
