package io.buildgpt.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the text of a named corpus: in the local folder if one is configured (never touching
 * the network), else in the cache, else by downloading it into the cache first.
 */
final class NamedCorpusLoader {

    private NamedCorpusLoader() {
    }

    static Corpus load(CorpusSource source, CorpusOptions options) {
        if (options.localDir() != null) {
            return fromLocalDir(source, options.localDir());
        }
        Path cached = options.dataDir().resolve(source.fileName());
        String where;
        String origin;
        if (Files.isRegularFile(cached)) {
            where = cached + " (cached)";
            origin = source.fileName() + " from the cache";
        } else {
            new Downloader(options.download()).download(source, cached);
            where = cached + " (downloaded from " + source.url() + ")";
            origin = source.fileName() + " downloaded into the cache";
        }
        byte[] bytes = Utf8Files.readBytes(cached);
        Checksums.verify(bytes, source.sha256(), "the cached corpus " + cached,
                "Delete the file so it is downloaded again, or replace it with the original.");
        return new Corpus(source.name(), Utf8Files.decode(bytes, cached.toString()), where, origin);
    }

    /**
     * Files in the local folder are used as they are (no Gutenberg stripping: they are expected
     * to be ready-made corpora like {@code shared/data}), but a known checksum is still enforced.
     */
    private static Corpus fromLocalDir(CorpusSource source, Path dir) {
        Path file = dir.resolve(source.fileName());
        if (!Files.isRegularFile(file)) {
            throw new CorpusException("Corpus '" + source.name() + "' not found at " + file + ": "
                    + CorpusOptions.DIR_ENV + " / -D" + CorpusOptions.DIR_PROPERTY + " points at " + dir
                    + ", which has no " + source.fileName() + ". Place the file there, or unset the variable"
                    + " to download it into the data folder.");
        }
        byte[] bytes = Utf8Files.readBytes(file);
        Checksums.verify(bytes, source.sha256(), file.toString(),
                "Replace it with the original from " + source.url() + ".");
        return new Corpus(source.name(), Utf8Files.decode(bytes, file.toString()), file.toString(),
                source.fileName() + " from the local corpus folder");
    }
}
