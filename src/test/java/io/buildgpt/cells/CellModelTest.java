package io.buildgpt.cells;

import io.buildgpt.TestTexts;
import io.buildgpt.data.BatchSampler;
import io.buildgpt.data.CharTokenizer;
import io.buildgpt.data.TokenSplit;
import io.buildgpt.engine.BigramLanguageModel;
import io.buildgpt.engine.ForwardResult;
import io.buildgpt.engine.GradientCheck;
import io.buildgpt.engine.Parameter;
import io.buildgpt.train.AdamW;
import io.buildgpt.train.TrainConfig;
import io.buildgpt.train.TrainResult;
import io.buildgpt.train.Trainer;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class CellModelTest {

    /** The lecture's bigram, written as a notebook cell writes it. */
    static final class Bigram extends CellModel {
        final Embedding token_embedding_table;

        Bigram(int vocabSize, INDArray table) {
            super(vocabSize);
            token_embedding_table = new Embedding(table);
        }

        @Override
        public Forward forward(SDVariable idx, SDVariable targets) {
            SDVariable logits = token_embedding_table.forward(idx); // (B,T,C)
            long[] s = F.shape(logits);
            long B = s[0], T = s[1], C = s[2];
            SDVariable loss = F.crossEntropy(logits.reshape(B * T, C), targets.reshape(B * T));
            return new Forward(logits, loss);
        }
    }

    /** One head of self-attention with a pre-LayerNorm, a feed-forward and dropout: every layer of the package once. */
    static final class Tiny extends CellModel {
        final Embedding token_embedding_table, position_embedding_table;
        final LayerNorm ln;
        final Linear key, query, value;
        final Sequential net;
        final Linear lm_head;
        final INDArray tril;

        Tiny(int V, int C, int blockSize, double dropout, Random r) {
            super(V);
            token_embedding_table = new Embedding(randn(r, V, C));
            position_embedding_table = new Embedding(randn(r, blockSize, C));
            ln = new LayerNorm(C);
            key = new Linear(randn(r, C, C), null);
            query = new Linear(randn(r, C, C), null);
            value = new Linear(randn(r, C, C), null);
            net = new Sequential(new Linear(randn(r, 2 * C, C), randn(r, 2 * C)), Sequential.relu(),
                    new Linear(randn(r, C, 2 * C), randn(r, C)), new Dropout(dropout));
            lm_head = new Linear(randn(r, V, C), randn(r, V));
            tril = F.tril(blockSize);
        }

        @Override
        public Forward forward(SDVariable idx, SDVariable targets) {
            long[] s = F.shape(idx);
            int B = (int) s[0], T = (int) s[1];
            SDVariable x = token_embedding_table.forward(idx).add(position_embedding_table.forward(F.arange(idx, T))); // (B,T,C)
            SDVariable h = ln.forward(x);                                                                               // (B,T,C)
            SDVariable k = key.forward(h), q = query.forward(h), v = value.forward(h);                                  // (B,T,C)
            long C = F.shape(k)[2];
            SDVariable wei = idx.getSameDiff().mmul(q, k, false, true, false).mul(Math.pow(C, -0.5));                   // (B,T,T)
            wei = F.maskedFill(wei, tril.get(NDArrayIndex.interval(0, T), NDArrayIndex.interval(0, T)).eq(0), Double.NEGATIVE_INFINITY);
            wei = F.softmax(wei, -1);                                                                                   // (B,T,T)
            x = x.add(idx.getSameDiff().mmul(wei, v));                                                                  // (B,T,C)
            x = x.add(net.forward(x));                                                                                  // (B,T,C)
            SDVariable logits = lm_head.forward(x);                                                                     // (B,T,V)
            long V = F.shape(logits)[2];
            SDVariable loss = F.crossEntropy(logits.reshape(B * T, V), targets.reshape(B * T));
            return new Forward(logits, loss);
        }
    }

    static INDArray randn(Random r, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * 0.5);
        return Nd4j.create(v, shape, 'c');
    }

    @Test
    void parametersAreNamedByTheirStateDictKeys() {
        Tiny m = new Tiny(5, 4, 3, 0, new Random(1));
        assertEquals(List.of("token_embedding_table.weight", "position_embedding_table.weight", "ln.weight", "ln.bias",
                "key.weight", "query.weight", "value.weight", "net.0.weight", "net.0.bias", "net.2.weight", "net.2.bias",
                "lm_head.weight", "lm_head.bias"), List.copyOf(m.namedParameters().keySet()));
        assertEquals(List.of(5, 4), List.of(m.parameters().get(0).shape()[0], m.parameters().get(0).shape()[1]));
    }

    @Test
    void bigramCellEqualsTheHandWrittenBigram() {
        int V = 7;
        BigramLanguageModel engine = new BigramLanguageModel(V, 3);
        INDArray table = engine.parameters().get(0).value();
        Bigram cell = new Bigram(V, table);
        Random r = new Random(2);
        int[] x = r.ints(24, 0, V).toArray(), y = r.ints(24, 0, V).toArray();
        double a = engine.lossAndGradients(x, y, 4, 6);
        double b = cell.lossAndGradients(x, y, 4, 6);
        assertEquals(a, b, 1e-5);
        float[] ga = engine.parameters().get(0).grad(), gb = cell.parameters().get(0).grad();
        for (int i = 0; i < ga.length; i++) assertEquals(ga[i], gb[i], 1e-6, "grad[" + i + "]");
        assertEquals(a, cell.loss(x, y, 4, 6), 1e-5);
        ForwardResult out = cell.forward(Ids.tensor(x, 4, 6), null);
        assertArrayEquals(new long[]{4, 6, V}, out.logits().shape());
        assertFalse(out.hasLoss());
        assertEquals(table.getRow(x[7]), out.logits().get(NDArrayIndex.point(1), NDArrayIndex.point(1), NDArrayIndex.all()));
    }

    @Test
    void weightsMoveByName() {
        Bigram source = new Bigram(6, randn(new Random(11), 6, 6));
        Bigram cell = new Bigram(6, Nd4j.zeros(DataType.FLOAT, 6, 6));
        cell.copyWeightsFrom(source);
        int[] x = {1, 2, 3}, y = {2, 3, 4};
        assertEquals(source.loss(x, y, 1, 3), cell.loss(x, y, 1, 3), 1e-6);
        assertArrayEquals(source.parameters().get(0).data(), cell.parameters().get(0).data());
        Tiny other = new Tiny(6, 4, 3, 0, new Random(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.copyWeightsFrom(source));
        assertTrue(e.getMessage().contains("lm_head.weight"), e.getMessage());
    }

    @Test
    void weightsChangedByTheOptimiserReachTheGraph() {
        Bigram cell = new Bigram(4, Nd4j.zeros(DataType.FLOAT, 4, 4));
        int[] x = {0, 1}, y = {1, 2};
        assertEquals(Math.log(4), cell.loss(x, y, 1, 2), 1e-6); // uniform
        Parameter table = cell.parameters().get(0);
        table.data()[1] = 10f; // row 0 now predicts token 1 with certainty
        table.data()[4 + 2] = 10f;
        assertTrue(cell.loss(x, y, 1, 2) < 0.01);
    }

    @Test
    void gradientsOfEveryLayerMatchFiniteDifferences() {
        Tiny m = new Tiny(5, 4, 3, 0, new Random(7));
        Random r = new Random(3);
        int[] x = r.ints(6, 0, 5).toArray(), y = r.ints(6, 0, 5).toArray();
        double worst = GradientCheck.check(m, x, y, 2, 3, 1e-2, 2e-3);
        assertTrue(worst < 2e-3, "largest difference " + worst);
    }

    @Test
    void dropoutUsesTheFedMaskInTrainingOnlyAndNeedsASource() {
        Tiny m = new Tiny(5, 4, 3, 0.5, new Random(7));
        Tiny same = new Tiny(5, 4, 3, 0.0, new Random(7));
        int[] x = {1, 2, 3, 4, 0, 1}, y = {2, 3, 4, 0, 1, 2};
        assertThrows(IllegalStateException.class, () -> m.lossAndGradients(x, y, 2, 3));
        assertEquals(same.loss(x, y, 2, 3), m.loss(x, y, 2, 3), 1e-6, "evaluation ignores dropout");
        m.setMaskSource((n, p) -> { float[] ones = new float[n]; java.util.Arrays.fill(ones, 1f); return ones; });
        assertEquals(same.lossAndGradients(x, y, 2, 3), m.lossAndGradients(x, y, 2, 3), 1e-6, "a mask of ones changes nothing");
        m.setMaskSource((n, p) -> new float[n]); // every feed-forward output dropped: the residual stream alone
        double dropped = m.lossAndGradients(x, y, 2, 3);
        assertNotEquals(same.loss(x, y, 2, 3), dropped, 1e-4);
        float[] g = m.namedParameters().get("net.2.bias").parameter().grad();
        for (float v : g) assertEquals(0f, v, "a dropped branch gets no gradient");
    }

    @Test
    void trainsWithTheModulesTrainerAndAdamW() {
        CharTokenizer tok = CharTokenizer.fromText(TestTexts.SMALL);
        TokenSplit split = TokenSplit.of(tok.encode(TestTexts.SMALL), 0.9, 8);
        Tiny m = new Tiny(tok.vocabSize(), 8, 8, 0, new Random(5));
        Trainer trainer = new Trainer(m, new BatchSampler(split, 4, 8, 1), new AdamW(m.parameters(), 1e-2));
        TrainResult result = trainer.train(new TrainConfig(60, 59, 4, 1e-2));
        double first = result.history().trainLosses()[0], last = result.last().train();
        assertTrue(last < first - 0.5, first + " -> " + last);
    }
}
