package io.ssegateway.host.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an event stream (or a curl process's output) line by line on its own thread and keeps the lines, so that a
 * test can wait for one: for clients that are not {@link SseClient} (HTTP/2, TLS, curl).
 */
public final class StreamReader implements AutoCloseable {

    private final InputStream in;
    private final List<String> lines = new ArrayList<>();
    private final Thread thread;
    private volatile boolean ended;

    private StreamReader(InputStream in) {
        this.in = in;
        this.thread = Thread.ofVirtual().name("stream-reader").start(this::read);
    }

    public static StreamReader of(InputStream in) {
        return new StreamReader(in);
    }

    private void read() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                synchronized (this) {
                    lines.add(line);
                }
            }
        } catch (IOException e) {
            // the stream ended
        } finally {
            ended = true;
        }
    }

    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** The {@code data:} values received, in order. */
    public synchronized List<String> data() {
        return lines.stream().filter(line -> line.startsWith("data: ")).map(line -> line.substring(6)).toList();
    }

    public boolean ended() {
        return ended;
    }

    /** Waits until a line equal to {@code line} arrived. */
    public void awaitLine(String line, Duration timeout) {
        SseClient.awaitCondition(() -> lines().contains(line), timeout, () -> "no line '" + line + "' in " + lines());
    }

    /** Waits until a {@code data:} line equal to {@code data} arrived. */
    public void awaitData(String data, Duration timeout) {
        SseClient.awaitCondition(() -> data().contains(data), timeout, () -> "no data '" + data + "' in " + lines());
    }

    public void awaitEnd(Duration timeout) {
        SseClient.awaitCondition(this::ended, timeout, () -> "still open after " + lines());
    }

    /** The lines so far, for failure messages. */
    @Override
    public String toString() {
        return lines().toString();
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
