package io.buildgpt.notebook.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code %classpath} line magic: each argument is a path, relative to the notebook's folder, or a glob
 * in its last segment such as {@code ../target/lib/*.jar}. A glob expands to the matching files sorted by
 * name, so the class path order is the same on every machine.
 */
final class ClasspathMagic {
    private ClasspathMagic() {
    }

    /** Resolves the arguments of one %classpath line into absolute paths, failing on anything missing. */
    static List<Path> resolve(String arguments, Path notebookDir) throws CellFailure {
        List<Path> paths = new ArrayList<>();
        String[] patterns = arguments.strip().split("\\s+");
        if (patterns.length == 1 && patterns[0].isEmpty()) {
            throw CellFailure.magicError("%classpath needs at least one path or glob");
        }
        for (String pattern : patterns) {
            paths.addAll(resolveOne(pattern, notebookDir));
        }
        return paths;
    }

    private static List<Path> resolveOne(String pattern, Path notebookDir) throws CellFailure {
        int slash = Math.max(pattern.lastIndexOf('/'), pattern.lastIndexOf('\\'));
        String folderPart = slash < 0 ? "" : pattern.substring(0, slash + 1);
        String namePart = pattern.substring(slash + 1);
        if (isGlob(folderPart)) {
            throw CellFailure.magicError("%classpath " + pattern + ": only the last path segment may hold a glob");
        }
        Path folder = notebookDir.resolve(folderPart.isEmpty() ? "." : folderPart).toAbsolutePath().normalize();
        if (!isGlob(namePart)) {
            Path path = folder.resolve(namePart).normalize();
            if (!Files.exists(path)) {
                throw CellFailure.magicError("%classpath " + pattern + ": " + path + " does not exist");
            }
            return List.of(path);
        }
        List<Path> matches = new ArrayList<>();
        if (Files.isDirectory(folder)) {
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder, namePart)) {
                stream.forEach(matches::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + folder, e);
            }
        }
        if (matches.isEmpty()) {
            throw CellFailure.magicError("%classpath " + pattern + ": no files match (looked in " + folder + ")");
        }
        matches.sort(null);
        return matches;
    }

    private static boolean isGlob(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
    }
}
