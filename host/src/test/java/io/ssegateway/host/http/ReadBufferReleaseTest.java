package io.ssegateway.host.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PlainSocket;
import io.helidon.common.socket.TlsSocket;
import io.ssegateway.host.testkit.SelfSignedCertificate;
import io.ssegateway.host.testkit.SseClient;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An HTTP/1.1 event stream waiting for its client gives its connection's 8 KiB read buffer back (the socket reads
 * into one shared buffer), and still notices the client leaving at once — on the plain and on the TLS socket, the two
 * kinds Helidon's blocking listener makes. Real loopback connections wrapped the way Helidon wraps them.
 */
class ReadBufferReleaseTest {

    /** Far above the typical notice (milliseconds). */
    private static final Duration NOTICE_BOUND = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    private ServerSocketChannel listener;

    @BeforeEach
    void listen() throws Exception {
        listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void close() throws Exception {
        listener.close();
    }

    @Test
    void theShippedHelidonPassesTheStartUpSelfCheck() {
        assertTrue(ReadBufferRelease.available(), "the gateway would keep 8 KiB per event stream");
    }

    @Test
    void aPlainStreamReadsIntoTheSharedBufferAndNoticesAClientThatCloses() throws Exception {
        try (Socket client = connect()) {
            HelidonSocket server = PlainSocket.server(accept().socket(), "test", "test");
            awaitReleasedThenGone(server, client, false);
        }
    }

    @Test
    void aPlainStreamReadsIntoTheSharedBufferAndNoticesAClientThatResets() throws Exception {
        try (Socket client = connect()) {
            HelidonSocket server = PlainSocket.server(accept().socket(), "test", "test");
            awaitReleasedThenGone(server, client, true);
        }
    }

    @Test
    void aTlsStreamReadsIntoTheSharedBufferAndNoticesAClientThatCloses() throws Exception {
        SelfSignedCertificate certificate = SelfSignedCertificate.create(dir, "p12");
        try (Socket tcp = connect()) {
            SocketChannel accepted = accept();
            SSLSocket serverTls = (SSLSocket) serverContext(certificate).getSocketFactory()
                    .createSocket(accepted.socket(), null, accepted.socket().getPort(), true);
            serverTls.setUseClientMode(false);
            SSLSocket clientTls = (SSLSocket) certificate.sslContext().getSocketFactory()
                    .createSocket(tcp, "127.0.0.1", tcp.getPort(), true);
            Thread handshake = Thread.ofVirtual().start(() -> {
                try {
                    clientTls.startHandshake();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            serverTls.startHandshake();
            assertTrue(handshake.join(Duration.ofSeconds(20)), "TLS handshake did not finish");
            awaitReleasedThenGone(TlsSocket.server(serverTls, "test", "test"), clientTls, false);
        }
    }

    /**
     * The stream's request thread waits for the client; meanwhile its socket reads into the shared buffer and
     * discards what the client sends. Then the client leaves: the wait must end at once.
     */
    private static void awaitReleasedThenGone(HelidonSocket server, Socket client, boolean reset) throws Exception {
        assertFalse(ReadBufferRelease.released(server), "a fresh connection has its own buffer");
        OpenConnection connection = new OpenConnection(server, OpenConnection.NONE);
        connection.streaming();
        Thread request = Thread.ofVirtual().start(connection::awaitClientClose);
        SseClient.awaitCondition(() -> ReadBufferRelease.released(server), NOTICE_BOUND,
                () -> "the waiting stream still has its own read buffer");
        // whatever a client sends on a stream is read and dropped, through the shared buffer
        client.getOutputStream().write("ignored\r\n".getBytes(StandardCharsets.US_ASCII));
        client.getOutputStream().flush();
        assertTrue(request.isAlive(), "the stream ended although its client is still there");
        if (reset) {
            client.setSoLinger(true, 0);
        }
        client.close();
        assertTrue(request.join(NOTICE_BOUND), "the client's " + (reset ? "reset" : "close") + " was not noticed");
        connection.close();
    }

    private Socket connect() throws Exception {
        return new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) listener.getLocalAddress()).getPort());
    }

    /** The accepted connection in blocking mode, as Helidon's listener hands it to a {@code PlainSocket}. */
    private SocketChannel accept() throws Exception {
        SocketChannel channel = listener.accept();
        channel.configureBlocking(true);
        return channel;
    }

    private static SSLContext serverContext(SelfSignedCertificate certificate) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(certificate.keystore())) {
            keys.load(in, SelfSignedCertificate.PASSPHRASE.toCharArray());
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, SelfSignedCertificate.PASSPHRASE.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(factory.getKeyManagers(), null, null);
        return context;
    }
}
