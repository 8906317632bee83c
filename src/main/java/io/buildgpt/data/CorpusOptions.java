package io.buildgpt.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Where named corpora are cached and where they may come from instead of the network.
 *
 * @param dataDir  the cache folder; a named corpus lives there as {@code <name>.txt}
 * @param localDir if not null, named corpora are read from this folder only and nothing is
 *                 downloaded (offline work, tests, CI); null means cache-then-download
 * @param download limits for downloads
 */
public record CorpusOptions(Path dataDir, Path localDir, DownloadConfig download) {

    /** System property naming a folder of corpus files to use instead of downloading. */
    public static final String DIR_PROPERTY = "buildgpt.corpus.dir";
    /** Environment variable with the same meaning as {@link #DIR_PROPERTY}; the property wins. */
    public static final String DIR_ENV = "BUILDGPT_CORPUS_DIR";

    public CorpusOptions {
        if (dataDir == null) {
            throw new IllegalArgumentException("dataDir must not be null; use CorpusOptions.defaults() for data/");
        }
        if (download == null) {
            throw new IllegalArgumentException("download must not be null; use DownloadConfig.defaults()");
        }
        dataDir = dataDir.toAbsolutePath().normalize();
        localDir = localDir == null ? null : localDir.toAbsolutePath().normalize();
    }

    /**
     * The default data folder ({@code data/} of the project, see {@link #findDataDir(Path)}), the
     * local folder from {@value #DIR_PROPERTY} or {@value #DIR_ENV} if either is set, and default
     * download limits. A relative local folder is taken relative to the working directory.
     */
    public static CorpusOptions defaults() {
        return resolve(System::getProperty, System::getenv, Path.of("").toAbsolutePath());
    }

    /** {@link #defaults()} with its inputs made explicit, so tests need not touch real env vars. */
    static CorpusOptions resolve(UnaryOperator<String> properties, UnaryOperator<String> env, Path workingDir) {
        String dir = properties.apply(DIR_PROPERTY);
        if (dir == null || dir.isBlank()) {
            dir = env.apply(DIR_ENV);
        }
        Path local = dir == null || dir.isBlank() ? null : workingDir.resolve(dir.strip());
        return new CorpusOptions(findDataDir(workingDir), local, DownloadConfig.defaults());
    }

    /**
     * {@code data/} beside the nearest {@code pom.xml} at or above {@code start}, else
     * {@code start/data}. Walking up matters because notebooks run in {@code notebooks/} while
     * the cache belongs to the whole project, so every notebook shares one download.
     */
    public static Path findDataDir(Path start) {
        Path abs = start.toAbsolutePath().normalize();
        for (Path dir = abs; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir.resolve("data");
            }
        }
        return abs.resolve("data");
    }

    public CorpusOptions withDataDir(Path dir) {
        return new CorpusOptions(dir, localDir, download);
    }

    /** A copy that reads named corpora from {@code dir} (null: download into the cache again). */
    public CorpusOptions withLocalDir(Path dir) {
        return new CorpusOptions(dataDir, dir, download);
    }

    public CorpusOptions withDownload(DownloadConfig config) {
        return new CorpusOptions(dataDir, localDir, config);
    }
}
