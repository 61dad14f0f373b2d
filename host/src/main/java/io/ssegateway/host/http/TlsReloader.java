package io.ssegateway.host.http;

import io.helidon.common.tls.Tls;
import io.ssegateway.host.core.PeriodicThread;
import io.ssegateway.host.core.TlsFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Rotates the listener's certificate without a restart: every {@code reloadInterval} it looks at the files' change
 * times and sizes, and when they changed it reads them again and hands the new key and certificate to Helidon
 * ({@code WebServer.reloadTls}): handshakes from then on use them, open connections keep theirs. Files that do not
 * read (a renewal half written) leave the old certificate in place and are tried again at the next tick.
 */
public final class TlsReloader {

    private static final Logger LOG = Logger.getLogger(TlsReloader.class.getName());

    private final TlsFiles files;
    private final Consumer<Tls> reload;
    private final PeriodicThread ticker;
    private List<Object> lastSeen;

    public TlsReloader(TlsFiles files, Consumer<Tls> reload) {
        this.files = files;
        this.reload = reload;
        this.lastSeen = fingerprint();
        this.ticker = new PeriodicThread("sse-gateway-tls-reload", files.reloadInterval(), this::checkOnce);
    }

    public void start() {
        if (files.reloadInterval().isZero()) {
            return;
        }
        ticker.start();
    }

    public void stop() {
        ticker.stop();
    }

    /** Reloads if the files changed since the last successful look; returns whether it reloaded. */
    boolean checkOnce() {
        List<Object> now = fingerprint();
        if (now.equals(lastSeen)) {
            return false;
        }
        try {
            reload.accept(ServerTls.load(files));
            lastSeen = now;
            LOG.info(() -> "Reloaded the TLS " + files.describe() + ": new connections use it");
            return true;
        } catch (RuntimeException e) {
            LOG.warning("The TLS " + files.describe() + " changed but cannot be used (keeping the current certificate,"
                    + " trying again in " + files.reloadInterval() + "): " + e.getMessage());
            return false;
        }
    }

    /** Change time and size of each file; a file that cannot be read counts as changed. */
    private List<Object> fingerprint() {
        List<Object> seen = new ArrayList<>();
        for (Path file : files.fromKeystore() ? List.of(files.keystore()) : List.of(files.certificate(), files.key())) {
            try {
                FileTime modified = Files.getLastModifiedTime(file);
                seen.add(file + "@" + modified.toMillis() + "/" + Files.size(file));
            } catch (IOException e) {
                seen.add(file + "@unreadable");
            }
        }
        return seen;
    }
}
