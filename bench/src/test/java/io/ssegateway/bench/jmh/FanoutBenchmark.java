package io.ssegateway.bench.jmh;

import io.ssegateway.host.channel.ChannelRegistry;
import io.ssegateway.host.channel.Subscriber;
import io.ssegateway.host.sse.Frame;
import io.ssegateway.spi.lifecycle.ConnectionInfo;
import java.time.Instant;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The fan-out loop: {@link ChannelRegistry#publish} of one frame to every subscriber of a channel, then each queue
 * drained (as its writer would). The writers here are one parked virtual thread, so an offer's unpark is the cheap
 * "already has a permit" case: this measures the registry and the queues, not the scheduler waking 10,000 threads
 * (the load generator's fanout scenario measures that).
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

    private ChannelRegistry registry;
    private Subscriber[] all;
    private Thread writer;
    private final Frame frame = Frame.event("1764215400123-0", "notification", "{\"text\":\"hello\"}", null);

    @Setup
    public void setUp() {
        registry = new ChannelRegistry("bench");
        writer = Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                java.util.concurrent.locks.LockSupport.park();
            }
        });
        all = new Subscriber[subscribers];
        for (int i = 0; i < subscribers; i++) {
            all[i] = new Subscriber(new ConnectionInfo("room", "c" + i, "bench", Instant.now(), "127.0.0.1", ""),
                    writer, 1024);
            registry.register(all[i]);
        }
    }

    @TearDown
    public void tearDown() {
        writer.interrupt();
    }

    @Benchmark
    public int publishAndDrain() {
        int queued = registry.publish("room", () -> frame).queued();
        for (Subscriber subscriber : all) {
            subscriber.poll();
        }
        return queued;
    }
}
