package io.ssegateway.bench;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.security.cert.X509Certificate;

/**
 * HTTP/2 scenarios, with the JDK's HTTP client (h2c by {@code Upgrade}): the load generator's own workers speak
 * HTTP/1.1 only.
 */
final class Http2Scenarios {

    private Http2Scenarios() {
    }

    /** {@code sse_connections} of {@code /metrics}, asked over {@code client} (plain or TLS alike). */
    private static long serverStreams(HttpClient client, String base) throws Exception {
        String body = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^sse_connections (\\d+)$").matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("/metrics without sse_connections");
        }
        return Long.parseLong(m.group(1));
    }

    /** A client TLS context that accepts any certificate: the bench measures the server, not its identity. */
    private static SSLContext trustAll() throws Exception {
        TrustManager[] all = {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }};
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, all, null);
        return context;
    }

    /**
     * N idle event streams over HTTP/2, {@code --streams-per-connection S} (default 100) on each connection: the
     * server's live heap (jcmd, after full collections) and RSS per stream, to set beside {@code idle}'s per
     * HTTP/1.1 connection. {@code --https}: over TLS (h2 by ALPN; the gateway's certificate is not checked).
     */
    static JsonLine idle(Bench bench) throws Exception {
        int n = bench.options.getInt("connections", 2_000);
        int perConnection = bench.options.getInt("streams-per-connection", 100);
        long settle = bench.options.getInt("settle", 5) * 1000L;
        boolean tls = bench.options.flag("https");
        String base = (tls ? "https://" : "http://") + bench.target.getHostString() + ":" + bench.target.getPort();
        List<HttpClient> clients = new ArrayList<>();
        List<InputStream> bodies = new ArrayList<>();
        try {
            long heapBefore = ProcStats.liveHeapKb(bench.serverPid);
            long before = bench.serverMemoryKb();
            long start = System.nanoTime();
            for (int opened = 0; opened < n; ) {
                HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2);
                if (tls) {
                    builder.sslContext(trustAll());
                }
                HttpClient client = builder.build();
                clients.add(client);
                // the first request upgrades the connection to h2c; the streams then share it
                HttpResponse<Void> upgrade = client.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (upgrade.version() != HttpClient.Version.HTTP_2) {
                    throw new IllegalStateException("the gateway did not upgrade to HTTP/2");
                }
                List<CompletableFuture<HttpResponse<InputStream>>> streams = new ArrayList<>();
                for (int s = 0; s < perConnection && opened < n; s++, opened++) {
                    streams.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base + "/sse/connect?channel_id=idle-h2-"
                            + bench.runId + "-" + opened)).timeout(Duration.ofSeconds(60)).build(),
                            HttpResponse.BodyHandlers.ofInputStream()));
                }
                for (CompletableFuture<HttpResponse<InputStream>> stream : streams) {
                    HttpResponse<InputStream> response = stream.join();
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("a stream was refused: " + response.statusCode());
                    }
                    bodies.add(response.body());
                }
            }
            double connectSeconds = (System.nanoTime() - start) / 1e9;
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (serverStreams(clients.getFirst(), base) < n && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            long serverStreams = serverStreams(clients.getFirst(), base);
            Thread.sleep(settle);
            long after = bench.serverMemoryKb();
            long heapAfter = ProcStats.liveHeapKb(bench.serverPid);
            Bench.log("opened " + serverStreams + " HTTP/2 streams on " + clients.size() + " connections in "
                    + String.format("%.1f", connectSeconds) + " s");
            return new JsonLine().put("scenario", tls ? "idle-h2-tls" : "idle-h2").put("streams", n).put("connections", clients.size())
                    .put("server_streams", serverStreams)
                    .put("server_rss_before_mb", before / 1024.0).put("server_rss_after_mb", after / 1024.0)
                    .put("rss_per_stream_kb", (after - before) / (double) n)
                    .put("live_heap_before_mb", heapBefore / 1024.0).put("live_heap_after_mb", heapAfter / 1024.0)
                    .put("live_heap_per_stream_kb", (heapAfter - heapBefore) / (double) n);
        } finally {
            clients.forEach(HttpClient::shutdownNow);
        }
    }
}
