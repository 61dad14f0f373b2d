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
        // nginx and other pre-forking servers share the listening socket between a master and its workers: the
        // server is the outermost process that holds it
        List<Long> holders = new java.util.ArrayList<>();
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path process : processes) {
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(process.resolve("fd"))) {
                    for (Path fd : fds) {
                        try {
                            if (link.equals(Files.readSymbolicLink(fd).toString())) {
                                holders.add(Long.parseLong(process.getFileName().toString()));
                                break;
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
        for (long holder : holders) {
            long parent = ProcessHandle.of(holder).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L);
            if (!holders.contains(parent)) {
                return holder;
            }
        }
        return -1;
    }

    /** {@code pid} and its descendants (a pre-forking server's master and workers); empty if it is gone. */
    static List<Long> tree(long pid) {
        return ProcessHandle.of(pid)
                .map(root -> java.util.stream.Stream.concat(java.util.stream.Stream.of(root), root.descendants())
                        .map(ProcessHandle::pid).toList())
                .orElse(List.of());
    }

    /**
     * The memory of a server's processes in KiB: the {@code VmRSS} of a single process; for several, the sum of
     * their proportional set sizes ({@code Pss} of {@code smaps_rollup}), so that pages they share (nginx's shared
     * memory zone, the code) count once rather than once per worker. -1 if it cannot be read.
     */
    static long memoryKb(List<Long> pids) {
        if (pids.size() == 1) {
            return rssKb(pids.get(0));
        }
        long total = 0;
        for (long pid : pids) {
            long pss = pssKb(pid);
            if (pss < 0) {
                return -1;
            }
            total += pss;
        }
        return pids.isEmpty() ? -1 : total;
    }

    private static long pssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
                if (line.startsWith("Pss:")) {
                    return Long.parseLong(line.substring(4).replace("kB", "").strip());
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not ours to read
        }
        return -1;
    }

    /**
     * The server's live heap in KiB: {@code jcmd <pid> GC.run} twice, then the used heap of {@code GC.heap_info}; -1
     * if it cannot be read (no jcmd next to this JVM's java, another user's process, …).
     */
    static long liveHeapKb(long pid) {
        Path jcmd = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd");
        try {
            for (int i = 0; i < 2; i++) {
                run(jcmd.toString(), Long.toString(pid), "GC.run");
            }
            java.util.regex.Matcher used = java.util.regex.Pattern.compile("used (\\d+)K")
                    .matcher(run(jcmd.toString(), Long.toString(pid), "GC.heap_info"));
            return used.find() ? Long.parseLong(used.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }
}
