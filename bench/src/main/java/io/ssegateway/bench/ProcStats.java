package io.ssegateway.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Reads Linux {@code /proc}: CPU time and RSS of a process, the load average, and who listens on a port. */
final class ProcStats {

    /** Clock ticks per second of {@code /proc/<pid>/stat} times (USER_HZ, 100 on Linux). */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcStats() {
    }

    /** User + system CPU seconds used so far by {@code pid} (all its threads), or 0 if it is gone. */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": state is field 3, utime 14, stime 15 (1-based in proc(5))
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static double cpuSeconds(List<Long> pids) {
        return pids.stream().mapToDouble(ProcStats::cpuSeconds).sum();
    }

    /** Resident set size of {@code pid} in KiB ({@code VmRSS}), or -1. */
    static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).replace("kB", "").strip());
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    /** The 1-minute load average. */
    static double load1() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The pid of the process listening on TCP {@code port}, or -1 (found through the socket inode). */
    static long listenerPid(int port) {
        String inode = null;
        String hexPort = String.format(Locale.ROOT, "%04X", port);
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.strip().split("\\s+");
                    // local_address is ADDR:PORT, state 0A is LISTEN, inode is field 9
                    if (f.length > 9 && f[1].endsWith(":" + hexPort) && f[3].equals("0A")) {
                        inode = f[9];
                    }
                }
            } catch (IOException | RuntimeException e) {
                // no such table
            }
            if (inode != null) {
                break;
            }
        }
        if (inode == null) {
            return -1;
        }
        String link = "socket:[" + inode + "]";
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path process : processes) {
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(process.resolve("fd"))) {
                    for (Path fd : fds) {
                        try {
                            if (link.equals(Files.readSymbolicLink(fd).toString())) {
                                return Long.parseLong(process.getFileName().toString());
                            }
                        } catch (IOException ignored) {
                            // closed meanwhile
                        }
                    }
                } catch (IOException | RuntimeException ignored) {
                    // not ours to read, or gone
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }
}
