package io.buildgpt.data;

import io.buildgpt.random.TorchGenerator;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A code-folder corpus split into train and validation by whole files.
 *
 * <p>Why not the lecture's "first 90% / last 10%" or random offsets: files of one project repeat
 * each other (imports, boilerplate, the same helper called everywhere), and a window of a file the
 * model trains on says little about code it has not seen. Holding out whole files makes the
 * validation loss mean "loss on files the model never read". Which files are held out is drawn
 * from {@code seed}, so a run is repeatable; each part keeps the corpus's sorted file order, and
 * every file brings its separator line ({@link Corpus#FILE_SEPARATOR_FORMAT}) along.
 */
public final class CodeSplit {
    /** The folder the fine-tuning notebook reads by default: this project's own sources, relative to the project root. */
    public static final java.nio.file.Path DEFAULT_FOLDER = java.nio.file.Path.of("src", "main", "java");

    private final List<CodeFile> trainFiles, valFiles;
    private final int[] train, val;

    private CodeSplit(List<CodeFile> trainFiles, List<CodeFile> valFiles, int[] train, int[] val) {
        this.trainFiles = List.copyOf(trainFiles);
        this.valFiles = List.copyOf(valFiles);
        this.train = train;
        this.val = val;
    }

    /** Holds out {@code round(valFraction * files)} files (at least one, at most all but one), encoded as UTF-8 bytes. */
    public static CodeSplit byFiles(Corpus corpus, double valFraction, long seed) {
        return byFiles(corpus, valFraction, seed, new ByteTokenizer()::encode);
    }

    /** The same with any tokenizer's {@code encode}. */
    public static CodeSplit byFiles(Corpus corpus, double valFraction, long seed, Function<String, int[]> encode) {
        List<CodeFile> files = corpus.files();
        if (files.size() < 2) {
            throw new IllegalArgumentException("corpus '" + corpus.name() + "' has " + files.size()
                    + " files: a split by whole files needs at least 2; use Corpus.fromCodeFolder on a folder with more files");
        }
        if (!(valFraction > 0 && valFraction < 1)) {
            throw new IllegalArgumentException("valFraction = " + valFraction + " is out of range: it must be strictly between 0 and 1 (e.g. 0.1)");
        }
        int nVal = (int) Math.max(1, Math.min(files.size() - 1, Math.round(valFraction * files.size())));
        int[] order = new TorchGenerator(seed).randperm(files.size()); // torch.manual_seed(seed); torch.randperm(n)
        boolean[] held = new boolean[files.size()];
        for (int i = 0; i < nVal; i++) held[order[i]] = true;
        List<CodeFile> trainFiles = new ArrayList<>(), valFiles = new ArrayList<>();
        StringBuilder trainText = new StringBuilder(), valText = new StringBuilder();
        String text = corpus.text();
        for (int i = 0; i < files.size(); i++) {
            CodeFile f = files.get(i);
            (held[i] ? valFiles : trainFiles).add(f);
            (held[i] ? valText : trainText).append(text, f.start(), f.end());
        }
        return new CodeSplit(trainFiles, valFiles, encode.apply(trainText.toString()), encode.apply(valText.toString()));
    }

    /** The two parts as a {@link TokenSplit} for a {@link BatchSampler}; each needs at least {@code blockSize + 1} tokens. */
    public TokenSplit tokenSplit(int blockSize) {
        return TokenSplit.of(train, val, blockSize);
    }

    public List<CodeFile> trainFiles() {
        return trainFiles;
    }

    public List<CodeFile> valFiles() {
        return valFiles;
    }

    /** Train token ids, shared, not copied. */
    public int[] trainIds() {
        return train;
    }

    /** Validation token ids, shared, not copied. */
    public int[] valIds() {
        return val;
    }

    @Override
    public String toString() {
        return "CodeSplit(train=" + trainFiles.size() + " files, " + train.length + " tokens; val=" + valFiles.size()
                + " files, " + val.length + " tokens)";
    }
}
