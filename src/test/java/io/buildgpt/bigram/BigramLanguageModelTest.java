package io.buildgpt.bigram;

import io.buildgpt.TestTexts;
import io.buildgpt.data.BatchSampler;
import io.buildgpt.data.Batch;
import io.buildgpt.data.CharTokenizer;
import io.buildgpt.data.Split;
import io.buildgpt.data.TokenSplit;
import io.buildgpt.engine.ForwardResult;
import io.buildgpt.engine.GradientCheck;
import io.buildgpt.engine.kernels.Softmax;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class BigramLanguageModelTest {
    private final CharTokenizer tok = CharTokenizer.fromText(TestTexts.SMALL);
    private final TokenSplit split = TokenSplit.of(tok.encode(TestTexts.SMALL), 0.9, 8);

    @Test
    void logitsAreRowsOfTheTableAndLossIsTheMeanCrossEntropy() {
        BigramLanguageModel model = new BigramLanguageModel(tok.vocabSize(), 1337);
        Batch b = new BatchSampler(split, 4, 8, 1337).getBatch(Split.TRAIN);
        ForwardResult out = model.forward(b.x(), b.y());
        int V = tok.vocabSize();
        assertArrayEquals(new long[]{4, 8, V}, out.logits().shape());
        INDArray table = model.parameters().get(0).value();
        // the loss by hand, in double precision, straight from the definition -log(exp(l_y) / sum exp(l))
        double sum = 0;
        for (int i = 0; i < 4; i++) {
            for (int t = 0; t < 8; t++) {
                INDArray row = table.getRow(b.x().getLong(i, t));
                assertEquals(row, out.logits().get(org.nd4j.linalg.indexing.NDArrayIndex.point(i),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(t), org.nd4j.linalg.indexing.NDArrayIndex.all()));
                double z = 0;
                for (int v = 0; v < V; v++) z += Math.exp(row.getDouble(v));
                sum += -(row.getDouble(b.y().getLong(i, t)) - Math.log(z));
            }
        }
        assertEquals(sum / 32, out.loss(), 1e-5);
    }

    @Test
    void untrainedLossIsNearMinusLogOneOverV() {
        BigramLanguageModel model = new BigramLanguageModel(65, 1337);
        Random r = new Random(1);
        int[] x = r.ints(4096, 0, 65).toArray(), y = r.ints(4096, 0, 65).toArray();
        double uniform = -Math.log(1.0 / 65); // 4.17: what a model that guesses uniformly would score
        double loss = model.loss(x, y, 512, 8);
        // N(0,1) logits are not uniform: the expected excess is about var/2 = 0.5 nats
        assertEquals(uniform + 0.5, loss, 0.15);
    }

    @Test
    void forwardWithoutTargetsHasNoLoss() {
        BigramLanguageModel model = new BigramLanguageModel(10, 1);
        ForwardResult out = model.forward(Nd4j.createFromArray(new long[][]{{1, 2, 3}}), null);
        assertFalse(out.hasLoss());
        assertArrayEquals(new long[]{1, 3, 10}, out.logits().shape());
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        BigramLanguageModel model = new BigramLanguageModel(6, 3);
        int[] x = {0, 1, 2, 2, 5, 3}, y = {1, 2, 2, 0, 4, 4};
        double worst = GradientCheck.check(model, x, y, 2, 3, 1e-2, 1e-3);
        assertTrue(worst < 1e-3);
    }

    @Test
    void generateIsSeededAndExtendsTheContext() {
        BigramLanguageModel model = new BigramLanguageModel(tok.vocabSize(), 1337);
        INDArray ctx = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.INT64, 1, 1);
        INDArray a = model.generate(ctx, 100, 7), b = model.generate(ctx, 100, 7), c = model.generate(ctx, 100, 8);
        assertArrayEquals(new long[]{1, 101}, a.shape());
        assertEquals(a, b);
        assertNotEquals(a, c);
        for (long id : a.toLongVector()) assertTrue(id >= 0 && id < tok.vocabSize());
    }

    @Test
    void samplingFollowsTheSoftmax() {
        // logits ln(1), ln(2), ln(7) -> probabilities 0.1, 0.2, 0.7
        float[] logits = {0f, (float) Math.log(2), (float) Math.log(7)};
        int[] counts = new int[3];
        io.buildgpt.random.TorchGenerator rng = new io.buildgpt.random.TorchGenerator(5);
        float[] probs = new float[3], q = new float[3];
        for (int i = 0; i < 100_000; i++) counts[Softmax.sample(logits, 0, 3, rng, probs, q)]++;
        assertEquals(0.1, counts[0] / 1e5, 0.005);
        assertEquals(0.2, counts[1] / 1e5, 0.005);
        assertEquals(0.7, counts[2] / 1e5, 0.005);
    }

    @Test
    void idsOutsideTheVocabularyAreAClearError() {
        BigramLanguageModel model = new BigramLanguageModel(10, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.forward(Nd4j.createFromArray(new long[][]{{1, 12}}), null));
        assertTrue(e.getMessage().contains("token id 12"), e.getMessage());
    }
}
