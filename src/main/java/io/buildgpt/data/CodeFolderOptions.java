package io.buildgpt.data;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What {@link Corpus#fromCodeFolder(java.nio.file.Path, CodeFolderOptions)} reads.
 *
 * @param extensions    file extensions to include, lower-case without the dot (a leading dot and
 *                      upper case are accepted and normalised); matching ignores case
 * @param maxFileBytes  files bigger than this are skipped (and listed): generated or vendored
 *                      files would otherwise swamp the hand-written code
 * @param maxTotalBytes once the next file would push the total past this, it and all later
 *                      files are skipped, so the corpus is a clean prefix of the sorted file list
 */
public record CodeFolderOptions(Set<String> extensions, long maxFileBytes, long maxTotalBytes) {

    /** Source and documentation files of common languages, plus build and config files. */
    public static final Set<String> DEFAULT_EXTENSIONS = Set.of(
            "java", "kt", "scala", "groovy", "py", "js", "ts", "c", "h", "cpp", "hpp", "cs", "go", "rs", "rb",
            "sh", "sql", "md", "txt", "xml", "json", "yml", "yaml", "properties", "gradle", "toml");

    private static final Pattern EXTENSION = Pattern.compile("[a-z0-9_+-]+");

    public CodeFolderOptions {
        if (extensions == null || extensions.isEmpty()) {
            throw new IllegalArgumentException("extensions must name at least one extension, e.g. Set.of(\"java\"), got: "
                    + extensions);
        }
        Set<String> normalised = new TreeSet<>();
        for (String ext : extensions) {
            String e = ext == null ? "" : ext.strip().toLowerCase(Locale.ROOT);
            e = e.startsWith(".") ? e.substring(1) : e;
            if (!EXTENSION.matcher(e).matches()) {
                throw new IllegalArgumentException("extension must be letters/digits like \"java\" or \".py\", got: \""
                        + ext + "\"");
            }
            normalised.add(e);
        }
        extensions = Set.copyOf(normalised);
        if (maxFileBytes < 1) {
            throw new IllegalArgumentException("maxFileBytes must be >= 1, got: " + maxFileBytes);
        }
        if (maxTotalBytes < 1 || maxTotalBytes > Integer.MAX_VALUE / 4) {
            // The whole corpus becomes one String; stay far below its 2^31 char limit.
            throw new IllegalArgumentException("maxTotalBytes must be in [1, " + Integer.MAX_VALUE / 4 + "], got: "
                    + maxTotalBytes);
        }
    }

    /** {@link #DEFAULT_EXTENSIONS}, 256 KB per file, 20 MB in total. */
    public static CodeFolderOptions defaults() {
        return new CodeFolderOptions(DEFAULT_EXTENSIONS, 256L * 1024, 20L * 1024 * 1024);
    }

    public CodeFolderOptions withExtensions(String... exts) {
        // A HashSet, not Set.copyOf, so a null element reaches the validation message instead of an NPE.
        return new CodeFolderOptions(new HashSet<>(Arrays.asList(exts)), maxFileBytes, maxTotalBytes);
    }

    public CodeFolderOptions withMaxFileBytes(long bytes) {
        return new CodeFolderOptions(extensions, bytes, maxTotalBytes);
    }

    public CodeFolderOptions withMaxTotalBytes(long bytes) {
        return new CodeFolderOptions(extensions, maxFileBytes, bytes);
    }

    /** True if {@code fileName}'s extension is included (case-insensitive). */
    boolean accepts(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 && dot < fileName.length() - 1
                && extensions.contains(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
