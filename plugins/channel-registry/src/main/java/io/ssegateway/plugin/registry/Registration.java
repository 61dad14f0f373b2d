package io.ssegateway.plugin.registry;

import io.lettuce.core.RedisException;
import io.ssegateway.kit.RateLimitedLog;
import io.ssegateway.redis.Backoff;
import io.ssegateway.redis.RedisLink;
import io.ssegateway.spi.CancellationToken;
import io.ssegateway.spi.ConnectionView;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * Keeps this instance's share of the registry in Redis true to its connections, while the source runs:
 * <ul>
 *   <li>joins a channel on its first connection here and leaves it on the last one, synchronously on the connection's
 *       thread — so a client is registered before its replay reads the history, and a message an agent stores because
 *       the lookup said "offline" is in that replay;</li>
 *   <li>refreshes every membership (each third of {@code channel-ttl}) and the instance record (each third of
 *       {@code instance-ttl}), so that they all expire on their own if this process dies;</li>
 *   <li>after a Redis failure, or when Redis lost the instance record (restarted empty), writes everything again —
 *       and reports itself unhealthy until it has;</li>
 *   <li>on a clean shutdown, removes its memberships and its record.</li>
 * </ul>
 * Writes for one channel are serialized (a striped lock) and each writes the channel's current state rather than the
 * event that caused it, so a disconnect and a reconnect racing to Redis cannot leave the wrong one last.
 */
final class Registration {

    private static final Logger LOG = Logger.getLogger(Registration.class.getName());
    private static final int STRIPES = 256;

    private final ChannelDirectory directory;
    private final RedisLink link;
    private final HeldChannels held;
    private final RegistrySettings settings;
    private final ConnectionView connections;
    private final String instanceId;
    private final String address;
    private final ChannelDirectory.Member member;
    private final long startedAtMillis = System.currentTimeMillis();
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    /** Channels left while their removal could not be written; removed on the next successful pass. */
    private final Set<String> pendingRemovals = ConcurrentHashMap.newKeySet();
    private final Semaphore wake = new Semaphore(0);
    private final RateLimitedLog failureLog = new RateLimitedLog(LOG, Duration.ofSeconds(10));
    private final RateLimitedLog duplicateLog = new RateLimitedLog(LOG, Duration.ofSeconds(10));
    private volatile boolean active = true;
    /** Redis may lack part of what this instance holds: everything is written again before it is healthy. */
    private volatile boolean dirty = true;
    /** A full write completed since the last time {@link #dirty} was set. */
    private volatile boolean written;

