package io.ssegateway.host.http;

import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import io.helidon.common.tls.Tls;
import io.ssegateway.host.core.TlsFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The listener's TLS from {@link TlsFiles}: a private key and its certificate chain, read from PEM files (by Helidon's
 * PEM reader: PKCS#8, encrypted PKCS#8 or PKCS#1 RSA keys) or from a PKCS#12 keystore (by the JDK: its one private key
 * entry). Every failure names the file and what is wrong with it.
 */
public final class ServerTls {

    private ServerTls() {
    }

    /**
     * @throws IllegalArgumentException a file is missing or unreadable, or holds no usable key or certificate
     */
    public static Tls load(TlsFiles files) {
        KeyAndChain keys = files.fromKeystore() ? fromKeystore(files) : fromPem(files);
        return Tls.builder()
                .privateKey(keys.key())
                .privateKeyCertChain(keys.chain())
                .build();
    }

    private record KeyAndChain(PrivateKey key, List<X509Certificate> chain) {
    }

    private static KeyAndChain fromPem(TlsFiles files) {
        requireReadable(files.certificate(), "server.tls.cert");
        requireReadable(files.key(), "server.tls.key");
        Keys keys;
        try {
            keys = Keys.builder().pem(pem -> {
                pem.key(Resource.create(files.key())).certChain(Resource.create(files.certificate()));
                if (files.keyPassphrase() != null) {
                    pem.keyPassphrase(files.keyPassphrase().toCharArray());
                }
            }).build();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot read the TLS " + files.describe() + ": " + e.getMessage()
                    + " (the key must be PKCS#8 'BEGIN PRIVATE KEY' or RSA 'BEGIN RSA PRIVATE KEY'; convert an EC key"
                    + " with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem)", e);
        }
        PrivateKey key = keys.privateKey().orElseThrow(() ->
                new IllegalArgumentException("no private key in " + files.key()));
        if (keys.certChain().isEmpty()) {
            throw new IllegalArgumentException("no certificate in " + files.certificate());
        }
        return new KeyAndChain(key, keys.certChain());
    }

    private static KeyAndChain fromKeystore(TlsFiles files) {
        requireReadable(files.keystore(), "server.tls.keystore");
        char[] passphrase = files.keystorePassphrase() == null ? new char[0] : files.keystorePassphrase().toCharArray();
        try (InputStream in = Files.newInputStream(files.keystore())) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, passphrase);
            for (String alias : Collections.list(store.aliases())) {
                if (!store.isKeyEntry(alias)) {
                    continue;
                }
                Key key = store.getKey(alias, passphrase);
                Certificate[] chain = store.getCertificateChain(alias);
                if (key instanceof PrivateKey privateKey && chain != null && chain.length > 0) {
                    List<X509Certificate> certificates = new ArrayList<>();
                    for (Certificate certificate : chain) {
                        certificates.add((X509Certificate) certificate);
                    }
                    return new KeyAndChain(privateKey, certificates);
                }
            }
            throw new IllegalArgumentException("the PKCS#12 keystore " + files.keystore()
                    + " holds no private key with a certificate chain");
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the PKCS#12 keystore " + files.keystore() + ": "
                    + e.getMessage() + " (wrong server.tls.keystore-passphrase, or not a PKCS#12 file?)", e);
        }
    }

    private static void requireReadable(java.nio.file.Path file, String key) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(key + ": " + file + " is not a readable file");
        }
    }
}
