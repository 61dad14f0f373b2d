package io.ssegateway.host.channel;

import io.ssegateway.kit.RateLimitedLog;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;

/**
 * Runs the write passes of a gateway's connections (see {@link Subscriber}) on a few long-lived virtual threads, the
 * writers, that take connections with something to write from one queue. A fan-out to 10,000 connections is then
 * 10,000 queue entries that the writers work through, instead of 10,000 virtual threads each created, scheduled and
 * ended for one socket write — what most of the gateway's CPU per delivery went to besides the write itself.
 * <p>
 * A pass blocked in a socket write (a client that stopped reading) holds its writer until the write goes through or
 * the connection is broken off as a slow consumer. So the pool grows: a pass queued when no pass has ended for
 * {@link #STALLED_NANOS} starts another writer, and a watchdog looks every {@link #WATCH_NANOS} while connections
 * wait ({@link #WATCH_IDLE_NANOS} otherwise) and starts writers until as many as cores are not stuck (parked in one
 * pass for more than {@link #STUCK_NANOS}).
 * Writers end after {@link #IDLE_NANOS} without work, the core ones too (an idle gateway holds no writer; the next
 * pass starts one), and the watchdog ends with the last writer.
 * <p>
 * A pass that its connection may interrupt (HTTP/2: see {@link Subscriber.Writer#interruptsItsThread}) runs on a
 * virtual thread of its own, as every pass did before: an interrupt meant for it must not reach the next
 * connection's pass on a shared writer.
 */
public final class WritePasses {

    private static final Logger LOG = Logger.getLogger(WritePasses.class.getName());
    private static final RateLimitedLog FAILURES = new RateLimitedLog(LOG);
    private static final ThreadFactory OWN_THREADS = Thread.ofVirtual().name("sse-write-pass")
            .inheritInheritableThreadLocals(false).factory();
    private static final ThreadFactory WRITERS = Thread.ofVirtual().name("sse-writer")
            .inheritInheritableThreadLocals(false).factory();
    private static final ThreadFactory WATCHDOG = Thread.ofVirtual().name("sse-writer-watchdog")
            .inheritInheritableThreadLocals(false).factory();
    /** Writers kept while there is work: as many as carrier threads, so that the writes use every core. */
    static final int CORE_WRITERS = Math.max(2, Runtime.getRuntime().availableProcessors());
    /**
     * A writer parked in one pass for longer than this is stuck in a write, as far as the pool's size is concerned.
     * Short: clients that stop reading block their writers one after the other, each for this long plus up to
     * {@link #WATCH_NANOS} before a writer takes its place. Parked, not merely slow: a writer that waits for a
     * carrier (or for the end of a GC pause) is not replaced, as more writers than cores would write fewer events
     * per write.
     */
    static final long STUCK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** How often the watchdog looks for stuck writers while connections wait for a writer. */
    static final long WATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * How often it looks while writers run but no connection waits: each look wakes a carrier thread, which at 1 ms
     * would cost a gateway that only writes keep-alives several percent of a core.
     */
    static final long WATCH_IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** A pass queued when no pass has ended for this long starts another writer without waiting for the watchdog. */
    static final long STALLED_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** A busy writer gives its carrier to other virtual threads this often. */
    static final long YIELD_NANOS = TimeUnit.MICROSECONDS.toNanos(500);
    /** How often a publisher held back looks at the lag again. */
    private static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
    /** A writer without work for this long ends. */
    static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ConcurrentLinkedQueue<Subscriber.Writer> ready = new ConcurrentLinkedQueue<>();
    /**
     * Writers parked for want of work, the latest first. Parked, not spinning: a writer that spun (as a blocking
     * queue's consumer does) would take a carrier from the publisher it waits for.
     */
    private final ConcurrentLinkedDeque<Thread> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger writers = new AtomicInteger();
    /** Since when each running writer is in its current pass (0: between passes). */
    private final Set<PassClock> clocks = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean watching = new AtomicBoolean();
    /** When a writer last ended a pass (or one started), in {@link System#nanoTime()}. */
    private volatile long lastProgress = System.nanoTime();
    /** Connections queued and not yet taken by a writer. */
    private final LongAdder waiting = new LongAdder();
    /** How old the oldest event of the last batch written was, from its publish to its write, in nanoseconds. */
    private volatile long lag;

    /** Runs a pass of {@code writer} soon: on a writer, or on its own thread if it may interrupt that thread. */
    void start(Subscriber.Writer writer) {
        if (writer.interruptsItsThread()) {
            OWN_THREADS.newThread(writer::pass).start();
            return;
        }
        waiting.increment();
        ready.offer(writer);
        Thread parked = idle.pollFirst();
        if (parked != null) {
            LockSupport.unpark(parked);
            return;
        }
        int running = writers.get();
        if (running < CORE_WRITERS || System.nanoTime() - lastProgress > STALLED_NANOS) {
            addWriter(running);
        }
    }

    /** A pass wrote a batch whose oldest event was published {@code nanos} ago. */
    void reportLag(long nanos) {
        lag = nanos;
    }

