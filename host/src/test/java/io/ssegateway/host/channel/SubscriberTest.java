package io.ssegateway.host.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.sse.Frame;
import io.ssegateway.spi.lifecycle.ConnectionInfo;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class SubscriberTest {

    private static final ConnectionInfo INFO = new ConnectionInfo("c", "id", "instance", Instant.now(), "127.0.0.1", "test");

    @Test
    void aWriterThatParksUntimedBetweenFramesNeverSleepsThroughAnOfferedFrame() throws Exception {
        int frames = 200_000;
        AtomicReference<Subscriber> subscriber = new AtomicReference<>();
        AtomicInteger received = new AtomicInteger();
        CountDownLatch ready = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread writer = Thread.ofVirtual().unstarted(() -> {
            try {
                ready.await();
            } catch (InterruptedException e) {
                return;
            }
            Subscriber self = subscriber.get();
            while (received.get() < frames) {
                Frame frame = self.poll();
                if (frame == null) {
                    // no timer: only an offer can wake it
                    self.awaitFrames(System.nanoTime() + TimeUnit.HOURS.toNanos(1));
                } else {
                    received.incrementAndGet();
                    if (received.get() % 1000 == 0) {
                        LockSupport.parkNanos(10_000); // some slow writes: the queue fills and empties again
                    }
                }
            }
            done.countDown();
        });
        subscriber.set(new Subscriber(INFO, writer, frames));
        writer.start();
        ready.countDown();
        Frame frame = Frame.event("1", "e", "d", null);
        for (int i = 0; i < frames; i++) {
            assertTrue(subscriber.get().offer(frame));
            if (i % 97 == 0) {
                Thread.onSpinWait();
            }
        }
        assertTrue(done.await(30, TimeUnit.SECONDS), "the writer stalled with " + subscriber.get().queued() + " frames queued");
        assertEquals(frames, received.get());
    }

    @Test
    void aWriterParkedWithADueTimeIsWokenByTheTimerScan() throws Exception {
        CountDownLatch woke = new CountDownLatch(1);
        AtomicReference<Subscriber> subscriber = new AtomicReference<>();
        CountDownLatch parked = new CountDownLatch(1);
        Thread writer = Thread.ofVirtual().unstarted(() -> {
            try {
                parked.await();
            } catch (InterruptedException e) {
                return;
            }
            subscriber.get().awaitFrames(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50));
            woke.countDown();
        });
        subscriber.set(new Subscriber(INFO, writer, 10));
        writer.start();
        parked.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (woke.getCount() > 0 && System.nanoTime() < deadline) {
            subscriber.get().wakeIfDue(System.nanoTime());
            woke.await(5, TimeUnit.MILLISECONDS);
        }
        assertEquals(0, woke.getCount(), "the due writer was not woken");
    }
}
