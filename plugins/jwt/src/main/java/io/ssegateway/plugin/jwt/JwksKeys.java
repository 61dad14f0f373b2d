package io.ssegateway.plugin.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.ResourceRetriever;
import io.ssegateway.kit.RateLimitedLog;
import java.io.IOException;
import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * The keys of a JWKS URL (an identity provider's {@code jwks_uri}), cached. The first fetch starts in the background
 * when the authenticator is created (start-up never waits for the network); until a fetch succeeds the source is not
 * {@linkplain #isAvailable() available} ({@code /ready} says so) and tokens are answered 503. The cache is refreshed
 * in the background once older than {@code jwks-refresh}; a token whose {@code kid} is unknown triggers a fetch at
 * once (key rotation), at most one per {@code jwks-refetch-min-interval} whatever the number of such tokens, so
 * forged key ids cannot hammer the provider. When the provider is unreachable, the last keys keep being used.
 */
final class JwksKeys implements KeySource {

    private static final Logger LOG = Logger.getLogger(JwksKeys.class.getName());
    /** The largest JWKS document read. */
    private static final int MAX_BYTES = 512 * 1024;

    /** A fetched key set. */
    private record Loaded(List<VerificationKey> keys, long fetchedAtNanos) {
    }

    private final URI url;
    private final long refreshNanos;
    private final long minRefetchNanos;
    private final ResourceRetriever retriever;
    private final ReentrantLock fetching = new ReentrantLock();
    private final AtomicBoolean backgroundFetch = new AtomicBoolean();
    private final RateLimitedLog failureLog = new RateLimitedLog(LOG);
    private volatile Loaded loaded;
    private volatile boolean attempted;
    private volatile long lastAttemptNanos;

    JwksKeys(URI url, Duration refresh, Duration minRefetch, Duration timeout) {
        this.url = url;
        this.refreshNanos = refresh.toNanos();
        this.minRefetchNanos = minRefetch.toNanos();
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        this.retriever = new DefaultResourceRetriever(timeoutMillis, timeoutMillis, MAX_BYTES);
        if (!"https".equalsIgnoreCase(url.getScheme()) && !isLoopback(url.getHost())) {
            LOG.warning("The JWKS URL " + url + " is not https: anyone on the path can replace the keys");
        }
        fetchInBackground();
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
    }

    @Override
    public List<VerificationKey> keysFor(JWSAlgorithm alg, String kid) throws KeysUnavailableException {
        Loaded current = loaded;
        if (current == null) {
            current = fetch();
            if (current == null) {
                throw new KeysUnavailableException("no key could be loaded from the JWKS at " + url + " yet");
            }
        } else if (System.nanoTime() - current.fetchedAtNanos > refreshNanos) {
            fetchInBackground();
        }
        List<VerificationKey> fitting = fitting(current, alg, kid);
        if (fitting.isEmpty() && kid != null && current.keys.stream().noneMatch(key -> kid.equals(key.jwk().getKeyID()))) {
            // an unknown key id: the provider may have rotated its keys
            Loaded again = fetch();
            if (again != null) {
                fitting = fitting(again, alg, kid);
            }
        }
        return fitting;
    }

    private static List<VerificationKey> fitting(Loaded loaded, JWSAlgorithm alg, String kid) {
        return loaded.keys.stream().filter(key -> key.fits(alg, kid)).toList();
    }

    @Override
    public boolean isAvailable() {
        if (loaded == null) {
            fetchInBackground();
            return false;
        }
        return true;
    }

    private void fetchInBackground() {
        if (backgroundFetch.compareAndSet(false, true)) {
            Thread.ofVirtual().name("jwks-fetch").start(() -> {
                try {
                    fetch();
                } finally {
                    backgroundFetch.set(false);
                }
            });
        }
    }

    /**
     * Fetches the key set unless another caller did while this one waited, or the last attempt was less than
     * {@code jwks-refetch-min-interval} ago. Returns what is loaded afterwards ({@code null} if nothing ever was).
     */
    private Loaded fetch() {
        long askedAt = System.nanoTime();
        fetching.lock();
        try {
            Loaded current = loaded;
            if (current != null && current.fetchedAtNanos - askedAt >= 0) {
                return current;
            }
            long now = System.nanoTime();
            if (attempted && now - lastAttemptNanos < minRefetchNanos) {
                return current;
            }
            attempted = true;
            lastAttemptNanos = now;
            List<VerificationKey> keys;
            try {
                keys = usableKeys(JWKSet.parse(retriever.retrieveResource(url.toURL()).getContent()));
            } catch (IOException | ParseException | RuntimeException e) {
                failureLog.warn("Could not load the JWKS from " + url + (current == null ? "" : " (using the keys"
                        + " loaded before)") + ": " + e);
                return current;
            }
            if (keys.isEmpty()) {
                failureLog.warn("The JWKS at " + url + " holds no usable signing key (RSA, EC or Ed25519 public keys"
                        + " with use \"sig\" or none)");
                return current;
            }
            Loaded fresh = new Loaded(keys, System.nanoTime());
            loaded = fresh;
            if (current == null) {
                LOG.info("Loaded " + keys.size() + " key(s) from the JWKS at " + url);
            } else {
                LOG.fine(() -> "Refreshed the JWKS from " + url + ": " + keys.size() + " key(s)");
            }
            return fresh;
        } finally {
            fetching.unlock();
        }
    }

    private static List<VerificationKey> usableKeys(JWKSet set) {
        List<VerificationKey> keys = new ArrayList<>();
        for (JWK jwk : set.getKeys()) {
            try {
                JWK publicJwk = jwk.toPublicJWK();
                // a shared secret has no business in a published key set
                VerificationKey key = publicJwk == null ? null : VerificationKey.of(publicJwk);
                if (key != null) {
                    keys.add(key);
                }
            } catch (JOSEException e) {
                LOG.fine(() -> "Skipping an unusable JWKS key " + jwk.getKeyID() + ": " + e.getMessage());
            }
        }
        return keys;
    }
}
