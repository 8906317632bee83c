package io.buildgpt.data;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Concatenates every matching source file under a folder into one corpus, for the fine-tuning
 * step that trains on a code base.
 *
 * <p>Layout: for each file, in sorted relative-path order, one separator line made with
 * {@link Corpus#FILE_SEPARATOR_FORMAT}, then the file's text with line ends normalised to LF and a final
 * LF added if missing. Sorted order makes the corpus (and so training) reproducible across
 * machines, whose directory listings come back in different orders.
 */
final class CodeFolderReader {

    /** Folders never worth reading: build output and dependencies (hidden folders are skipped too). */
    static final Set<String> SKIPPED_DIRS = Set.of("target", "node_modules");

    private CodeFolderReader() {
    }

    private record Candidate(String path, Path file, long bytes) {
    }

    static Corpus read(Path root, CodeFolderOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("options must not be null; use CodeFolderOptions.defaults()");
        }
        Path abs = root.toAbsolutePath().normalize();
        if (!Files.exists(abs)) {
            throw new CorpusException("Folder not found: " + abs + ". Check the path (relative paths start at "
                    + Path.of("").toAbsolutePath() + ").");
        }
        if (!Files.isDirectory(abs)) {
            throw new CorpusException(abs + " is a file, not a folder. Use Corpus.fromFile(path) for a single file.");
        }
        List<SkippedFile> skipped = new ArrayList<>();
        List<Candidate> candidates = scan(abs, options, skipped);
        candidates.sort(Comparator.comparing(Candidate::path));

        StringBuilder text = new StringBuilder();
        List<CodeFile> files = new ArrayList<>();
        long totalBytes = 0;
        boolean totalCapReached = false;
        for (Candidate c : candidates) {
            if (c.bytes() > options.maxFileBytes()) {
                skipped.add(new SkippedFile(c.path(), c.bytes(), "bigger than maxFileBytes=" + options.maxFileBytes()));
                continue;
            }
            totalCapReached |= totalBytes + c.bytes() > options.maxTotalBytes();
            if (totalCapReached) {
                skipped.add(new SkippedFile(c.path(), c.bytes(), "maxTotalBytes=" + options.maxTotalBytes() + " reached"));
                continue;
            }
            String content;
            try {
                content = Utf8Files.read(c.file());
            } catch (CorpusException e) {
                // One odd file (Latin-1, binary with a .txt name) should not sink the whole folder.
                skipped.add(new SkippedFile(c.path(), c.bytes(), e.getMessage()));
                continue;
            }
            totalBytes += c.bytes();
            int start = text.length();
            text.append(separatorLine(c.path())).append('\n');
            text.append(content.replace("\r\n", "\n"));
            if (!content.endsWith("\n")) {
                text.append('\n');
            }
            files.add(new CodeFile(c.path(), start, text.length()));
        }
        if (files.isEmpty()) {
            throw new CorpusException("No files with extensions " + options.extensions() + " to read under " + abs
                    + (skipped.isEmpty() ? "" : " (" + skipped.size() + " skipped, e.g. " + skipped.get(0) + ")")
                    + ". Check the folder, or pass CodeFolderOptions.defaults().withExtensions(...) / larger caps.");
        }
        String name = abs.getFileName() == null ? abs.toString() : abs.getFileName().toString();
        String source = abs + " (" + files.size() + " files" + (skipped.isEmpty() ? "" : ", " + skipped.size() + " skipped")
                + ")";
        String origin = "the folder " + name + " (" + files.size() + " files"
                + (skipped.isEmpty() ? "" : ", " + skipped.size() + " skipped") + ")";
        return new Corpus(name, text.toString(), source, origin, files, skipped);
    }

    /** The separator line (without newline) for a file at relative path {@code path}. */
    static String separatorLine(String path) {
        return String.format(Corpus.FILE_SEPARATOR_FORMAT, path);
    }

    private static List<Candidate> scan(Path root, CodeFolderOptions options, List<SkippedFile> skipped) {
        List<Candidate> found = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (dir.equals(root)) {
                        return FileVisitResult.CONTINUE;
                    }
                    String name = dir.getFileName().toString();
                    return name.startsWith(".") || SKIPPED_DIRS.contains(name)
                            ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    String name = file.getFileName().toString();
                    if (attrs.isRegularFile() && !name.startsWith(".") && options.accepts(name)) {
                        found.add(new Candidate(relative(root, file), file, attrs.size()));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    skipped.add(new SkippedFile(relative(root, file), 0, "unreadable: " + e));
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new CorpusException("Cannot list " + root + ": " + e + ". Check the folder's permissions.", e);
        }
        return found;
    }

    private static String relative(Path root, Path file) {
        // Always '/' so the separator lines and CodeFile paths are the same on Windows.
        return root.relativize(file).toString().replace('\\', '/');
    }
}
