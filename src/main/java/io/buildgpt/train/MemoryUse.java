package io.buildgpt.train;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Two measurements of what a run holds: the Java heap in use after a full garbage collection (what is
 * still reachable: weights, optimizer state, activations, buffers) and the process's resident memory
 * (what the operating system has given the JVM, heap, native memory and code included). The JVM seldom
 * hands heap back to the system, so resident memory only grows during a session; the heap figure is the
 * one that tells two runs apart. G1 counts an array of half a heap region or more by whole regions
 * (1 to 32 MiB each, by heap size), so such arrays can read up to a region larger than they are.
 */
public final class MemoryUse {
    private MemoryUse() {}

    /** Bytes of heap in use after asking for full collections until the figure settles. */
    public static long heapAfterGc() {
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (Math.abs(used - last) < 64 * 1024) return used;
            last = used;
        }
        return last;
    }

    /** The process's resident set size in bytes (Linux {@code /proc/self/status}, VmRSS), or -1 where that is not available. */
    public static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return 1024L * Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
