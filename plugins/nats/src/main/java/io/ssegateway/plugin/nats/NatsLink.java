package io.ssegateway.plugin.nats;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.ErrorListener;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connection to NATS and the stream on it. Connects in the background and reconnects forever (every
 * {@code reconnect-wait}, jittered); after every (re)connection it makes sure the stream exists with the configured
 * subjects and limits, creating or updating it. {@link #isAvailable()} is true only while connected and the stream is
 * known to be there.
 */
final class NatsLink implements AutoCloseable {

    /** JetStream's "stream not found". */
    static final int STREAM_NOT_FOUND = 10059;

    private static final Logger LOG = Logger.getLogger(NatsLink.class.getName());

    private final NatsSettings settings;
    private final String role;
    private final List<Runnable> reconnectActions = new CopyOnWriteArrayList<>();
    private final List<Runnable> heartbeatActions = new CopyOnWriteArrayList<>();
    private final AtomicBoolean ensuring = new AtomicBoolean();
    private final AtomicBoolean down = new AtomicBoolean();
    private final Connection connection;
    private final JetStream jetStream;
    private final JetStreamManagement management;
    private volatile boolean streamReady;
    private volatile boolean closed;
    private volatile String lastProblem;
    /** Counts connection losses and reconnections: a subscription belongs to one epoch. */
    private final java.util.concurrent.atomic.AtomicLong epoch = new java.util.concurrent.atomic.AtomicLong();

    NatsLink(NatsSettings settings, String role) {
        this.settings = settings;
        this.role = role;
        Options options = new Options.Builder()
                .servers(settings.servers().toArray(String[]::new))
                .connectionName("sse-gateway " + role)
                .connectionTimeout(settings.timeout())
                .maxReconnects(-1)
                .reconnectWait(settings.reconnectWait())
                .reconnectJitter(Duration.ofMillis(Math.max(1, settings.reconnectWait().toMillis() / 2)))
                .pingInterval(Duration.ofSeconds(5))
                // publishing while disconnected fails at once instead of piling up in a buffer
                .reconnectBufferSize(0)
                .connectionListener(this::onConnectionEvent)
                .errorListener(new Errors())
                .build();
        try {
            this.connection = Nats.connectReconnectOnConnect(options);
        } catch (IOException e) {
            throw new IllegalStateException("could not set up the NATS connection to " + settings.display() + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to NATS", e);
        }
        JetStreamOptions jsOptions = JetStreamOptions.builder().requestTimeout(settings.timeout()).build();
        try {
            this.jetStream = connection.jetStream(jsOptions);
            this.management = connection.jetStreamManagement(jsOptions);
        } catch (IOException e) {
            throw new IllegalStateException("JetStream is not usable on " + settings.display() + ": " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + settings.timeout().multipliedBy(2).toNanos();
        while (isConnected() && !ensureStream() && System.nanoTime() < deadline) {
            pause(Duration.ofMillis(20));
        }
        if (!isConnected()) {
            LOG.warning("NATS " + settings.display() + " is not reachable yet (" + role + "); reporting unavailable "
                    + "(and /ready 503) until it is");
        }
    }

    NatsSettings settings() {
        return settings;
    }

    Connection connection() {
        return connection;
    }

    JetStream jetStream() {
        return jetStream;
    }

    JetStreamManagement management() {
        return management;
    }

    boolean isConnected() {
        return connection.getStatus() == Connection.Status.CONNECTED;
    }

    /** Connected, and the stream exists as configured. */
    boolean isAvailable() {
        return streamReady && isConnected();
    }

    /** Runs {@code action} after every reconnection, once the stream is there (on a thread of its own). */
    void onReconnect(Runnable action) {
        reconnectActions.add(action);
    }

    /**
     * Makes sure the stream exists with the configured subjects and limits: creates it, or updates the limits of an
     * existing one (its storage type and replicas stay as they are). Returns whether it is ready.
     */
    boolean ensureStream() {
        if (!ensuring.compareAndSet(false, true)) {
            return streamReady;
        }
        try {
            StreamInfo info = management.getStreamInfo(settings.stream());
            StreamConfiguration have = info.getConfiguration();
            if (!have.getSubjects().equals(List.of(settings.streamSubjects()))
                    || have.getMaxMsgsPerSubject() != settings.maxMsgsPerSubject()
                    || !Objects.equals(have.getMaxAge(), settings.maxAge())
                    || !Objects.equals(have.getDuplicateWindow(), settings.duplicateWindow())
                    || have.getAllowDirect() != directGets(have.getReplicas())) {
                management.updateStream(StreamConfiguration.builder(have)
                        .subjects(settings.streamSubjects())
                        .maxMessagesPerSubject(settings.maxMsgsPerSubject())
                        .maxAge(settings.maxAge())
                        .duplicateWindow(settings.duplicateWindow())
                        .allowDirect(directGets(have.getReplicas()))
                        .build());
                LOG.info("Updated the NATS stream " + settings.stream() + " to " + settings);
            }
            streamReady = true;
            lastProblem = null;
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == STREAM_NOT_FOUND) {
                streamReady = create();
            } else {
                streamReady = false;
                warnOnce("The NATS stream " + settings.stream() + " on " + settings.display() + " could not be checked: "
                        + e.getMessage() + " (" + role + " unavailable until it can)");
            }
        } catch (IOException | RuntimeException e) {
            streamReady = false;
            LOG.log(Level.FINE, "Could not check the NATS stream " + settings.stream() + " (" + role + ")", e);
        } finally {
            ensuring.set(false);
        }
        return streamReady;
    }

    /**
     * Whether replays read with direct gets: cheaper for the server than API requests (half the time per message,
     * measured), but any replica answers them, and a follower may not have the newest message yet — which would turn
     * a client's just-delivered id into a false gap. So only on a stream with one replica; with more, the leader
     * answers API gets.
     */
    static boolean directGets(int replicas) {
        return replicas == 1;
    }

    private boolean create() {
        try {
            management.addStream(StreamConfiguration.builder()
                    .name(settings.stream())
                    .subjects(settings.streamSubjects())
                    .storageType(settings.storageType())
                    .replicas(settings.replicas())
                    .maxMessagesPerSubject(settings.maxMsgsPerSubject())
                    .maxAge(settings.maxAge())
                    .duplicateWindow(settings.duplicateWindow())
                    .discardPolicy(DiscardPolicy.Old)
                    .allowDirect(directGets(settings.replicas()))
                    .build());
            LOG.info("Created the NATS stream: " + settings);
            lastProblem = null;
            return true;
        } catch (JetStreamApiException e) {
            warnOnce("Could not create the NATS stream " + settings.stream() + " on " + settings.display() + ": "
                    + e.getMessage() + (e.getApiErrorCode() == 10065 ? " (another stream already captures "
                    + settings.streamSubjects() + ": choose another " + settings.keyOf("subject-prefix") + ")" : "")
                    + "; trying again after every reconnection and every " + settings.reconnectWait().toMillis() + " ms");
            return false;
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "Could not create the NATS stream " + settings.stream(), e);
            return false;
        }
    }

    /** The current connection epoch; it changes whenever the connection is lost or made again. */
    long epoch() {
        return epoch.get();
    }

    private void onConnectionEvent(Connection conn, ConnectionListener.Events event) {
        // the first connection precedes every subscription (and its event may arrive after one was made)
        if (event == ConnectionListener.Events.RECONNECTED || event == ConnectionListener.Events.DISCONNECTED) {
            epoch.incrementAndGet();
        }
        switch (event) {
            case CONNECTED, RECONNECTED -> {
                if (closed) {
                    return;
                }
                down.set(false);
                LOG.info("NATS " + settings.display() + " " + event.name().toLowerCase(java.util.Locale.ROOT) + " (" + role + ")");
                Thread.ofVirtual().name("nats-stream-check").start(() -> {
                    Duration wait = Duration.ofMillis(100);
                    while (!closed && isConnected() && !ensureStream()) {
                        pause(wait);
                        wait = wait.multipliedBy(2).compareTo(settings.reconnectWait()) > 0 ? settings.reconnectWait() : wait.multipliedBy(2);
                    }
                    if (streamReady) {
                        reconnectActions.forEach(Runnable::run);
                    }
                });
            }
            case DISCONNECTED -> {
                // reported once per outage, not once per reconnection attempt
                if (!closed && down.compareAndSet(false, true)) {
                    LOG.warning("NATS " + settings.display() + " disconnected (" + role + "); reconnecting every ~"
                            + settings.reconnectWait().toMillis() + " ms");
                }
            }
            default -> {
            }
        }
    }

    /** A problem that repeats on every retry is logged as a WARNING once, then at FINE until another one comes. */
    private void warnOnce(String problem) {
        LOG.log(problem.equals(lastProblem) ? Level.FINE : Level.WARNING, problem);
        lastProblem = problem;
    }

    private static void pause(Duration wait) {
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Heartbeat alarms of subscriptions go to whoever registered for them; the rest is logged. */
    private final class Errors implements ErrorListener {
        @Override
        public void errorOccurred(Connection conn, String error) {
            LOG.fine("NATS error (" + role + "): " + error);
        }

        @Override
        public void exceptionOccurred(Connection conn, Exception exp) {
            LOG.log(Level.FINE, "NATS exception (" + role + ")", exp);
        }

        @Override
        public void heartbeatAlarm(Connection conn, JetStreamSubscription sub, long lastStreamSequence, long lastConsumerSequence) {
            LOG.fine("NATS heartbeat alarm (" + role + ") after stream sequence " + lastStreamSequence);
            heartbeatActions.forEach(Runnable::run);
        }
    }

    /** Runs {@code action} when a JetStream subscription on this connection misses its heartbeats. */
    void onHeartbeatAlarm(Runnable action) {
        heartbeatActions.add(action);
    }

    @Override
    public void close() {
        closed = true;
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