    Registration(ChannelDirectory directory, RedisLink link, HeldChannels held, RegistrySettings settings,
                 ConnectionView connections, String address) {
        this.directory = directory;
        this.link = link;
        this.held = held;
        this.settings = settings;
        this.connections = connections;
        this.instanceId = connections.instanceId();
        this.address = address;
        this.member = new ChannelDirectory.Member(instanceId, RegistrySettings.hostAndPort(address));
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    String instanceId() {
        return instanceId;
    }

    String address() {
        return address;
    }

    /** Everything this instance holds is in Redis, as far as it knows. Never blocks. */
    boolean isHealthy() {
        return active && written && !dirty && link.isConnected();
    }

    /** Redis (re)connected or failed: write everything again as soon as possible. */
    void markDirty() {
        written = false;
        dirty = true;
        wake.release();
    }

    /**
     * Writes a channel's state (held here or not) to Redis after its first connection arrived or its last one left.
     * While Redis is known to be unreachable it does not wait for it: the next successful pass writes the channel.
     */
    void sync(String channelId) {
        ReentrantLock lock = stripes[Math.floorMod(channelId.hashCode(), STRIPES)];
        lock.lock();
        try {
            if (!active) {
                return;
            }
            if (dirty) {
                if (!held.holds(channelId)) {
                    pendingRemovals.add(channelId);
                }
                wake.release();
                return;
            }
            if (held.holds(channelId)) {
                directory.register(member, List.of(channelId), settings.channelTtl(), true);
            } else {
                directory.unregister(member, List.of(channelId));
            }
            pendingRemovals.remove(channelId);
        } catch (RedisException e) {
            if (!held.holds(channelId)) {
                pendingRemovals.add(channelId);
            }
            failureLog.warn("Could not update channel '" + printable(channelId) + "' in the registry on Redis "
                    + settings.redis().display() + ": " + RedisLink.describe(e) + "; it is written again once Redis answers");
            markDirty();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Heartbeats and refreshes until {@code cancel}; on a Redis failure, retries with jittered back-off and then writes
     * everything again. Never throws on a Redis failure.
     */
    void maintain(CancellationToken cancel) throws InterruptedException {
        cancel.onCancel(wake::release);
        long beatEvery = settings.instanceTtl().toNanos() / 3;
        long refreshEvery = settings.channelTtl().toNanos() / 3;
        long nextBeat = System.nanoTime();
        long nextRefresh = nextBeat;
        Backoff backoff = new Backoff(settings.redis().reconnectMaxDelay());
        boolean wasFailing = false;
        boolean beaten = false; // this run wrote its record once: a different started_at afterwards is another process
        while (!cancel.isCancelled()) {
            if (!link.isConnected()) {
                // the link reports its own connection attempts, and wakes this loop when it is connected again
                written = false;
                dirty = true;
                wake.tryAcquire(1, TimeUnit.SECONDS);
                wake.drainPermits();
                continue;
            }
            long now = System.nanoTime();
            boolean resync = dirty;
            try {
                if (resync || now - nextBeat >= 0) {
                    ChannelDirectory.Beat beat = directory.heartbeat(member, settings.instanceTtl(), address,
                            startedAtMillis, connections.connectionCount(), held.size());
                    if (beat.recordWasThere() && beaten && !beat.previousStartedAt().equals(Long.toString(startedAtMillis))) {
                        duplicateLog.warn("Another gateway process uses the instance id " + instanceId + " (its record in "
                                + "Redis was overwritten since the last heartbeat): their registrations mix up. Give "
                                + "every instance its own gateway.instance-id (INSTANCE_ID)");
                    }
                    beaten = true;
                    if (!beat.recordWasThere() && !resync) {
                        LOG.warning("Redis " + settings.redis().display() + " lost the registry record of instance "
                                + instanceId + " (restarted empty?); registering its " + held.size() + " channels again");
                        resync = true;
                    }
                    nextBeat = now + beatEvery;
                }
                if (resync || now - nextRefresh >= 0) {
                    dirty = false; // before the snapshot: a write failing from now on marks it again
                    refresh();
                    written = !dirty;
                    nextRefresh = now + refreshEvery;
                } else if (!pendingRemovals.isEmpty()) {
                    removePending();
                }
                if (wasFailing || resync) {
                    LOG.info("Instance " + instanceId + " (" + address + ") is registered in Redis "
                            + settings.redis().display() + " with " + held.size() + " channels");
                }
                wasFailing = false;
                backoff.reset();
            } catch (RedisException e) {
                written = false;
                dirty = true;
                wasFailing = true;
                failureLog.warn("Channel registry on Redis " + settings.redis().display() + " unavailable ("
                        + RedisLink.describe(e) + "); retrying, then registering this instance's channels again");
                cancel.await(backoff.next());
                continue;
            }
            long afterWork = System.nanoTime();
            long wait = Math.min(nextBeat - afterWork, nextRefresh - afterWork);
            if (wait > 0 && !dirty) {
                wake.tryAcquire(wait, TimeUnit.NANOSECONDS);
            }
            wake.drainPermits();
        }
    }

    /**
     * Stops writing to Redis. With {@code leave}, first removes this instance's memberships and record (a clean
     * shutdown); if Redis does not answer, they expire within {@code channel-ttl} and {@code instance-ttl}.
     */
    void stop(boolean leave) {
        Set<String> registered = new LinkedHashSet<>();
        for (ReentrantLock lock : stripes) {
            lock.lock();
        }
        try {
            active = false;
            registered.addAll(held.snapshot());
            registered.addAll(pendingRemovals);
        } finally {
            for (ReentrantLock lock : stripes) {
                lock.unlock();
            }
        }
        if (!leave) {
            return;
        }
        try {
            directory.unregister(member, registered);
            directory.goodbye(instanceId);
            LOG.info("Instance " + instanceId + " left the channel registry (" + registered.size() + " channels)");
        } catch (RedisException e) {
            LOG.warning("Could not remove instance " + instanceId + " from the channel registry (" + RedisLink.describe(e)
                    + "); its record expires within " + settings.instanceTtl().toMillis() + " ms and its "
                    + registered.size() + " channel memberships within " + settings.channelTtl().toMillis() + " ms");
        }
    }

    /** Every held channel written again, then the channels left meanwhile removed. */
    private void refresh() {
        List<String> channels = held.snapshot();
        directory.register(member, channels, settings.channelTtl(), false);
        for (String channel : channels) {
            if (!held.holds(channel)) {
                sync(channel); // its last connection left while the refresh wrote it
            }
        }
        removePending();
    }

    private void removePending() {
        for (String channel : List.copyOf(pendingRemovals)) {
            sync(channel);
        }
    }

    /** A channel id for a log line: control characters escaped, at most 100 characters. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), 110));
        for (int i = 0; i < text.length() && i < 100; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return text.length() > 100 ? out + "…" : out.toString();
    }
}
