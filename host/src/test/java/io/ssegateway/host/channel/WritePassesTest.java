package io.ssegateway.host.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The shared writers: every pass runs, on few threads; a writer stuck in a write does not hold up the others. */
class WritePassesTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** A pass that runs {@code body} and counts itself. */
    private record Pass(Runnable body, boolean interruptsItsThread) implements Subscriber.Writer {
        @Override
        public void pass() {
            body.run();
        }

        @Override
        public void abort() {
        }
    }

    @Test
    void passesOfManyConnectionsRunOnTheCoreWritersOnly() throws Exception {
        WritePasses passes = new WritePasses();
        int connections = 20_000;
        CountDownLatch ran = new CountDownLatch(connections);
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < connections; i++) {
            passes.start(new Pass(() -> {
                threads.add(Thread.currentThread());
                ran.countDown();
            }, false));
        }
        assertTrue(ran.await(WAIT.toSeconds(), TimeUnit.SECONDS), ran.getCount() + " passes did not run");
        // a few more than the core writers if a pause made them look stuck; one per pass before
        assertTrue(threads.size() <= WritePasses.CORE_WRITERS + 32,
                "20,000 passes took " + threads.size() + " threads (core writers: " + WritePasses.CORE_WRITERS + ")");
        assertTrue(threads.stream().allMatch(Thread::isVirtual));
        awaitTrue(() -> passes.backlog() == 0, "backlog " + passes.backlog());
    }

    @Test
    void writersStuckInWritesDoNotHoldUpOtherConnections() throws Exception {
        WritePasses passes = new WritePasses();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch stuck = new CountDownLatch(WritePasses.CORE_WRITERS);
        for (int i = 0; i < WritePasses.CORE_WRITERS; i++) {
            passes.start(new Pass(() -> {
                stuck.countDown();
                awaitQuietly(release); // a write to a client that stopped reading
            }, false));
        }
        assertTrue(stuck.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the blocking passes did not all start");
        CountDownLatch others = new CountDownLatch(100);
        for (int i = 0; i < 100; i++) {
            passes.start(new Pass(others::countDown, false));
        }
        awaitTrue(() -> others.getCount() == 0, "passes behind stuck writers: " + others.getCount() + " of 100 did not run");
        assertTrue(passes.writers() > WritePasses.CORE_WRITERS, "writers: " + passes.writers());
        release.countDown();
        // extra writers, then the core ones, end once idle: an idle gateway holds no writer
        awaitTrue(() -> passes.writers() == 0, "writers still running: " + passes.writers());
        CountDownLatch later = new CountDownLatch(1);
        passes.start(new Pass(later::countDown, false));
        assertTrue(later.await(WAIT.toSeconds(), TimeUnit.SECONDS), "a pass after the writers ended did not run");
    }

    /**
     * Clients that stop reading block their writers one after the other (they paused together and their socket
     * buffers fill at the same pace); each writer is replaced within milliseconds, so the passes behind them wait for
     * that, not for a 20 ms threshold per pair of writers: 20 rounds of stuck writers took at least 400 ms before.
     */
    @Test
    void clientsThatStopReadingOneAfterAnotherHoldUpTheOthersForMilliseconds() throws Exception {
        WritePasses passes = new WritePasses();
        CountDownLatch release = new CountDownLatch(1);
        int rounds = 20;
        long start = System.nanoTime();
        for (int i = 0; i < rounds * WritePasses.CORE_WRITERS; i++) {
            passes.start(new Pass(() -> awaitQuietly(release), false));
        }
        CountDownLatch others = new CountDownLatch(100);
        for (int i = 0; i < 100; i++) {
            passes.start(new Pass(others::countDown, false));
        }
        try {
            assertTrue(others.await(WAIT.toSeconds(), TimeUnit.SECONDS), others.getCount() + " of 100 passes did not run");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis < 300, "the passes behind " + rounds + " rounds of stuck writers waited " + millis + " ms");
        } finally {
            release.countDown();
        }
    }

    /**
     * A writer is stuck only when parked in its pass (a blocked write) for longer than the stuck time. One that is
     * merely slow — runnable, waiting for a carrier or for a GC pause to end — is not: replacing it would only put
     * more writers than cores on the same carriers, each writing fewer events per write.
     */
    @Test
    void aWriterIsStuckOnlyWhenParkedInItsPassForLongerThanTheStuckTime() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Thread blocked = Thread.ofVirtual().start(() -> awaitQuietly(release));
        try {
            awaitTrue(() -> blocked.getState() == Thread.State.TIMED_WAITING, "the blocked thread did not park");
            WritePasses.PassClock parked = new WritePasses.PassClock(blocked);
            WritePasses.PassClock runnable = new WritePasses.PassClock(Thread.currentThread());
            long now = System.nanoTime();
            parked.since = now - 2 * WritePasses.STUCK_NANOS;
            runnable.since = now - 100 * WritePasses.STUCK_NANOS;
            assertTrue(parked.isStuck(now), "parked in a pass for twice the stuck time");
            assertFalse(runnable.isStuck(now), "a runnable writer in a long pass is slow, not stuck");
            parked.since = now - WritePasses.STUCK_NANOS / 2;
            assertFalse(parked.isStuck(now), "parked for half the stuck time");
            parked.since = 0;
            assertFalse(parked.isStuck(now), "between passes");
        } finally {
            release.countDown();
        }
    }

    @Test
    void anInterruptLeftOnAWriterDoesNotReachTheNextConnectionsPass() throws Exception {
        WritePasses passes = new WritePasses();
        int connections = 2_000;
        AtomicInteger interruptedAtStart = new AtomicInteger();
        CountDownLatch ran = new CountDownLatch(connections);
        for (int i = 0; i < connections; i++) {
            passes.start(new Pass(() -> {
                if (Thread.currentThread().isInterrupted()) {
                    interruptedAtStart.incrementAndGet();
                }
                Thread.currentThread().interrupt(); // e.g. a close that interrupted this pass late
                ran.countDown();
            }, false));
        }
        assertTrue(ran.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(0, interruptedAtStart.get(), "passes that started interrupted");
    }

    @Test
    void aPassThatInterruptsItsThreadGetsAThreadOfItsOwn() throws Exception {
        WritePasses passes = new WritePasses();
        List<Thread> shared = new ArrayList<>();
        CountDownLatch first = new CountDownLatch(1);
        passes.start(new Pass(() -> {
            synchronized (shared) {
                shared.add(Thread.currentThread());
            }
            first.countDown();
        }, false));
        assertTrue(first.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        Set<Thread> own = ConcurrentHashMap.newKeySet();
        CountDownLatch ran = new CountDownLatch(50);
        for (int i = 0; i < 50; i++) {
            passes.start(new Pass(() -> {
                own.add(Thread.currentThread());
                ran.countDown();
            }, true));
        }
        assertTrue(ran.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(50, own.size(), "HTTP/2 passes must not share threads");
        assertFalse(own.contains(shared.get(0)));
        assertEquals(0, passes.backlog());
    }

    @Test
    void aPublisherIsHeldBackOnlyWhileTheFanOutIsBehind() throws Exception {
        WritePasses passes = new WritePasses();
        long limit = TimeUnit.MILLISECONDS.toNanos(50);
        passes.reportLag(TimeUnit.MILLISECONDS.toNanos(500));
        assertEquals(0, passes.awaitLagAtMost(limit, TimeUnit.SECONDS.toNanos(10)), "no connection waits: no wait");

        // every writer stuck and one more connection waiting: the fan-out is behind
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch stuck = new CountDownLatch(WritePasses.CORE_WRITERS);
        for (int i = 0; i < WritePasses.CORE_WRITERS; i++) {
            passes.start(new Pass(() -> {
                stuck.countDown();
                awaitQuietly(release);
            }, false));
        }
        assertTrue(stuck.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        // blocking too: each writer the watchdog starts for the stuck ones takes one and is stuck as well (one or two
        // per 10 ms: far fewer than these within the test)
        CountDownLatch queued = new CountDownLatch(2_000);
        for (int i = 0; i < 2_000; i++) {
            passes.start(new Pass(() -> {
                awaitQuietly(release);
                queued.countDown();
            }, false));
        }
        assertTrue(passes.backlog() > 0, "backlog " + passes.backlog());
        long capped = passes.awaitLagAtMost(limit, TimeUnit.MILLISECONDS.toNanos(200));
        assertTrue(capped >= TimeUnit.MILLISECONDS.toNanos(200), "held back for " + capped + " ns, not up to max-wait");
        passes.reportLag(TimeUnit.MILLISECONDS.toNanos(10));
        assertEquals(0, passes.awaitLagAtMost(limit, TimeUnit.SECONDS.toNanos(10)), "caught up: no wait");

        // a batch written on time ends a wait early
        passes.reportLag(TimeUnit.MILLISECONDS.toNanos(500));
        Thread waiter = Thread.ofVirtual().start(() -> passes.awaitLagAtMost(limit, TimeUnit.SECONDS.toNanos(30)));
        passes.reportLag(TimeUnit.MILLISECONDS.toNanos(1));
        assertTrue(waiter.join(WAIT), "the publisher was still held back after the fan-out caught up");
        release.countDown();
        assertTrue(queued.await(WAIT.toSeconds(), TimeUnit.SECONDS));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitTrue(BooleanSupplier condition, String describe) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out: " + describe);
            }
            Thread.sleep(5);
        }
    }
}
