package io.ssegateway.plugin.nats;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.storage.Replay;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * What the numbers on the NATS plugin page come from: the stream bytes of 1,000 events of 250 bytes with business ids
 * on one channel, the cost of an append (one at a time, and 16 appenders on 16 channels), and of a replay per event,
 * against a {@code nats-server -js} this program starts. Run it as {@code main} (see docs/plugins/nats.md).
 */
public final class NatsStorageBenchmark {

    private NatsStorageBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        try (NatsServer nats = NatsServer.start()) {
            NatsStreamStorage storage = NatsFixtures.storage(nats, "max-msgs-per-subject", Integer.toString(events));
            String data = "x".repeat(250);
            for (int i = 0; i < 200; i++) {
                storage.append("warm-up", SseEvent.of("t", data).withMessageId("w-" + i));
            }
            long started = System.nanoTime();
            for (int i = 0; i < events; i++) {
                storage.append("sized", SseEvent.of("order.created", data).withMessageId("order-" + i));
            }
            double appendMicros = (System.nanoTime() - started) / 1000.0 / events;
            long bytes;
            try (Connection connection = Nats.connect(nats.url())) {
                bytes = connection.jetStreamManagement().getStreamInfo("SSE").getStreamState().getByteCount();
            }
            started = System.nanoTime();
            int replayed = 0;
            String after = MessageStorage.EARLIEST;
            Replay page;
            do {
                page = storage.messagesAfter("sized", after, 262_144);
                replayed += page.events().size();
                after = page.lastId();
            } while (page.more());
            double replayMicros = (System.nanoTime() - started) / 1000.0 / replayed;

            int appenders = 16;
            int each = events / appenders * 4;
            ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
            started = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < appenders; t++) {
                String channel = "concurrent-" + t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        storage.append(channel, SseEvent.of("t", data).withMessageId("c-" + i));
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
            double concurrentMicros = (System.nanoTime() - started) / 1000.0 / (appenders * each);
            pool.shutdown();
            storage.close();
            System.out.printf("stream bytes for %d+200 events of 250 B with ids: %d (%.0f B/event)%n", events, bytes,
                    bytes / (double) (events + 200));
            System.out.printf("append one at a time: %.0f us; with %d appenders: %.0f us per append (%.0f/s)%n",
                    appendMicros, appenders, concurrentMicros, 1_000_000 / concurrentMicros);
            System.out.printf("replay: %d events, %.0f us per event%n", replayed, replayMicros);
        }
    }
}
