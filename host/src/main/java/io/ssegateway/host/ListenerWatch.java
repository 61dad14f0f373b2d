package io.ssegateway.host;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * What Helidon 4.5's WebServer API does not report, read from its log: a listener that could not bind at start-up
 * ({@code start()} returns normally and logs "Failed to start listener"), and a listener whose accept loop ended
 * while the server runs (any accept error, {@code EMFILE} included, logs "…this server socket is terminating now" and
 * leaves the port closed while {@code isRunning()} stays true).
 * <p>
 * One JUL filter per Helidon logger serves every gateway of the JVM: a death is told to the gateway that owns the
 * listener thread that logged it; the listener threads of a server are those that appeared while it started, and
 * starts are serialized for that.
 */
final class ListenerWatch {

    static final String SERVER_LOGGER = "io.helidon.webserver.LoomServer";
    static final String LISTENER_LOGGER = "io.helidon.webserver.ServerListener";
    private static final String LISTENER_THREAD_PREFIX = "server-";
    private static final String LISTENER_THREAD_SUFFIX = "-listener";

    private static final List<ListenerWatch> WATCHES = new CopyOnWriteArrayList<>();
    // strong references: JUL forgets the configuration of loggers nobody holds
    private static final Logger SERVER = Logger.getLogger(SERVER_LOGGER);
    private static final Logger LISTENER = Logger.getLogger(LISTENER_LOGGER);
    private static boolean installed;
    /** The watch whose server is starting (starts are serialized under the class lock), or {@code null}. */
    private static volatile ListenerWatch starting;

    private final Consumer<Throwable> onDeath;
    private volatile Set<Long> listenerThreads = Set.of();
    private volatile Throwable startFailure;
    private volatile boolean armed;

    /** @param onDeath told (on the dying listener's thread: hand it off) why the listener stopped accepting */
    ListenerWatch(Consumer<Throwable> onDeath) {
        this.onDeath = onDeath;
    }

    /**
     * Runs {@code start} (which starts the server) and, from then on, watches the listeners it started.
     *
     * @return why a listener failed to start (what Helidon logged), or {@code null}
     */
    Throwable start(Runnable start) {
        synchronized (ListenerWatch.class) {
            install();
            Set<Long> before = listenerThreadIds();
            starting = this;
            try {
                start.run();
            } finally {
                starting = null;
            }
            Set<Long> ours = listenerThreadIds();
            ours.removeAll(before);
            listenerThreads = Set.copyOf(ours);
            armed = startFailure == null;
            WATCHES.add(this);
            return startFailure;
        }
    }

    /** From now on a listener that stops is expected (the gateway is stopping). */
    void disarm() {
        armed = false;
        WATCHES.remove(this);
    }

    private static void install() {
        if (installed) {
            return;
        }
        installed = true;
        for (Logger logger : new Logger[] {SERVER, LISTENER}) {
            // the records we act on are errors: make sure a quiet logging configuration does not swallow them
            if (!logger.isLoggable(Level.SEVERE)) {
                logger.setLevel(Level.SEVERE);
            }
            Filter previous = logger.getFilter();
            logger.setFilter(record -> observe(record) && (previous == null || previous.isLoggable(record)));
        }
    }

    /** @return whether the record is still logged (start failures are reported by the gateway instead) */
    private static boolean observe(LogRecord record) {
        String message = record.getMessage();
        if (message == null || record.getLevel().intValue() < Level.SEVERE.intValue()) {
            return true;
        }
        ListenerWatch whoStarts = starting;
        if (whoStarts != null && SERVER_LOGGER.equals(record.getLoggerName())
                && (message.startsWith("Failed to start listener") || message.contains("failed to start"))) {
            if (message.startsWith("Failed to start listener") && whoStarts.startFailure == null) {
                whoStarts.startFailure = rootCause(record.getThrown());
            }
            return false;
        }
        if (LISTENER_LOGGER.equals(record.getLoggerName()) && message.contains("terminating now")) {
            for (ListenerWatch watch : WATCHES) {
                if (watch.armed && watch.listenerThreads.contains(record.getLongThreadID())) {
                    watch.armed = false;
                    watch.onDeath.accept(rootCause(record.getThrown()));
                }
            }
        }
        return true;
    }

    /** The ids of Helidon's listener threads ({@code server-<socket>-listener}) alive now. */
    private static Set<Long> listenerThreadIds() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith(LISTENER_THREAD_PREFIX)
                        && thread.getName().endsWith(LISTENER_THREAD_SUFFIX))
                .map(Thread::threadId)
                .collect(Collectors.toSet());
    }

    private static Throwable rootCause(Throwable thrown) {
        if (thrown == null) {
            return null;
        }
        Throwable cause = thrown;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }
}
