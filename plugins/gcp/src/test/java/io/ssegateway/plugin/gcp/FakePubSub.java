package io.ssegateway.plugin.gcp;

import com.google.protobuf.Empty;
import com.google.protobuf.Timestamp;
import com.google.pubsub.v1.AcknowledgeRequest;
import com.google.pubsub.v1.DeleteSubscriptionRequest;
import com.google.pubsub.v1.GetSubscriptionRequest;
import com.google.pubsub.v1.GetTopicRequest;
import com.google.pubsub.v1.ModifyAckDeadlineRequest;
import com.google.pubsub.v1.PublishRequest;
import com.google.pubsub.v1.PublishResponse;
import com.google.pubsub.v1.PublisherGrpc;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.ReceivedMessage;
import com.google.pubsub.v1.StreamingPullRequest;
import com.google.pubsub.v1.StreamingPullResponse;
import com.google.pubsub.v1.SubscriberGrpc;
import com.google.pubsub.v1.Subscription;
import com.google.pubsub.v1.Topic;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A Google Cloud Pub/Sub server for tests: the Publisher and Subscriber gRPC services ({@code CreateTopic},
 * {@code GetTopic}, {@code Publish}, {@code CreateSubscription}, {@code GetSubscription}, {@code DeleteSubscription},
 * {@code StreamingPull}, {@code Acknowledge}, {@code ModifyAckDeadline}) on a real Netty gRPC server on a free
 * loopback port, speaking to the real Google client libraries.
 * <p>
 * What it honours: every subscription of a topic gets every message (fan-out); a message is leased to one stream
 * at a time and comes back when it is nacked (deadline 0) or its lease expires; acks remove it for good; the
 * {@code max_outstanding_messages} of a stream; ordering keys on subscriptions with message ordering (a key's messages go to
 * one stream in order, and a redelivery brings back the key's later messages too); keep-alive pings (answered with an empty response).
 * What tests can do to it: break every streaming pull, stop and restart the server on the same port (state kept),
 * deliver every message twice, and read per-message counters. One lock guards all state; responses are small.
 */
final class FakePubSub implements PubSubBackend {

    /** What happened to one message id, summed over every subscription. */
    record Counts(int deliveries, int acks, int nacks, int expirations) {
    }

    private final Object lock = new Object();
    private final Map<String, Topic> topics = new HashMap<>();
    private final Map<String, Sub> subscriptions = new HashMap<>();
    private final Map<String, Lease> leases = new HashMap<>();
    private final Map<String, int[]> counts = new HashMap<>();
    private final List<StreamingPullRequest> initialRequests = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "fake-pubsub-leases");
        thread.setDaemon(true);
        return thread;
    });
    private long nextMessageId = 1000;
    private long nextAckId = 1;
    private long nextSequence = 1;
    private int streamsOpened;
    private boolean duplicateDeliveries;
    private Server server;
    private int port;

    private FakePubSub() {
        timer.scheduleWithFixedDelay(this::expireLeases, 50, 50, TimeUnit.MILLISECONDS);
    }

    /** A running fake on a free loopback port. */
    static FakePubSub start() throws IOException {
        FakePubSub fake = new FakePubSub();
        fake.startServer();
        return fake;
    }

    @Override
    public String endpoint() {
        return "127.0.0.1:" + port;
    }

    @Override
    public String toString() {
        return "fake Pub/Sub at " + endpoint();
    }

    /** Starts (or restarts, on the same port) the gRPC server; topics, subscriptions and messages are kept. */
    void startServer() throws IOException {
        Server started = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(new PublisherService())
                .addService(new SubscriberService())
                .build()
                .start();
        synchronized (lock) {
            server = started;
            port = started.getPort();
        }
    }

    /** Stops the server as an outage would: connections drop, streams end; state is kept for {@link #startServer}. */
    void stopServer() throws InterruptedException {
        Server running;
        synchronized (lock) {
            running = server;
            server = null;
            subscriptions.values().forEach(sub -> sub.streams.forEach(stream -> stream.closed = true));
            subscriptions.values().forEach(sub -> sub.streams.clear());
        }
        if (running != null) {
            running.shutdownNow();
            running.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopServer();
        timer.shutdownNow();
    }

    /** Ends every open streaming pull with {@code status}, as a server restart or a load balancer would. */
    void breakStreams(Status status) {
        synchronized (lock) {
            for (Sub sub : subscriptions.values()) {
                for (Stream stream : List.copyOf(sub.streams)) {
                    stream.fail(status);
                }
            }
        }
    }

    /** Hands every message published from now on out twice, as Pub/Sub's at-least-once delivery may. */
    void deliverEveryMessageTwice(boolean twice) {
        synchronized (lock) {
            duplicateDeliveries = twice;
        }
    }

    Counts counts(String messageId) {
        synchronized (lock) {
            int[] c = counts.getOrDefault(messageId, new int[4]);
            return new Counts(c[0], c[1], c[2], c[3]);
        }
    }

    /** Streaming pulls opened since the fake started (every reconnect opens one). */
    int streamsOpened() {
        synchronized (lock) {
            return streamsOpened;
        }
    }

    /** Streaming pulls open now on {@code subscription} (a full name). */
    int openStreams(String subscription) {
        synchronized (lock) {
            Sub sub = subscriptions.get(subscription);
            return sub == null ? 0 : sub.streams.size();
        }
    }

    /** The first request of every streaming pull so far (what the client asked for: flow control, deadline). */
    List<StreamingPullRequest> initialRequests() {
        synchronized (lock) {
            return List.copyOf(initialRequests);
        }
    }

    Optional<Subscription> subscription(String name) {
        synchronized (lock) {
            return Optional.ofNullable(subscriptions.get(name)).map(sub -> sub.config);
        }
    }

    // ---------------------------------------------------------------------------------------------- the state

    private static final class Sub {
        final Subscription config;
        final TreeMap<Long, Pending> ready = new TreeMap<>();
        final List<Stream> streams = new ArrayList<>();
        int roundRobin;

        Sub(Subscription config) {
            this.config = config;
        }

        boolean ordered() {
            return config.getEnableMessageOrdering();
        }
    }

    private record Pending(long sequence, PubsubMessage message) {
    }

    private static final class Lease {
        final String ackId;
        final Pending pending;
        final Sub sub;
        final Stream stream;
        long deadlineNanos;

        Lease(String ackId, Pending pending, Sub sub, Stream stream, long deadlineNanos) {
            this.ackId = ackId;
            this.pending = pending;
            this.sub = sub;
            this.stream = stream;
            this.deadlineNanos = deadlineNanos;
        }
    }

    private int[] countsOf(String messageId) {
        return counts.computeIfAbsent(messageId, id -> new int[4]);
    }

    /**
     * Leases whatever can go out now to the streams of {@code sub}, oldest first. On a subscription with message
     * ordering, the messages of one key go to the stream that already holds that key's unacknowledged ones (and
     * wait while it is full), so they reach one client in order. Holds the lock.
     */
    private void pump(Sub sub) {
        if (sub.streams.isEmpty() || sub.ready.isEmpty()) {
            return;
        }
        Map<String, Stream> keyStreams = new HashMap<>();
        if (sub.ordered()) {
            for (Lease lease : leases.values()) {
                if (lease.sub == sub && !lease.pending.message().getOrderingKey().isEmpty() && !lease.stream.closed) {
                    keyStreams.put(lease.pending.message().getOrderingKey(), lease.stream);
                }
            }
        }
        Set<String> waitingKeys = new HashSet<>();
        Map<Stream, StreamingPullResponse.Builder> batches = new LinkedHashMap<>();
        for (Iterator<Pending> it = sub.ready.values().iterator(); it.hasNext(); ) {
            Pending pending = it.next();
            String key = sub.ordered() ? pending.message().getOrderingKey() : "";
            if (!key.isEmpty() && waitingKeys.contains(key)) {
                continue; // an earlier message of this key could not go out yet
            }
            Stream stream = key.isEmpty() || !keyStreams.containsKey(key) ? nextStreamWithRoom(sub) : keyStreams.get(key);
            if (stream == null || !stream.hasRoom()) {
                if (!key.isEmpty()) {
                    waitingKeys.add(key);
                }
                continue;
            }
            it.remove();
            if (!key.isEmpty()) {
                keyStreams.put(key, stream);
            }
            String ackId = "ack-" + nextAckId++;
            leases.put(ackId, new Lease(ackId, pending, sub, stream,
                    System.nanoTime() + TimeUnit.SECONDS.toNanos(stream.ackDeadlineSeconds)));
            stream.outstanding++;
            countsOf(pending.message().getMessageId())[0]++;
            batches.computeIfAbsent(stream, s -> response(sub))
                    .addReceivedMessages(ReceivedMessage.newBuilder().setAckId(ackId).setMessage(pending.message()));
        }
        batches.forEach((stream, response) -> stream.send(response.build()));
    }

    private Stream nextStreamWithRoom(Sub sub) {
        for (int i = 0; i < sub.streams.size(); i++) {
            Stream stream = sub.streams.get((sub.roundRobin + i) % sub.streams.size());
            if (stream.hasRoom()) {
                sub.roundRobin = (sub.roundRobin + i + 1) % sub.streams.size();
                return stream;
            }
        }
        return null;
    }

    private static StreamingPullResponse.Builder response(Sub sub) {
        return StreamingPullResponse.newBuilder().setSubscriptionProperties(
                StreamingPullResponse.SubscriptionProperties.newBuilder().setMessageOrderingEnabled(sub.ordered()));
    }

    /**
     * Ends a lease; {@code redeliver} puts the message back in line, and on an ordered subscription the later
     * unacknowledged messages of its key too (as Pub/Sub does, so that the key is redelivered in order). Holds the lock.
     */
    private Lease endLease(String ackId, boolean redeliver) {
        Lease lease = leases.remove(ackId);
        if (lease == null) {
            return null;
        }
        lease.stream.outstanding--;
        if (redeliver && subscriptions.get(lease.sub.config.getName()) == lease.sub) {
            lease.sub.ready.put(lease.pending.sequence(), lease.pending);
            String key = lease.pending.message().getOrderingKey();
            if (lease.sub.ordered() && !key.isEmpty()) {
                for (Lease later : List.copyOf(leases.values())) {
                    if (later.sub == lease.sub && key.equals(later.pending.message().getOrderingKey())
                            && later.pending.sequence() > lease.pending.sequence()) {
                        leases.remove(later.ackId);
                        later.stream.outstanding--;
                        lease.sub.ready.put(later.pending.sequence(), later.pending);
                    }
                }
            }
        }
        return lease;
    }

    private void ack(List<String> ackIds) {
        Set<Sub> touched = new LinkedHashSet<>();
        for (String ackId : ackIds) {
            Lease lease = endLease(ackId, false);
            if (lease != null) {
                countsOf(lease.pending.message().getMessageId())[1]++;
                touched.add(lease.sub);
            }
        }
        touched.forEach(this::pump);
    }

    private void modifyDeadlines(List<String> ackIds, List<Integer> seconds) {
        Set<Sub> touched = new LinkedHashSet<>();
        for (int i = 0; i < ackIds.size(); i++) {
            String ackId = ackIds.get(i);
            int deadline = seconds.get(i);
            if (deadline == 0) {
                Lease lease = endLease(ackId, true);
                if (lease != null) {
                    countsOf(lease.pending.message().getMessageId())[2]++;
                    touched.add(lease.sub);
                }
            } else {
                Lease lease = leases.get(ackId);
                if (lease != null) {
                    lease.deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(deadline);
                }
            }
        }
        touched.forEach(this::pump);
    }

    private void expireLeases() {
        synchronized (lock) {
            long now = System.nanoTime();
            Set<Sub> touched = new LinkedHashSet<>();
            for (Lease lease : List.copyOf(leases.values())) {
                if (now - lease.deadlineNanos > 0) {
                    endLease(lease.ackId, true);
                    countsOf(lease.pending.message().getMessageId())[3]++;
                    touched.add(lease.sub);
                }
            }
            touched.forEach(this::pump);
        }
    }

    private void removeSubscription(Sub sub, Status streamStatus) {
        subscriptions.remove(sub.config.getName());
        for (Stream stream : List.copyOf(sub.streams)) {
            stream.fail(streamStatus);
        }
        leases.values().removeIf(lease -> lease.sub == sub);
    }

    private static Status notFound(String what) {
        return Status.NOT_FOUND.withDescription("Resource not found (resource=" + what + ").");
    }

    // ------------------------------------------------------------------------------------------- the services

    private final class PublisherService extends PublisherGrpc.PublisherImplBase {
        @Override
        public void createTopic(Topic request, StreamObserver<Topic> response) {
            synchronized (lock) {
                if (topics.containsKey(request.getName())) {
                    response.onError(Status.ALREADY_EXISTS.withDescription("Topic already exists").asRuntimeException());
                    return;
                }
                topics.put(request.getName(), request);
            }
            response.onNext(request);
            response.onCompleted();
        }

        @Override
        public void getTopic(GetTopicRequest request, StreamObserver<Topic> response) {
            Topic topic;
            synchronized (lock) {
                topic = topics.get(request.getTopic());
            }
            if (topic == null) {
                response.onError(notFound(request.getTopic()).asRuntimeException());
                return;
            }
            response.onNext(topic);
            response.onCompleted();
        }

        @Override
        public void publish(PublishRequest request, StreamObserver<PublishResponse> response) {
            PublishResponse.Builder ids = PublishResponse.newBuilder();
            synchronized (lock) {
                if (!topics.containsKey(request.getTopic())) {
                    response.onError(notFound(request.getTopic()).asRuntimeException());
                    return;
                }
                Instant now = Instant.now();
                List<Sub> targets = subscriptions.values().stream()
                        .filter(sub -> sub.config.getTopic().equals(request.getTopic()))
                        .toList();
                for (PubsubMessage message : request.getMessagesList()) {
                    String id = Long.toString(nextMessageId++);
                    PubsubMessage stored = message.toBuilder()
                            .setMessageId(id)
                            .setPublishTime(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
                            .build();
                    for (int copy = duplicateDeliveries ? 2 : 1; copy > 0; copy--) {
                        long sequence = nextSequence++;
                        targets.forEach(sub -> sub.ready.put(sequence, new Pending(sequence, stored)));
                    }
                    ids.addMessageIds(id);
                }
                targets.forEach(FakePubSub.this::pump);
            }
            response.onNext(ids.build());
            response.onCompleted();
        }
    }

    private final class SubscriberService extends SubscriberGrpc.SubscriberImplBase {
        @Override
        public void createSubscription(Subscription request, StreamObserver<Subscription> response) {
            Subscription created;
            synchronized (lock) {
                if (!topics.containsKey(request.getTopic())) {
                    response.onError(notFound(request.getTopic()).asRuntimeException());
                    return;
                }
                if (subscriptions.containsKey(request.getName())) {
                    response.onError(Status.ALREADY_EXISTS.withDescription("Subscription already exists").asRuntimeException());
                    return;
                }
                created = request.getAckDeadlineSeconds() == 0 ? request.toBuilder().setAckDeadlineSeconds(10).build() : request;
                subscriptions.put(created.getName(), new Sub(created));
            }
            response.onNext(created);
            response.onCompleted();
        }

        @Override
        public void getSubscription(GetSubscriptionRequest request, StreamObserver<Subscription> response) {
            Optional<Subscription> found = subscription(request.getSubscription());
            if (found.isEmpty()) {
                response.onError(notFound(request.getSubscription()).asRuntimeException());
                return;
            }
            response.onNext(found.get());
            response.onCompleted();
        }

        @Override
        public void deleteSubscription(DeleteSubscriptionRequest request, StreamObserver<Empty> response) {
            synchronized (lock) {
                Sub sub = subscriptions.get(request.getSubscription());
                if (sub == null) {
                    response.onError(notFound(request.getSubscription()).asRuntimeException());
                    return;
                }
                removeSubscription(sub, notFound(request.getSubscription()));
            }
            response.onNext(Empty.getDefaultInstance());
            response.onCompleted();
        }

        @Override
        public void acknowledge(AcknowledgeRequest request, StreamObserver<Empty> response) {
            synchronized (lock) {
                ack(request.getAckIdsList());
            }
            response.onNext(Empty.getDefaultInstance());
            response.onCompleted();
        }

        @Override
        public void modifyAckDeadline(ModifyAckDeadlineRequest request, StreamObserver<Empty> response) {
            synchronized (lock) {
                List<Integer> seconds = request.getAckIdsList().stream().map(id -> request.getAckDeadlineSeconds()).toList();
                modifyDeadlines(request.getAckIdsList(), seconds);
            }
            response.onNext(Empty.getDefaultInstance());
            response.onCompleted();
        }

        @Override
        public StreamObserver<StreamingPullRequest> streamingPull(StreamObserver<StreamingPullResponse> response) {
            return new Stream((ServerCallStreamObserver<StreamingPullResponse>) response);
        }
    }

    /** One streaming pull: the client's requests come in here, leased messages go out through {@code out}. */
    private final class Stream implements StreamObserver<StreamingPullRequest> {
        final ServerCallStreamObserver<StreamingPullResponse> out;
        Sub sub;
        int ackDeadlineSeconds = 10;
        long maxOutstanding;
        int outstanding;
        boolean closed;

        Stream(ServerCallStreamObserver<StreamingPullResponse> out) {
            this.out = out;
            out.setOnCancelHandler(() -> {
                synchronized (lock) {
                    detach();
                }
            });
        }

        @Override
        public void onNext(StreamingPullRequest request) {
            synchronized (lock) {
                if (closed) {
                    return;
                }
                if (sub == null) {
                    open(request);
                    return;
                }
                if (request.getStreamAckDeadlineSeconds() > 0) {
                    ackDeadlineSeconds = request.getStreamAckDeadlineSeconds();
                }
                boolean ping = request.getAckIdsCount() == 0 && request.getModifyDeadlineAckIdsCount() == 0;
                ack(request.getAckIdsList());
                modifyDeadlines(request.getModifyDeadlineAckIdsList(), request.getModifyDeadlineSecondsList());
                if (ping) {
                    send(response(sub).build()); // the server's answer to a keep-alive ping
                }
            }
        }

        private void open(StreamingPullRequest request) {
            Sub target = subscriptions.get(request.getSubscription());
            if (target == null) {
                fail(notFound(request.getSubscription()));
                return;
            }
            sub = target;
            ackDeadlineSeconds = Math.max(10, request.getStreamAckDeadlineSeconds());
            maxOutstanding = request.getMaxOutstandingMessages();
            initialRequests.add(request);
            streamsOpened++;
            sub.streams.add(this);
            pump(sub);
        }

        boolean hasRoom() {
            return !closed && (maxOutstanding <= 0 || outstanding < maxOutstanding);
        }

        void send(StreamingPullResponse response) {
            if (closed) {
                return;
            }
            try {
                out.onNext(response);
            } catch (RuntimeException e) {
                detach(); // the client went away; its leases expire and come back
            }
        }

        void fail(Status status) {
            if (closed) {
                return;
            }
            detach();
            try {
                out.onError(status.asRuntimeException());
            } catch (RuntimeException ignored) {
                // already cancelled by the client
            }
        }

        private void detach() {
            closed = true;
            if (sub != null) {
                sub.streams.remove(this);
            }
        }

        @Override
        public void onError(Throwable t) {
            synchronized (lock) {
                detach();
            }
        }

        @Override
        public void onCompleted() {
            synchronized (lock) {
                if (closed) {
                    return;
                }
                detach();
            }
            out.onCompleted();
        }
    }
}
