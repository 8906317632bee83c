package io.buildgpt.data;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The partial files of downloads: {@code .<file>.<pid>.part} beside the target, so that the next download
 * of the same target can tell one whose process was killed (removed) from one still being written by
 * another JVM (left alone).
 */
final class PartFiles {
    private PartFiles() {
    }

    /** The partial file this process downloads {@code target} through. */
    static Path of(Path target) {
        return target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid() + ".part");
    }

    /** Removes the abandoned partial files of {@code target} (and of the earlier naming, for {@code sourceName}). */
    static void removeStale(Path target, String sourceName) throws IOException {
        removeStaleOf(target);
        removeLegacy(target.getParent(), sourceName);
    }

    /** Earlier versions named the partial file {@code .<source>-<digits>.part}; those over an hour old are abandoned. */
    static void removeLegacy(Path dir, String sourceName) throws IOException {
        String prefix = "." + sourceName + "-";
        long cutoff = System.currentTimeMillis() - 3_600_000L;
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(dir,
                p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().endsWith(".part"))) {
            for (Path part : parts) {
                String n = part.getFileName().toString();
                String digits = n.substring(prefix.length(), n.length() - ".part".length());
                if (!digits.isEmpty() && digits.chars().allMatch(Character::isDigit)
                        && Files.getLastModifiedTime(part).toMillis() < cutoff) {
                    Files.deleteIfExists(part);
                }
            }
        }
    }

    /**
     * Deletes the {@code .part} files of {@code target} whose downloading process is gone (killed
     * mid-download): they are named {@code .<file>.<pid>.part}. A living process's is left alone.
     */
    static void removeStaleOf(Path target) throws IOException {
        String prefix = "." + target.getFileName() + ".";
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(target.getParent(),
                p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().endsWith(".part"))) {
            for (Path part : parts) {
                String pid = part.getFileName().toString();
                pid = pid.substring(prefix.length(), pid.length() - ".part".length());
                if (pid.isEmpty() || !pid.chars().allMatch(Character::isDigit)) continue;
                long id = Long.parseLong(pid);
                boolean alive = id != ProcessHandle.current().pid() && ProcessHandle.of(id).map(ProcessHandle::isAlive).orElse(false);
                if (!alive) Files.deleteIfExists(part);
            }
        }
    }

}
