package io.buildgpt.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * Downloads a Hugging Face model of the GPT-2 architecture once into {@code data/models/<owner>--<name>/}:
 * {@code config.json}, {@code model.safetensors}, {@code vocab.json}, {@code merges.txt}, from
 * {@code <base>/<repo>/resolve/main/<file>}. Each file is written to {@code <file>.part} first; an interrupted
 * download resumes from the bytes already there (an HTTP Range request). A complete file is verified before it
 * takes its name: its length against the server's, its SHA-256 against the hub's {@code X-Linked-Etag} where given
 * (the hash of the large files), and {@code model.safetensors}' whole layout ({@link SafeTensors#open}). Files
 * already in place are kept. Progress goes to {@code progress}, about every 5%.
 */
public final class HfDownload {
    public static final List<String> FILES = List.of("config.json", "model.safetensors", "vocab.json", "merges.txt");
    public static final URI HUB = URI.create("https://huggingface.co/");
    private static final int CHUNK = 1 << 16;

    private final URI base;
    private final HttpClient client;
    private final Consumer<String> progress;

    /** From {@code base} (normally {@link #HUB}), reporting to {@code progress} (e.g. {@code System.out::println}). */
    public HfDownload(URI base, Duration connectTimeout, Consumer<String> progress) {
        this.base = base;
        this.progress = progress;
        this.client = HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** The folder {@code repo} ({@code owner/name} or {@code name}) lands in under {@code modelsRoot}. */
    public static Path folderOf(Path modelsRoot, String repo) {
        if (!repo.matches("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?") || repo.contains("..")) {
            throw new IllegalArgumentException("'" + repo + "' is not a Hugging Face model name like gpt2 or microsoft/CodeGPT-small-java");
        }
        return modelsRoot.resolve(repo.replace("/", "--"));
    }

    /** {@code nameOrFolder} as it is when it is a folder, else the hub model of that name, downloaded (once) under {@code modelsRoot}. */
    public Path resolve(String nameOrFolder, Path modelsRoot) throws IOException {
        Path folder = Path.of(nameOrFolder);
        return Files.isDirectory(folder) ? folder : fetch(nameOrFolder, modelsRoot);
    }

    /** Downloads what is missing of {@code repo} into {@link #folderOf}; returns the folder. */
    public Path fetch(String repo, Path modelsRoot) throws IOException {
        Path folder = folderOf(modelsRoot, repo);
        Files.createDirectories(folder);        // not its return value: for a new folder that is made absolute
        for (String file : FILES) {
            Path target = folder.resolve(file);
            if (Files.isRegularFile(target)) continue;
            fetchFile(repo, file, target);
        }
        return folder;
    }

    private void fetchFile(String repo, String file, Path target) throws IOException {
        URI url = base.resolve(repo + "/resolve/main/" + file);
        Path part = target.resolveSibling(file + ".part");
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        HttpRequest.Builder req = HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(30)).GET();
        if (have > 0) req.header("Range", "bytes=" + have + "-");
        HttpResponse<InputStream> res;
        try {
            res = client.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new IOException(url + ": cannot download " + file + " (" + e + "); without a network, copy the model's folder (config.json,"
                    + " model.safetensors, vocab.json, merges.txt) to " + target.getParent() + " and load it from there", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(url + ": interrupted", e);
        }
        int status = res.statusCode();
        boolean resumed = status == 206;
        if (status != 200 && status != 206) {
            res.body().close();
            throw new IOException(url + ": HTTP " + status + " for " + file + (status == 404 ? ": no such model or file on the hub" : "")
                    + (status == 401 || status == 403 ? ": the model is gated or private (log in and download it yourself)" : ""));
        }
        long start = resumed ? have : 0;
        long length = res.headers().firstValueAsLong("Content-Length").orElse(-1);
        long total = length < 0 ? -1 : start + length;
        String sha = res.headers().firstValue("X-Linked-Etag").map(v -> v.replace("\"", "")).filter(v -> v.matches("[0-9a-f]{64}")).orElse(null);
        try (InputStream in = res.body(); OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                resumed ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            if (resumed) progress.accept(file + ": resuming at " + mb(start));
            byte[] buf = new byte[CHUNK];
            long done = start, next = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                done += n;
                if (total > 0 && done >= next) {
                    progress.accept(file + ": " + mb(done) + " of " + mb(total));
                    next = done + Math.max(total / 20, 1);
                }
            }
        }
        verify(url, file, part, total, sha);
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        progress.accept(file + ": complete, " + mb(Files.size(target)));
    }

    private static void verify(URI url, String file, Path part, long total, String sha) throws IOException {
        long size = Files.size(part);
        if (total >= 0 && size != total) {
            throw new IOException(url + ": " + file + " ended at " + size + " of " + total + " bytes; run again to resume");
        }
        if (sha != null) {
            String got = sha256(part);
            if (!got.equals(sha)) {
                Files.delete(part);                                  // a resume cannot repair it
                throw new IOException(url + ": " + file + " has SHA-256 " + got + " but the hub says " + sha + "; the partial file was"
                        + " deleted, run again to download it anew");
            }
        }
        if (file.endsWith(".safetensors")) SafeTensors.open(part);  // the whole layout, or a CheckpointException naming it
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[CHUNK];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static String mb(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
