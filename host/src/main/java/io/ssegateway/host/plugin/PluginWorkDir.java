package io.ssegateway.host.plugin;

import io.ssegateway.host.core.ConfigurationException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The private directory zip plugins are expanded into ({@code <tmp>/sse-gateway-plugins-*}), held by this process
 * through a lock on its {@value #LOCK} file for as long as it lives; its {@value #PID} file names the process.
 * A process killed with SIGKILL (or by the OOM killer) cannot delete its directory, so each start removes those of
 * dead processes: directories of this user, not symbolic links, whose lock nobody holds.
 */
final class PluginWorkDir implements AutoCloseable {

    static final String PREFIX = "sse-gateway-plugins-";
    static final String LOCK = ".lock";
    static final String PID = ".pid";
    private static final Logger LOG = Logger.getLogger(PluginWorkDir.class.getName());

    private final Path dir;
    private final FileChannel lockChannel;

    private PluginWorkDir(Path dir, FileChannel lockChannel) {
        this.dir = dir;
        this.lockChannel = lockChannel;
    }

    /** Removes stale directories of dead gateways in {@code tmp}, then creates and locks a new one there. */
    static PluginWorkDir create(Path tmp) {
        Path dir;
        FileChannel channel;
        try {
            dir = Files.createTempDirectory(tmp, PREFIX);
            channel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (channel.tryLock() == null) {
                channel.close();
                throw new IOException("cannot lock " + dir.resolve(LOCK));
            }
            Files.writeString(dir.resolve(PID), Long.toString(ProcessHandle.current().pid()));
        } catch (IOException e) {
            throw new ConfigurationException("Cannot create a directory to expand zip plugins in " + tmp + ": "
                    + e.getMessage() + ". Make it writable or set -Djava.io.tmpdir to a writable directory.");
        }
        removeStale(tmp, dir);
        return new PluginWorkDir(dir, channel);
    }

    Path path() {
        return dir;
    }

    /**
     * Deletes the {@code sse-gateway-plugins-*} directories in {@code tmp} that belong to this user and whose lock can
     * be taken, i.e. whose gateway is gone. Others' directories, links and directories in use are left alone, as are
     * directories without a lock file (written by an older version, whose owner cannot be told alive).
     */
    static int removeStale(Path tmp, Path own) {
        int removed = 0;
        UserPrincipal me;
        try {
            me = Files.getOwner(own, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException e) {
            return 0;
        }
        try (DirectoryStream<Path> candidates = Files.newDirectoryStream(tmp, PREFIX + "*")) {
            for (Path candidate : candidates) {
                if (candidate.equals(own) || !Files.isDirectory(candidate, LinkOption.NOFOLLOW_LINKS)
                        || !me.equals(Files.getOwner(candidate, LinkOption.NOFOLLOW_LINKS))) {
                    continue;
                }
                Path lock = candidate.resolve(LOCK);
                if (!Files.isRegularFile(lock, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                if (abandoned(lock)) {
                    delete(candidate);
                    removed++;
                    LOG.info("Removed " + candidate + ", left by a gateway that ended without cleaning up");
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "Could not look for stale plugin directories in " + tmp, e);
        }
        return removed;
    }

    /** Whether nobody holds {@code lock}: taking it succeeds (and it is released at once). */
    private static boolean abandoned(Path lock) {
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            FileLock taken = channel.tryLock();
            if (taken == null) {
                return false;
            }
            taken.release();
            return true;
        } catch (OverlappingFileLockException heldInThisJvm) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** Deletes the directory and what it holds, without following links. */
    static void delete(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path directory, IOException e) throws IOException {
                    Files.deleteIfExists(directory);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.log(Level.FINE, "Could not delete " + dir, e);
        }
    }

    /** Releases the lock and deletes the directory. */
    @Override
    public void close() {
        try {
            lockChannel.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "Could not release " + dir.resolve(LOCK), e);
        }
        delete(dir);
    }
}
