package io.ssegateway.plugin.gcp;

import com.google.api.core.ApiService;
import com.google.api.gax.batching.FlowControlSettings;
import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.InstantiatingExecutorProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.AlreadyExistsException;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.api.gax.rpc.TransportChannelProvider;
import com.google.cloud.pubsub.v1.AckReplyConsumer;
import com.google.cloud.pubsub.v1.MessageReceiver;
import com.google.cloud.pubsub.v1.Subscriber;
import com.google.cloud.pubsub.v1.SubscriberShutdownSettings;
import com.google.cloud.pubsub.v1.SubscriptionAdminClient;
import com.google.cloud.pubsub.v1.SubscriptionAdminSettings;
import com.google.pubsub.v1.ExpirationPolicy;
import com.google.pubsub.v1.GetSubscriptionRequest;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.Subscription;
import com.google.pubsub.v1.SubscriptionName;
import com.google.pubsub.v1.TopicName;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ssegateway.kit.RateLimitedLog;
import io.ssegateway.spi.CancellationToken;
import io.ssegateway.spi.ConnectionView;
import io.ssegateway.spi.source.IfStorageFails;
import io.ssegateway.spi.source.IncomingMessage;
import io.ssegateway.spi.source.MessageHandler;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.storage.StorageException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Google Cloud Pub/Sub source ({@code gateway.source.type: gcp}): a streaming-pull {@link Subscriber} that hands
 * every message to the gateway and acknowledges it only once the gateway has stored and queued it.
 * <ul>
 *   <li>Invalid messages (the gateway throws {@link IllegalArgumentException}, having logged and counted them) are
 *       acknowledged: redelivering them would not make them valid.</li>
 *   <li>A message the storage could not take ({@link StorageException}) is handed back (nack) after
 *       {@code nack-delay}, so Pub/Sub redelivers it; the business id (attribute {@code id}, else the Pub/Sub message
 *       id) makes the storage keep it once however often it comes.</li>
 *   <li>Topic mode creates a subscription for this instance (message ordering on, expiring when unused) and deletes
 *       it on a clean stop; subscription mode reads an existing one.</li>
 *   <li>The Pub/Sub client reconnects a broken stream by itself; when the subscriber fails for good (subscription
 *       deleted, permission revoked) this source re-subscribes with exponential backoff (re-creating the
 *       subscription in topic mode). {@link #isAvailable()} is true while subscribed and connected.</li>
 * </ul>
 */
final class PubSubSource implements MessageSource {

    static final String GOOGLE_ENDPOINT = "pubsub.googleapis.com:443";

    private static final Logger LOG = Logger.getLogger(PubSubSource.class.getName());
    /** Pub/Sub's own limit for a streaming-pull response. */
    private static final int MAX_INBOUND_MESSAGE_BYTES = 20 * 1024 * 1024;
    /** What Google's client uses for the subscriber's channel; servers refuse more frequent pings. */
    private static final long KEEPALIVE_MINUTES = 5;
    private static final Duration ADMIN_CALL_TIMEOUT = Duration.ofSeconds(10);
    /** Starting a subscriber only sets up its streams; it does not wait for the network. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    // start() must return within a few seconds of cancellation (the gateway's shutdown grace): these bound the
    // clean-up even when Pub/Sub is unreachable; it usually takes well under 100 ms
    private static final Duration SUBSCRIBER_STOP_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration DELETE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration CHANNEL_CLOSE_TIMEOUT = Duration.ofMillis(300);
    /** A run that lasted this long resets the re-subscribe backoff. */
    private static final Duration STABLE_RUN = Duration.ofMinutes(1);

    private final GcpSourceSettings settings;
    private final CredentialsProvider credentials;
    private final LongAdder received = new LongAdder();
    private final LongAdder acknowledged = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder handedBack = new LongAdder();
    private final RateLimitedLog failureLog = new RateLimitedLog(LOG, Duration.ofSeconds(10));
    private volatile boolean subscribed;
    private final AtomicReference<Future<?>> adminCallInFlight = new AtomicReference<>();
    private volatile ChannelHealth health;

    PubSubSource(GcpSourceSettings settings, CredentialsProvider credentials) {
        this.settings = settings;
        this.credentials = credentials;
    }

    @Override
    public String name() {
        return "gcp";
    }

    /** Subscribed, and the channel to Pub/Sub is connected. */
    @Override
    public boolean isAvailable() {
        ChannelHealth current = health;
        return subscribed && current != null && current.connected();
    }

    GcpSourceSettings settings() {
        return settings;
    }

    @Override
    public void start(MessageHandler handler, ConnectionView connections, CancellationToken cancel) throws InterruptedException {
        LOG.info(() -> "Pub/Sub source: " + settings.describe());
        SubscriptionName subscription = settings.topicMode()
                ? SubscriptionNames.perInstance(settings.project(), settings.topic(), connections.instanceId())
                : settings.subscription();
        CompletableFuture<Void> cancelled = new CompletableFuture<>();
        cancel.onCancel(() -> {
            cancelled.complete(null);
            Future<?> call = adminCallInFlight.get();
            if (call != null) {
                call.cancel(true); // do not wait out an admin call's deadline on shutdown
            }
        });
        try (Connection connection = new Connection()) {
            health = connection.channelHealth;
            boolean ensured = false;
            try {
                Duration backoff = settings.restartBackoff();
                while (!cancel.isCancelled()) {
                    long startedAt = System.nanoTime();
                    Throwable failure;
                    try {
                        if (settings.topicMode()) {
                            ensureSubscription(connection.admin(), subscription, settings.topic(), cancel);
                            ensured = true;
                        }
                        failure = receive(connection, subscription, handler, cancelled);
                    } catch (IOException | ExecutionException | RuntimeException e) {
                        failure = e instanceof ExecutionException ? e.getCause() : e;
                    }
                    if (cancel.isCancelled()) {
                        break;
                    }
                    if (Duration.ofNanos(System.nanoTime() - startedAt).compareTo(STABLE_RUN) > 0) {
                        backoff = settings.restartBackoff();
                    }
                    long delay = backoff.toMillis() / 2 + ThreadLocalRandom.current().nextLong(backoff.toMillis() / 2 + 1);
                    LOG.log(Level.WARNING, "Pub/Sub subscription " + subscription + " failed: " + explain(failure)
                            + "; subscribing again in " + delay + " ms", LOG.isLoggable(Level.FINE) ? failure : null);
                    if (cancel.await(Duration.ofMillis(delay))) {
                        break;
                    }
                    backoff = backoff.multipliedBy(2).compareTo(settings.restartBackoffMax()) > 0
                            ? settings.restartBackoffMax() : backoff.multipliedBy(2);
                }
            } finally {
                subscribed = false;
                if (ensured && settings.deleteSubscriptionOnStop()) {
                    deleteSubscription(connection, subscription);
                }
            }
        } finally {
            health = null;
            LOG.info(() -> "Pub/Sub source stopped: " + received.sum() + " messages received, " + acknowledged.sum()
                    + " stored and acknowledged, " + dropped.sum() + " invalid (acknowledged and dropped), "
                    + handedBack.sum() + " handed back for redelivery");
        }
    }

    /** Runs one subscriber until it fails (returns why) or the source is cancelled (returns {@code null}). */
    private Throwable receive(Connection connection, SubscriptionName subscription, MessageHandler handler,
                              CompletableFuture<Void> cancelled) {
        CompletableFuture<Throwable> failed = new CompletableFuture<>();
        DelayedNacks nacks = new DelayedNacks(settings.nackDelay());
        Subscriber subscriber = Subscriber.newBuilder(subscription.toString(), new Receiver(handler, nacks))
                .setChannelProvider(connection.transport)
                .setCredentialsProvider(credentials)
                // the stream's ack deadline: how soon Pub/Sub redelivers what a vanished instance held
                .setMaxDurationPerAckExtensionDuration(settings.ackDeadline())
                .setFlowControlSettings(FlowControlSettings.newBuilder()
                        .setMaxOutstandingElementCount(settings.maxOutstandingMessages())
                        .setMaxOutstandingRequestBytes(settings.maxOutstandingBytes())
                        .build())
                .setExecutorProvider(InstantiatingExecutorProvider.newBuilder()
                        .setExecutorThreadCount(settings.handlerThreads())
                        .setThreadFactory(pluginThreads("gcp-pubsub-handler-"))
                        .build())
                .setSubscriberShutdownSettings(SubscriberShutdownSettings.newBuilder()
                        .setMode(SubscriberShutdownSettings.ShutdownMode.WAIT_FOR_PROCESSING)
                        .setTimeout(SUBSCRIBER_STOP_TIMEOUT)
                        .build())
                .build();
        subscriber.addListener(new ApiService.Listener() {
            @Override
            public void failed(ApiService.State from, Throwable failure) {
                failed.complete(failure);
            }
        }, Runnable::run);
        try {
            subscriber.startAsync().awaitRunning(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IllegalStateException | TimeoutException e) {
            nacks.flush();
            subscriber.stopAsync();
            return e.getCause() != null ? e.getCause() : e;
        }
        subscribed = true;
        LOG.info(() -> "Receiving messages from " + subscription);
        try {
            CompletableFuture.anyOf(cancelled, failed).join();
        } finally {
            subscribed = false;
        }
        // hand back the held messages now: the subscriber waits for every outstanding message when it stops
        nacks.flush();
        if (failed.isDone()) {
            return failed.join();
        }
        try {
            subscriber.stopAsync().awaitTerminated(SUBSCRIBER_STOP_TIMEOUT.toMillis() + 300, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warning("The Pub/Sub subscriber did not stop within " + SUBSCRIBER_STOP_TIMEOUT.toMillis()
                    + " ms; messages still in flight are redelivered after their ack deadline");
        } catch (IllegalStateException e) {
            LOG.log(Level.FINE, "The Pub/Sub subscriber failed while stopping", e);
        }
        return null;
    }

    /**
     * Creates this instance's subscription, or takes it over if a previous run of the same instance id left it.
     * Message ordering is on so that messages published with an ordering key arrive in order.
     */
    private void ensureSubscription(SubscriptionAdminClient admin, SubscriptionName name, TopicName topic,
                                    CancellationToken cancel) throws ExecutionException, InterruptedException {
        Duration expiration = settings.subscriptionExpiration();
        ExpirationPolicy expirationPolicy = expiration.isZero()
                ? ExpirationPolicy.getDefaultInstance() // set without a ttl: never expires
                : ExpirationPolicy.newBuilder()
                        .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(expiration.getSeconds()))
                        .build();
        Subscription wanted = Subscription.newBuilder()
                .setName(name.toString())
                .setTopic(topic.toString())
                .setEnableMessageOrdering(true)
                .setAckDeadlineSeconds((int) settings.ackDeadline().toSeconds())
                .setExpirationPolicy(expirationPolicy)
                .putLabels("managed-by", "sse-gateway")
                .build();
        try {
            adminCall(admin.createSubscriptionCallable().futureCall(wanted), cancel);
            LOG.info(() -> "Created subscription " + name + " on topic " + topic + " for this instance");
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof AlreadyExistsException)) {
                throw e;
            }
            Subscription existing = adminCall(admin.getSubscriptionCallable().futureCall(
                    GetSubscriptionRequest.newBuilder().setSubscription(name.toString()).build()), cancel);
            if (!existing.getTopic().equals(topic.toString())) {
                throw new IllegalStateException("subscription " + name + " already exists but reads topic "
                        + existing.getTopic() + ", not " + topic + ": give this instance another gateway.instance-id,"
                        + " or delete that subscription");
            }
            LOG.info(() -> "Using subscription " + name + ", left by an earlier run of this instance id");
        }
    }

    /** Waits for an admin call; cancelling the source cancels it. */
    private <T> T adminCall(Future<T> call, CancellationToken cancel) throws ExecutionException, InterruptedException {
        adminCallInFlight.set(call);
        try {
            if (cancel.isCancelled()) {
                call.cancel(true);
            }
            return call.get();
        } finally {
            adminCallInFlight.set(null);
        }
    }

    private static void deleteSubscription(Connection connection, SubscriptionName subscription) {
        try {
            connection.deleter().deleteSubscription(subscription);
            LOG.info(() -> "Deleted subscription " + subscription);
        } catch (IOException | RuntimeException e) {
            LOG.warning("Could not delete subscription " + subscription + " (" + e.getMessage()
                    + "); it is removed by Pub/Sub once its expiration policy runs out");
        }
    }

    /** A failure with the fix, when we know it. */
    String explain(Throwable failure) {
        if (failure == null) {
            return "the subscriber stopped";
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ApiException api) {
                // the gRPC status description reads better than the exception's message, which repeats class names
                Status grpc = Status.fromThrowable(api);
                String detail = grpc.getCode() != Status.Code.UNKNOWN && grpc.getDescription() != null
                        ? grpc.getDescription() : api.getMessage();
                String what = api.getStatusCode().getCode() + ": " + detail;
                return switch (api.getStatusCode().getCode()) {
                    case NOT_FOUND -> what + (settings.topicMode()
                            ? " (a missing subscription is created again; check that topic " + settings.topic() + " exists)"
                            : " (check that subscription " + settings.subscription() + " exists)");
                    case PERMISSION_DENIED -> what + " (the account needs roles/pubsub.subscriber"
                            + (settings.topicMode() ? ", and pubsub.subscriptions.create, get and delete on project "
                                    + settings.project() + " (roles/pubsub.editor) for topic mode" : "") + ")";
                    case UNAUTHENTICATED -> what + " (the credentials were refused: check credentials-file or"
                            + " Application Default Credentials)";
                    default -> what;
                };
            }
            String message = String.valueOf(cause.getMessage());
            if (message.contains("default credentials were not found")) {
                return "no Google credentials found: set gateway.source.gcp.credentials-file, or"
                        + " GOOGLE_APPLICATION_CREDENTIALS, or run where Application Default Credentials exist";
            }
        }
        return failure.toString();
    }

    /** Acknowledges a message once the gateway has it, drops invalid ones, hands back the ones it could not store. */
    private final class Receiver implements MessageReceiver {
        private final MessageHandler handler;
        private final DelayedNacks nacks;

        Receiver(MessageHandler handler, DelayedNacks nacks) {
            this.handler = handler;
            this.nacks = nacks;
        }

        @Override
        public void receiveMessage(PubsubMessage message, AckReplyConsumer consumer) {
            received.increment();
            IncomingMessage incoming = PubSubMessages.toIncoming(message);
            try {
                handler.handle(incoming, IfStorageFails.THROW);
            } catch (IllegalArgumentException invalid) {
                // the gateway logged and counted it; redelivery would not make it valid
                dropped.increment();
                consumer.ack();
                return;
            } catch (RuntimeException e) {
                handedBack.increment();
                String why = e instanceof StorageException ? "the storage failed: " + e.getMessage() : e.toString();
                failureLog.warn("Pub/Sub message " + message.getMessageId() + " not stored (" + why
                        + "); handing it back to Pub/Sub for redelivery in " + settings.nackDelay().toMillis() + " ms");
                nacks.nack(consumer);
                return;
            }
            acknowledged.increment();
            consumer.ack();
        }
    }

    /**
     * Hands messages back to Pub/Sub after a delay, so that a failing storage is retried at a calm pace even on a
     * subscription without a retry policy (a plain nack is redelivered at once).
     */
    private static final class DelayedNacks {
        private final Duration delay;
        private final ScheduledThreadPoolExecutor timer;

        DelayedNacks(Duration delay) {
            this.delay = delay;
            this.timer = delay.isZero() ? null : new ScheduledThreadPoolExecutor(1, pluginThreads("gcp-pubsub-nack-"));
        }

        void nack(AckReplyConsumer consumer) {
            if (timer == null) {
                consumer.nack();
                return;
            }
            try {
                timer.schedule(consumer::nack, delay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                consumer.nack();
            }
        }

        /** Nacks every held message now and stops the timer. */
        void flush() {
            if (timer != null) {
                timer.shutdownNow().forEach(Runnable::run);
            }
        }
    }

    /** The channel to Pub/Sub (or the emulator) with its health, and the admin client of topic mode. */
    private final class Connection implements AutoCloseable {
        final ManagedChannel channel;
        final ChannelHealth channelHealth;
        final TransportChannelProvider transport;
        private SubscriptionAdminClient admin;
        private SubscriptionAdminClient deleter;

        Connection() {
            String target = settings.emulatorEndpoint() != null ? settings.emulatorEndpoint() : GOOGLE_ENDPOINT;
            NettyChannelBuilder builder = NettyChannelBuilder.forTarget(target)
                    .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
                    .keepAliveTime(KEEPALIVE_MINUTES, TimeUnit.MINUTES)
                    .userAgent("sse-gateway");
            if (settings.emulatorEndpoint() != null) {
                builder.usePlaintext();
            }
            channel = builder.build();
            channelHealth = ChannelHealth.watch(channel, target);
            transport = FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel));
        }

        SubscriptionAdminClient admin() throws IOException {
            if (admin == null) {
                admin = adminClient(ADMIN_CALL_TIMEOUT);
            }
            return admin;
        }

        /** An admin client with a short deadline, for the clean-up on stop. */
        SubscriptionAdminClient deleter() throws IOException {
            if (deleter == null) {
                deleter = adminClient(DELETE_TIMEOUT);
            }
            return deleter;
        }

        private SubscriptionAdminClient adminClient(Duration timeout) throws IOException {
            SubscriptionAdminSettings.Builder builder = SubscriptionAdminSettings.newBuilder()
                    .setTransportChannelProvider(transport)
                    .setCredentialsProvider(credentials);
            builder.createSubscriptionSettings().setSimpleTimeoutNoRetriesDuration(timeout);
            builder.getSubscriptionSettings().setSimpleTimeoutNoRetriesDuration(timeout);
            builder.deleteSubscriptionSettings().setSimpleTimeoutNoRetriesDuration(timeout);
            return SubscriptionAdminClient.create(builder.build());
        }

        @Override
        public void close() throws InterruptedException {
            if (admin != null) {
                admin.close();
            }
            if (deleter != null) {
                deleter.close();
            }
            channel.shutdownNow();
            channel.awaitTermination(CHANNEL_CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Daemon threads that run plugin code with the plugin's class loader as context class loader. */
    private static ThreadFactory pluginThreads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        ClassLoader pluginLoader = PubSubSource.class.getClassLoader();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + counter.incrementAndGet());
            thread.setDaemon(true);
            thread.setContextClassLoader(pluginLoader);
            return thread;
        };
    }
}
