package io.buildgpt.engine;

import io.buildgpt.bigram.BigramLanguageModel;
import io.buildgpt.data.BatchSampler;
import io.buildgpt.data.CharTokenizer;
import io.buildgpt.data.Corpus;
import io.buildgpt.data.Split;
import io.buildgpt.data.TokenSplit;
import io.buildgpt.random.TorchGenerator;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The lecture's notebook code on tiny Shakespeare, seeded as the lecture seeds it, gives what PyTorch
 * prints (values from {@code python3 src/bench/lecture_values.py tinyshakespeare.txt}, PyTorch 2.13 CPU).
 * Runs where {@code ../shared/data/tinyshakespeare.txt} sits beside the project.
 */
class LectureValuesTest {
    private static final Path CORPUS = Path.of("").toAbsolutePath().resolve("../shared/data/tinyshakespeare.txt").normalize();

    @Test
    void batchUntrainedLossAndGeneratedText() {
        assumeTrue(Files.isRegularFile(CORPUS), "no " + CORPUS + "; skipping the lecture-value checks");
        String text = Corpus.fromFile(CORPUS).text();
        CharTokenizer tok = CharTokenizer.fromText(text);
        TokenSplit split = TokenSplit.of(tok.encode(text), 0.9, 8);

        // torch.manual_seed(1337); xb, yb = get_batch('train')   with batch_size 4, block_size 8
        var batch = new BatchSampler(split, 4, 8, 1337).getBatch(Split.TRAIN);
        assertArrayEquals(new long[][]{{24, 43, 58, 5, 57, 1, 46, 43}, {44, 53, 56, 1, 58, 46, 39, 58},
                {52, 58, 1, 58, 46, 39, 58, 1}, {25, 17, 27, 10, 0, 21, 1, 54}}, batch.x().toLongMatrix());
        assertArrayEquals(new long[][]{{43, 58, 5, 57, 1, 46, 43, 39}, {53, 56, 1, 58, 46, 39, 58, 1},
                {58, 1, 58, 46, 39, 58, 1, 46}, {17, 27, 10, 0, 21, 1, 54, 39}}, batch.y().toLongMatrix());

        // torch.manual_seed(1337); m = BigramLanguageModel(vocab_size); logits, loss = m(xb, yb)
        TorchGenerator g = new TorchGenerator(1337);
        BigramLanguageModel m = new BigramLanguageModel(tok.vocabSize(), g);
        var out = m.forward(batch.x(), batch.y());
        assertEquals(4.87863493, out.loss(), 1e-6);
        INDArray start = Nd4j.zeros(DataType.INT64, 1, 1);
        String generated = tok.decode(m.generate(start, 100, g).toLongVector());
        assertEquals("\nSKIcLT;AcELMoTbvZv C?nq-QE33:CJqkOKH-q;:la!oiywkHjgChzbQ?u!3bLIgwevmyFJGUGp\nwnYWmnxKWWev-tDqXErVKLgJ",
                generated);
    }

    @Test
    void selfAttentionVersionFourPrintsTheLecturesWeights() {
        // torch.manual_seed(1337); x = torch.randn(4, 8, 32); key, query, value = nn.Linear(32, 16, bias=False)
        // wei = softmax(masked(q @ k^T)) (unscaled, as first printed in the lecture): row 7 of wei[0]
        TorchGenerator g = new TorchGenerator(1337);
        INDArray x = SelfAttentionTrick.randn(g, 4, 8, 32);                  // (B,T,C)
        INDArray wKey = SelfAttentionTrick.linearWeights(g, 32, 16);         // (C,hs), drawn first as in the lecture
        INDArray wQuery = SelfAttentionTrick.linearWeights(g, 32, 16);
        INDArray x0 = x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)); // (T,C)
        INDArray wei = SelfAttentionTrick.causalSoftmax(x0.mmul(wQuery).mmul(x0.mmul(wKey).transpose())); // (T,T)
        float[] row7 = wei.getRow(7).toFloatVector();
        float[] lecture = {0.0210f, 0.0843f, 0.0555f, 0.2297f, 0.0573f, 0.0709f, 0.2423f, 0.2391f};
        assertArrayEquals(lecture, row7, 5e-5f);
    }
}