    /**
     * Holds a publisher back while the fan-out is behind: returns once the last batch written was at most
     * {@code limitNanos} old or no connection waits for a writer, or after {@code maxWaitNanos} whatever the lag. A
     * publisher that can wait (an HTTP client of {@code /api/send}) then sends a burst at the pace of the fan-out,
     * each message delivered shortly after it was sent, instead of piling it up in every connection's queue, where
     * it only adds latency (and past {@code connection-queue} would close healthy clients as slow consumers). The
     * events that do pile up meanwhile still go out together, one write per connection.
     *
     * @param limitNanos 0 or less: never wait
     * @return the nanoseconds waited (0 when the fan-out keeps up)
     */
    public long awaitLagAtMost(long limitNanos, long maxWaitNanos) {
        if (limitNanos <= 0 || !behind(limitNanos)) {
            return 0;
        }
        long start = System.nanoTime();
        long waited;
        do {
            LockSupport.parkNanos(POLL_NANOS);
            waited = System.nanoTime() - start;
        } while (behind(limitNanos) && waited < maxWaitNanos);
        return waited;
    }

    private boolean behind(long limitNanos) {
        return lag > limitNanos && waiting.sum() > 0;
    }

    /** Connections waiting for a writer: the fan-out's backlog. */
    public long backlog() {
        return waiting.sum();
    }

    /** Writers running now. */
    public int writers() {
        return writers.get();
    }

    /** Starts one writer unless another thread just did (seen as {@code running} writers), and the watchdog. */
    private void addWriter(int running) {
        if (writers.compareAndSet(running, running + 1)) {
            lastProgress = System.nanoTime();
            WRITERS.newThread(this::work).start();
            if (watching.compareAndSet(false, true)) {
                WATCHDOG.newThread(this::watch).start();
            }
        }
    }

    /** While writers run: starts writers until as many as cores are not stuck, when connections wait. */
    private void watch() {
        long pause = WATCH_NANOS; // started for work that arrived
        while (true) {
            LockSupport.parkNanos(pause);
            if (writers.get() == 0) {
                watching.set(false);
                // a writer started meanwhile saw the watchdog still running and started none
                if (writers.get() == 0 || !watching.compareAndSet(false, true)) {
                    return;
                }
            }
            pause = WATCH_IDLE_NANOS;
            if (waiting.sum() > 0) {
                pause = WATCH_NANOS;
                long now = System.nanoTime();
                int stuck = 0;
                for (PassClock clock : clocks) {
                    if (clock.isStuck(now)) {
                        stuck++;
                    }
                }
                for (int running = writers.get(); running - stuck < CORE_WRITERS; running = writers.get()) {
                    addWriter(running);
                }
            }
        }
    }

    private void work() {
        Thread self = Thread.currentThread();
        PassClock clock = new PassClock(self);
        clocks.add(clock);
        try {
            work(self, clock);
        } finally {
            clocks.remove(clock);
        }
    }

    private void work(Thread self, PassClock clock) {
        long lastYield = System.nanoTime();
        while (true) {
            Subscriber.Writer writer = ready.poll();
            if (writer == null) {
                writer = awaitWork(self);
                if (writer == null) {
                    return;
                }
            }
            waiting.decrement();
            // an interrupt left over from earlier work must not fail this connection's writes
            Thread.interrupted();
            clock.since = System.nanoTime();
            try {
                writer.pass();
            } catch (RuntimeException | Error e) {
                FAILURES.warn("A write pass failed; its connection is abandoned: " + e);
            }
            clock.since = 0;
            long now = System.nanoTime();
            lastProgress = now;
            if (now - lastYield >= YIELD_NANOS) {
                // a virtual thread is never preempted: let the publishers and requests waiting for a carrier run
                // (a publisher that runs meanwhile also queues more frames for each connection still to be
                // written, which then go out in one write)
                Thread.yield();
                lastYield = System.nanoTime();
            }
        }
    }

    /** Parks until a connection is queued; {@code null}: none came for {@link #IDLE_NANOS}, the writer ends. */
    private Subscriber.Writer awaitWork(Thread self) {
        long idleSince = System.nanoTime();
        while (true) {
            idle.offerFirst(self);
            // queued before this writer was listed as idle: nobody will unpark it for that one
            Subscriber.Writer writer = ready.poll();
            if (writer == null) {
                LockSupport.parkNanos(this, IDLE_NANOS);
                writer = ready.poll();
            }
            idle.remove(self);
            if (writer != null) {
                return writer;
            }
            if (System.nanoTime() - idleSince >= IDLE_NANOS) {
                writers.decrementAndGet();
                // a connection queued by a thread that still counted this writer is not left behind
                if (ready.isEmpty()) {
                    return null;
                }
                writers.incrementAndGet();
                idleSince = System.nanoTime();
            }
        }
    }

    /** When a writer's current pass began, in {@link System#nanoTime()}; 0 between passes. */
    static final class PassClock {
        final Thread writer;
        volatile long since;

        PassClock(Thread writer) {
            this.writer = writer;
        }

        /** In a pass for over {@link #STUCK_NANOS} and parked (a blocked write), not runnable. */
        boolean isStuck(long now) {
            long began = since;
            return began != 0 && now - began > STUCK_NANOS && writer.getState() != Thread.State.RUNNABLE;
        }
    }
}
