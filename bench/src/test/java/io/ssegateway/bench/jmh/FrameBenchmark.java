package io.ssegateway.bench.jmh;

import io.ssegateway.host.core.Frame;
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

/** SSE frame encoding, done once per published message: a one-line JSON event and a multi-line text event. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameBenchmark {

    /** Bytes of data. */
    @Param({"64", "1024"})
    public int size;

    private String json;
    private String multiline;

    @Setup
    public void setUp() {
        json = "{\"user\":\"u1\",\"text\":\"" + "x".repeat(Math.max(0, size - 24)) + "\"}";
        StringBuilder text = new StringBuilder();
        while (text.length() < size) {
            text.append("line of text ").append(text.length()).append("\r\n");
        }
        multiline = text.toString();
    }

    @Benchmark
    public Frame jsonEvent() {
        return Frame.event("1764215400123-0", "notification", json);
    }

    @Benchmark
    public Frame multilineEvent() {
        return Frame.event("1764215400123-0", "log", multiline);
    }
}
