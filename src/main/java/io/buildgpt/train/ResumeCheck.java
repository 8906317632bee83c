package io.buildgpt.train;

import io.buildgpt.data.Corpus;
import io.buildgpt.engine.GptConfig;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@link Checkpoint#resume} checks before it continues a run: the checkpoint was trained on the same
 * corpus, with the same vocabulary, for a model of the same sizes as the parameters cell says now. Any
 * difference is refused, naming both values, since resuming would silently continue another model. A
 * changed dropout or learning rate is a training setting, not a weight: the run continues with the
 * cell's value, and says so.
 */
final class ResumeCheck {
    private ResumeCheck() {
    }

    /** How a checkpoint names its corpus: the name, the length and the start of the text's SHA-256. */
    static String corpusId(Corpus corpus) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(corpus.text().getBytes(StandardCharsets.UTF_8));
            return corpus.name() + " (" + corpus.length() + " characters, sha256 " + HexFormat.of().formatHex(digest, 0, 8) + ")";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** Refuses {@code file} (whose header holds {@code savedCorpus}, {@code savedVocabulary}, {@code saved}) for another run. */
    static void check(Path file, Map<String, Object> header, GptConfig saved, GptConfig config, String vocabulary, Corpus corpus) {
        String name = file.getFileName().toString();
        String startOver = " Delete " + name + " (or set checkpointFile to another file) to start over, or set the cell back to the"
                + " checkpoint's values to continue it.";
        if (!(header.get("corpus") instanceof String savedCorpus) || !(header.get("vocabulary") instanceof String savedVocabulary)) {
            throw new IllegalArgumentException("the checkpoint " + name + " was saved without its corpus and vocabulary (by an earlier"
                    + " version, or by Checkpoint.save without them), so it cannot be checked against the parameters cell."
                    + " Delete it to start over, or load it with Checkpoint.load(path) if you know it fits.");
        }
        String now = corpusId(corpus);
        if (!savedCorpus.equals(now)) {
            throw new IllegalArgumentException("the checkpoint " + name + " was trained on the corpus " + savedCorpus
                    + ", but the parameters cell names " + now + ": resuming would continue another text's model." + startOver);
        }
        List<String> differences = new ArrayList<>();
        differ(differences, "vocabSize", saved.vocabSize(), config.vocabSize());
        differ(differences, "blockSize", saved.blockSize(), config.blockSize());
        differ(differences, "nEmbd", saved.nEmbd(), config.nEmbd());
        differ(differences, "nHead", saved.nHead(), config.nHead());
        differ(differences, "nLayer", saved.nLayer(), config.nLayer());
        if (!differences.isEmpty()) {
            throw new IllegalArgumentException("the checkpoint " + name + " holds another model than the parameters cell describes: "
                    + String.join(", ", differences) + ". Resuming would train the checkpoint's model, not this one." + startOver);
        }
        if (!savedVocabulary.equals(vocabulary)) {
            throw new IllegalArgumentException("the checkpoint " + name + " was saved with the vocabulary " + Checkpoint.quote(savedVocabulary)
                    + " but this run's tokenizer has " + Checkpoint.quote(vocabulary) + ": the model's ids would mean other characters."
                    + startOver);
        }
    }

    private static void differ(List<String> out, String field, int saved, int now) {
        if (saved != now) out.add(field + " = " + saved + " in the checkpoint but " + now + " in the parameters cell");
    }

    /** The line saying a training setting changed since the checkpoint, or null when it did not. */
    static String changed(String what, double saved, double now, String note) {
        if (saved == now) return null;
        return String.format(Locale.ROOT, "%s: %s in the checkpoint, %s in the parameters cell: continuing with %s (%s)",
                what, saved, now, now, note);
    }
}
