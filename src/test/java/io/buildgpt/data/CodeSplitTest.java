package io.buildgpt.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CodeSplitTest {
    @TempDir
    Path root;

    private Corpus tenFiles() throws IOException {
        for (int i = 0; i < 10; i++) {
            Path f = root.resolve("src/F" + i + ".java");
            Files.createDirectories(f.getParent());
            Files.writeString(f, "class F" + i + " { String s = \"ünïcode " + i + " \uD83D\uDE80\"; int v" + i + " = " + i * 37 + "; }\n");
        }
        return Corpus.fromCodeFolder(root);
    }

    @Test
    void holdsOutWholeFilesThatNeverAppearInTrain() throws IOException {
        Corpus corpus = tenFiles();
        CodeSplit split = CodeSplit.byFiles(corpus, 0.2, 1);
        assertEquals(2, split.valFiles().size());
        assertEquals(8, split.trainFiles().size());
        ByteTokenizer tok = new ByteTokenizer();
        String train = tok.decode(split.trainIds()), val = tok.decode(split.valIds());
        List<CodeFile> all = new ArrayList<>(split.trainFiles());
        all.addAll(split.valFiles());
        assertEquals(corpus.files().size(), all.size());
        StringBuilder expectedVal = new StringBuilder();
        for (CodeFile f : split.valFiles()) {
            String text = corpus.text().substring(f.start(), f.end());
            assertTrue(text.startsWith("// ===== src/"), "each file keeps its header line");
            assertFalse(train.contains(text), f.path() + " is held out but its text is in train");
            expectedVal.append(text);
        }
        assertEquals(expectedVal.toString(), val, "val is exactly the held-out files, whole and in order");
        for (CodeFile f : split.trainFiles()) assertTrue(train.contains(corpus.text().substring(f.start(), f.end())));
        assertEquals(corpus.text().length(), train.length() + val.length());
    }

    @Test
    void theChoiceDependsOnlyOnTheSeedAndFeedsTheSampler() throws IOException {
        Corpus corpus = tenFiles();
        assertEquals(CodeSplit.byFiles(corpus, 0.3, 5).valFiles(), CodeSplit.byFiles(corpus, 0.3, 5).valFiles());
        TokenSplit ts = CodeSplit.byFiles(corpus, 0.3, 5).tokenSplit(16);
        BatchSampler sampler = new BatchSampler(ts, 2, 16, 0);
        int[] x = new int[32], y = new int[32];
        sampler.fill(Split.VAL, x, y);
        assertEquals(x[1], y[0]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CodeSplit.byFiles(corpus, 0.3, 5).tokenSplit(10_000));
        assertTrue(e.getMessage().contains("blockSize = 10000"), e.getMessage());
        assertTrue(e.getMessage().endsWith("use more text, a smaller blockSize, or hold out other files (a different valFraction"
                + " or seed)"), e.getMessage());
        assertFalse(e.getMessage().contains("trainFraction"), "a code split has no trainFraction: " + e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CodeSplit.byFiles(corpus, 1.0, 5));
        assertTrue(e.getMessage().contains("valFraction = 1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CodeSplit.byFiles(Corpus.fromText("prose", "no files"), 0.1, 5));
        assertTrue(e.getMessage().contains("0 files"), e.getMessage());
    }
}
