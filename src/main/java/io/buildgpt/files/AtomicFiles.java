package io.buildgpt.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;

/**
 * Replaces a file all at once: the content goes to a temporary file in the target's folder, named
 * {@code .<name>.<pid>-<n>.tmp} with {@code n} unique to the write within this process (so two threads
 * saving the same path never share a temporary), is forced to disk, gets the previous file's permissions (a new file gets
 * the default ones of the folder's owner, not 0600), and is renamed over the target. A failure at any
 * point deletes the temporary file and leaves the previous target as it was.
 *
 * <p>A process killed mid-write leaves its temporary behind; the next write of the same target removes
 * every temporary of that target whose process is gone. The pid in the name is what tells a stale
 * temporary from one that another process, or another thread of this one, is still writing. When two
 * writes of one target overlap, each is complete and the later rename wins.
 */
public final class AtomicFiles {
    /** What writes the content, through a channel positioned at 0 (it may also write at earlier positions). */
    @FunctionalInterface
    public interface Content {
        void writeTo(FileChannel channel) throws IOException;
    }

    private static final String SUFFIX = ".tmp";
    private static final java.util.concurrent.atomic.AtomicLong WRITES = new java.util.concurrent.atomic.AtomicLong();

    private AtomicFiles() {
    }

    /**
     * Writes {@code target} through {@code content}, atomically. An {@link AccessDeniedException} says that
     * access was denied, naming the folder and the fix.
     */
    public static void write(Path target, Content content) throws IOException {
        Path absolute = target.toAbsolutePath().normalize();
        Path folder = absolute.getParent();
        try {
            Files.createDirectories(folder);
        } catch (AccessDeniedException e) {
            throw denied(absolute, e);
        } catch (FileSystemException e) {
            throw readOnly(absolute, e);
        }
        removeStaleTemporaries(absolute);
        Path temp = temporaryOf(absolute, ProcessHandle.current().pid(), WRITES.incrementAndGet());
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                content.writeTo(channel);
                channel.force(true); // the bytes are on disk before the name points at them
            }
            copyPermissions(absolute, temp);
            try {
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            forceFolder(folder);
        } catch (AccessDeniedException e) {
            throw denied(absolute, e);
        } catch (FileSystemException e) {
            throw readOnly(absolute, e);
        } finally {
            Files.deleteIfExists(temp); // gone already after a successful move
        }
    }

    /** Writes {@code bytes} to {@code target}, atomically. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, channel -> {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        });
    }

    /** The temporary that process {@code pid} writes {@code target} through in its write number {@code n}. */
    public static Path temporaryOf(Path target, long pid, long n) {
        return target.resolveSibling("." + target.getFileName() + "." + pid + "-" + n + SUFFIX);
    }

    /** A temporary of {@code target} in the naming of earlier versions, {@code .<name>.<pid>.tmp} (one per process). */
    public static Path temporaryOf(Path target, long pid) {
        return target.resolveSibling("." + target.getFileName() + "." + pid + SUFFIX);
    }

    /**
     * Deletes the temporaries of {@code target} left by processes that are gone. Those of living processes
     * are left alone, this one's included: they may be another JVM's write in progress, or another thread's.
     */
    public static void removeStaleTemporaries(Path target) throws IOException {
        Path folder = target.toAbsolutePath().getParent();
        String prefix = "." + target.getFileName() + ".";
        if (!Files.isDirectory(folder)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder,
                entry -> entry.getFileName().toString().startsWith(prefix) && entry.getFileName().toString().endsWith(SUFFIX))) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                String middle = name.substring(prefix.length(), name.length() - SUFFIX.length());
                int dash = middle.indexOf('-');
                String pidText = dash < 0 ? middle : middle.substring(0, dash);
                String write = dash < 0 ? "0" : middle.substring(dash + 1);
                if (pidText.isEmpty() || write.isEmpty() || !pidText.chars().allMatch(Character::isDigit)
                        || !write.chars().allMatch(Character::isDigit) || pidText.length() > 18) {
                    continue;
                }
                long pid = Long.parseLong(pidText);
                // this process names its temporaries <pid>-<n>: one without "-n" and our pid was left by an earlier process
                boolean ours = pid == ProcessHandle.current().pid();
                boolean writerAlive = ours ? dash >= 0 : ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
                if (!writerAlive) {
                    Files.deleteIfExists(entry);
                }
            }
        } catch (AccessDeniedException e) {
            throw denied(target.toAbsolutePath(), e);
        }
        removeLegacyTemporaries(target.toAbsolutePath());
    }

    /** How old a temporary of the earlier naming must be before it counts as abandoned: no save takes that long. */
    static final java.time.Duration LEGACY_AGE = java.time.Duration.ofHours(1);

    /**
     * Earlier versions named their temporaries {@code <name><digits>.tmp} or {@code .<name><digits>.tmp}
     * ({@link Files#createTempFile}), without the writer's pid; those older than {@link #LEGACY_AGE} are
     * abandoned and removed.
     */
    private static void removeLegacyTemporaries(Path target) throws IOException {
        Path folder = target.getParent();
        String name = target.getFileName().toString();
        long cutoff = System.currentTimeMillis() - LEGACY_AGE.toMillis();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder,
                entry -> entry.getFileName().toString().contains(name) && entry.getFileName().toString().endsWith(SUFFIX))) {
            for (Path entry : entries) {
                String file = entry.getFileName().toString();
                String rest = file.startsWith("." + name) ? file.substring(name.length() + 1)
                        : file.startsWith(name) ? file.substring(name.length()) : null;
                if (rest == null || rest.length() <= SUFFIX.length()) continue;
                String digits = rest.substring(0, rest.length() - SUFFIX.length());
                if (!digits.chars().allMatch(Character::isDigit)) continue;
                if (Files.getLastModifiedTime(entry).toMillis() < cutoff) Files.deleteIfExists(entry);
            }
        }
    }

    /**
     * An {@link AccessDeniedException} whose message says that access was denied, where, and what to do;
     * {@code cause} is the JDK's.
     */
    public static AccessDeniedException denied(Path target, FileSystemException cause) {
        Path where = cause.getFile() != null ? Path.of(cause.getFile()) : target;
        String what = where.getFileName() != null && where.getFileName().toString().startsWith("." + target.getFileName() + ".")
                ? "create files in the folder " + target.getParent()   // our temporary file: the folder refused it
                : "write " + where;
        AccessDeniedException e = new AccessDeniedException(target.toString(), null,
                "access denied: this user may not " + what + " (read-only?); "
                        + "choose a folder you can write, or change its permissions");
        e.initCause(cause);
        return e;
    }

    /** A read-only file system (EROFS) is access denied too, for every user; other file-system errors pass unchanged. */
    private static FileSystemException readOnly(Path target, FileSystemException e) {
        if (e.getReason() != null && e.getReason().contains("Read-only file system")) {
            AccessDeniedException denied = new AccessDeniedException(target.toString(), null, "access denied: " + e.getFile()
                    + " is on a read-only file system; choose a folder on a writable one");
            denied.initCause(e);
            return denied;
        }
        return e;
    }

    private static void copyPermissions(Path from, Path to) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(to, PosixFileAttributeView.class);
        if (view != null && Files.exists(from)) {
            view.setPermissions(Files.getPosixFilePermissions(from));
        }
    }

    /** fsync of the folder, so that the rename itself survives a crash; not every platform allows it. */
    private static void forceFolder(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows cannot open a folder as a channel; the rename is still atomic there
        }
    }
}
