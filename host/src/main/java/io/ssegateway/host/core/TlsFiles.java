package io.ssegateway.host.core;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the listener's TLS certificate and key come from: PEM files (a certificate chain and its private key) or a
 * PKCS#12 keystore, exactly one of the two. Validated by {@code Gateway.Builder}.
 *
 * @param certificate    PEM certificate chain (the server's certificate first), or {@code null}
 * @param key            PEM private key (PKCS#8, or PKCS#1 RSA), or {@code null}
 * @param keyPassphrase  the passphrase of an encrypted PEM key, or {@code null}
 * @param keystore       PKCS#12 keystore holding one private key entry and its chain, or {@code null}
 * @param keystorePassphrase the keystore's passphrase (also the key entry's), or {@code null}
 * @param reloadInterval how often the files are checked for a change (then new handshakes use the new certificate);
 *                       zero: never
 */
public record TlsFiles(Path certificate, Path key, String keyPassphrase, Path keystore, String keystorePassphrase,
                       Duration reloadInterval) {

    /** Whether the key and certificate come from a PKCS#12 keystore (else from PEM files). */
    public boolean fromKeystore() {
        return keystore != null;
    }

    /** What a log line or an error names: the files. */
    public String describe() {
        return fromKeystore() ? "PKCS#12 keystore " + keystore : "PEM certificate " + certificate + " and key " + key;
    }

    @Override
    public String toString() {
        // never the passphrases
        return "TlsFiles[" + describe() + ", reload every " + reloadInterval + "]";
    }
}
