package io.ssegateway.host.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.core.Frame;
import io.ssegateway.spi.lifecycle.ConnectionInfo;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class SubscriberTest {

    private static final ConnectionInfo INFO = new ConnectionInfo(List.of("c"), "id", "instance", Instant.now(), "127.0.0.1", "test", null);
    private static final long NEVER = Long.MAX_VALUE;

    /** A writer that counts what its passes take, checks that they never overlap, and ends once closed. */
    private static final class CountingWriter implements Subscriber.Writer {
        final AtomicInteger received = new AtomicInteger();
        final AtomicInteger passes = new AtomicInteger();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();
        final CountDownLatch aborted = new CountDownLatch(1);
        volatile long wakeAt = NEVER;
        Subscriber subscriber;

        @Override
        public void pass() {
            if (running.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            passes.incrementAndGet();
            while (subscriber.poll() != null) {
                if (received.incrementAndGet() % 1000 == 0) {
                    LockSupport.parkNanos(10_000); // some slow writes: the queue fills and empties again
                }
            }
            running.decrementAndGet();
            if (subscriber.closeReason() != null) {
                subscriber.ended();
            } else {
                subscriber.passDone(wakeAt);
            }
        }

        @Override
        public void abort() {
            aborted.countDown();
        }
    }

    private static Subscriber subscriber(CountingWriter writer, int capacity) {
        Subscriber subscriber = new Subscriber(INFO, capacity, Long.MAX_VALUE, new WritePasses());
        writer.subscriber = subscriber;
        subscriber.writer(writer);
        return subscriber;
    }

    @Test
    void everyOfferedFrameIsWrittenByOnePassAtATimeAndNoneIsLeftBehind() throws Exception {
        int frames = 200_000;
        CountingWriter writer = new CountingWriter();
        Subscriber subscriber = subscriber(writer, frames);
        // the creating thread holds the writer role until it hands it over
        assertTrue(subscriber.offer(Frame.event("0", "e", "d")));
        assertEquals(0, writer.passes.get(), "a pass started while the creating thread writes");
        subscriber.passDone(NEVER);
        Frame frame = Frame.event("1", "e", "d");
        for (int i = 1; i < frames; i++) {
            assertTrue(subscriber.offer(frame));
            if (i % 97 == 0) {
                Thread.onSpinWait();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (writer.received.get() < frames && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(frames, writer.received.get(), "frames left in the queue: " + subscriber.queued());
        assertEquals(0, writer.overlaps.get(), "two passes ran at once");
        assertTrue(writer.passes.get() < frames, "one pass per frame: passes should drain batches");
    }

    @Test
    void aDueWakeUpStartsAPassAndAnEarlierScanDoesNot() throws Exception {
        CountingWriter writer = new CountingWriter();
        Subscriber subscriber = subscriber(writer, 10);
        long dueAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        subscriber.passDone(dueAt);
        subscriber.wakeIfDue(dueAt - 1);
        assertEquals(0, writer.passes.get(), "woken before its time");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (writer.passes.get() == 0 && System.nanoTime() < deadline) {
            subscriber.wakeIfDue(System.nanoTime());
            Thread.sleep(5);
        }
        assertEquals(1, writer.passes.get(), "the due pass did not run");
    }

    @Test
    void closingAnIdleSubscriberRunsAPassThatEndsTheStream() throws Exception {
        CountingWriter writer = new CountingWriter();
        Subscriber subscriber = subscriber(writer, 10);
        subscriber.passDone(NEVER);
        CountDownLatch ended = new CountDownLatch(1);
        Thread.ofVirtual().start(() -> {
            subscriber.awaitEnded();
            ended.countDown();
        });
        assertTrue(subscriber.close(CloseReason.SHUTDOWN));
        assertFalse(subscriber.close(CloseReason.CLIENT_GONE), "the first reason wins");
        assertTrue(ended.await(10, TimeUnit.SECONDS), "awaitEnded did not return");
        assertEquals(CloseReason.SHUTDOWN, subscriber.closeReason());
        assertFalse(subscriber.offer(Frame.event("1", "e", "d")), "a closed subscriber took a frame");
        assertEquals(1, writer.aborted.getCount(), "a clean close broke the connection off");
    }

    @Test
    void aFullQueueClosesTheSubscriberAsASlowConsumerAndBreaksItsConnectionOff() throws Exception {
        CountingWriter writer = new CountingWriter();
        Subscriber subscriber = subscriber(writer, 2);
        // the creating thread still writes: nothing drains the queue
        Frame frame = Frame.event("1", "e", "d");
        assertTrue(subscriber.offer(frame));
        assertTrue(subscriber.offer(frame));
        assertFalse(subscriber.offer(frame));
        assertEquals(CloseReason.SLOW_CONSUMER, subscriber.closeReason());
        assertTrue(writer.aborted.await(1, TimeUnit.SECONDS), "the connection was not broken off");
    }
}
