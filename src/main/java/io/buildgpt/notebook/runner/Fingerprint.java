package io.buildgpt.notebook.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a notebook's outputs depend on, as SHA-256 digests: its code cells, the module's sources
 * ({@code src/main} and {@code pom.xml}), and the corpora its parameters name (the name, and the
 * SHA-256 of the file when one is found: no download is needed to compute it). The runner records it
 * in the notebook's metadata under {@value #KEY}; {@link StaleNotebooks} compares it with the tree.
 *
 * @param code       digest of the code cells, in order (line endings normalised)
 * @param module     digest of {@code src/main/**} and {@code pom.xml} of the project around the notebook
 * @param corpora    per corpus parameter: its value, plus " sha256:..." when the file was found
 * @param parameters the {@code -p} overrides of the run (empty for a committed notebook)
 */
public record Fingerprint(String code, String module, Map<String, String> corpora, Map<String, String> parameters) {
    /** The notebook metadata key. */
    public static final String KEY = "buildgpt_fingerprint";
    /** The environment variable that points named corpora at a local folder (see {@code CorpusOptions}). */
    static final String CORPUS_DIR_ENV = "BUILDGPT_CORPUS_DIR";
    private static final Pattern CORPUS_PARAMETER = Pattern.compile(
            "(?:String\\s+)?(\\w*[cC]orpus\\w*)\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*;");

    /**
     * The fingerprint of {@code notebook}, whose file is in {@code notebookDir}, against the module in
     * {@code root} (null when the notebook is not inside a project).
     */
    public static Fingerprint of(Notebook notebook, Path notebookDir, Path root, Map<String, String> parameters) {
        return new Fingerprint(codeDigest(notebook), root == null ? "no project" : moduleDigest(root),
                corpora(notebook, notebookDir.toAbsolutePath(), root), new TreeMap<>(parameters));
    }

    /** Writes the fingerprint into the metadata of {@code notebook}, read from {@code file}, in the project around it. */
    public static void record(Notebook notebook, Path file, Map<String, String> parameters) {
        Path absolute = file.toAbsolutePath();
        Fingerprint fingerprint = of(notebook, absolute.getParent(), projectRoot(absolute), parameters);
        metadata(notebook).put(KEY, fingerprint.toJson());
    }

    /** The fingerprint the notebook carries, or null when it has none. */
    @SuppressWarnings("unchecked")
    public static Fingerprint recorded(Notebook notebook) {
        if (!(metadata(notebook).get(KEY) instanceof Map<?, ?> map)) return null;
        Map<String, Object> m = (Map<String, Object>) map;
        return new Fingerprint(String.valueOf(m.get("code")), String.valueOf(m.get("module")),
                strings(m.get("corpora")), strings(m.get("parameters")));
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("code", code);
        json.put("module", module);
        json.put("corpora", new LinkedHashMap<String, Object>(corpora));
        json.put("parameters", new LinkedHashMap<String, Object>(parameters));
        return json;
    }

    /** The folder above {@code file} that holds {@code pom.xml} and {@code src/main}, or null. */
    static Path projectRoot(Path file) {
        for (Path p = file.toAbsolutePath().normalize().getParent(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("src/main"))) return p;
        }
        return null;
    }

    static String codeDigest(Notebook notebook) {
        MessageDigest digest = sha256();
        for (int i = 0; i < notebook.cells().size(); i++) {
            if (!"code".equals(notebook.cellType(i))) continue;
            digest.update(normalised(notebook.source(i).getBytes(StandardCharsets.UTF_8)));
            digest.update((byte) 0);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Every file under {@code src/main} and {@code pom.xml}, in path order, each as its path and content. */
    static String moduleDigest(Path root) {
        List<Path> files = new ArrayList<>();
        files.add(root.resolve("pom.xml"));
        try (Stream<Path> walk = Files.walk(root.resolve("src/main"))) {
            walk.filter(Files::isRegularFile).sorted().forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the module's sources under " + root.resolve("src/main"), e);
        }
        MessageDigest digest = sha256();
        for (Path f : files) {
            digest.update(root.relativize(f).toString().replace('\\', '/').getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(normalised(read(f)));
            digest.update((byte) 0);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The corpus parameters of the cells tagged "parameters" and "injected-parameters" (the later wins). */
    static Map<String, String> corpora(Notebook notebook, Path notebookDir, Path root) {
        Map<String, String> values = new TreeMap<>();
        for (String tag : List.of(ParameterInjector.PARAMETERS_TAG, ParameterInjector.INJECTED_TAG)) {
            int cell = notebook.indexOfTagged(tag);
            if (cell < 0) continue;
            Matcher m = CORPUS_PARAMETER.matcher(notebook.source(cell));
            while (m.find()) values.put(m.group(1), m.group(2).replace("\\\\", "\\").replace("\\\"", "\""));
        }
        Map<String, String> corpora = new TreeMap<>();
        values.forEach((name, value) -> {
            Path file = corpusFile(value, notebookDir, root);
            corpora.put(name, file == null ? value : value + " sha256:" + HexFormat.of().formatHex(sha256().digest(read(file))));
        });
        return corpora;
    }

    /** A path relative to the notebook, or a named corpus in $BUILDGPT_CORPUS_DIR or the project's data/. */
    private static Path corpusFile(String value, Path notebookDir, Path root) {
        boolean path = value.contains("/") || value.contains("\\") || value.contains(".");
        List<Path> candidates = new ArrayList<>();
        if (path) {
            candidates.add(notebookDir.resolve(value));
        } else {
            String dir = System.getenv(CORPUS_DIR_ENV);
            if (dir != null && !dir.isBlank()) candidates.add(Path.of(dir).resolve(value + ".txt"));
            if (root != null) candidates.add(root.resolve("data").resolve(value + ".txt"));
        }
        return candidates.stream().filter(Files::isRegularFile).findFirst().orElse(null);
    }

    /** CRLF as LF, so a checkout with Windows line endings has the same fingerprint. */
    private static byte[] normalised(byte[] bytes) {
        byte[] out = new byte[bytes.length];
        int n = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\r' && i + 1 < bytes.length && bytes[i + 1] == '\n') continue;
            out[n++] = bytes[i];
        }
        return n == bytes.length ? out : java.util.Arrays.copyOf(out, n);
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " for the notebook's fingerprint", e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> metadata(Notebook notebook) {
        Object m = notebook.document().get("metadata");
        if (m instanceof Map<?, ?> map) return (Map<String, Object>) map;
        Map<String, Object> fresh = new LinkedHashMap<>();
        notebook.document().put("metadata", fresh);
        return fresh;
    }

    private static Map<String, String> strings(Object value) {
        Map<String, String> out = new TreeMap<>();
        if (value instanceof Map<?, ?> map) map.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
        return out;
    }
}
