package io.ssegateway.host.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1}, made at test time by the JDK's
 * {@code keytool}: the PKCS#12 keystore it writes, and the same key and certificate as PEM files (PKCS#8 key).
 * {@link #sslContext()} trusts exactly this certificate.
 */
public final class SelfSignedCertificate {

    public static final String PASSPHRASE = "test-passphrase";

    private final Path keystore;
    private final Path certificatePem;
    private final Path keyPem;
    private final X509Certificate certificate;

    private SelfSignedCertificate(Path keystore, Path certificatePem, Path keyPem, X509Certificate certificate) {
        this.keystore = keystore;
        this.certificatePem = certificatePem;
        this.keyPem = keyPem;
        this.certificate = certificate;
    }

    /** Creates the keystore and PEM files in {@code dir}; {@code name} distinguishes several certificates. */
    public static SelfSignedCertificate create(Path dir, String name) throws IOException, InterruptedException {
        Path keystore = dir.resolve(name + ".p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "server", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", PASSPHRASE, "-keypass", PASSPHRASE)
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSPHRASE.toCharArray());
            PrivateKey key = (PrivateKey) store.getKey("server", PASSPHRASE.toCharArray());
            Certificate certificate = store.getCertificate("server");
            Path certificatePem = dir.resolve(name + "-cert.pem");
            Path keyPem = dir.resolve(name + "-key.pem");
            Files.writeString(certificatePem, pem("CERTIFICATE", certificate.getEncoded()));
            Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
            return new SelfSignedCertificate(keystore, certificatePem, keyPem, (X509Certificate) certificate);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    public Path keystore() {
        return keystore;
    }

    public Path certificatePem() {
        return certificatePem;
    }

    public Path keyPem() {
        return keyPem;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** A client TLS context that trusts this certificate and nothing else. */
    public SSLContext sslContext() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("server", certificate);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (java.security.GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
