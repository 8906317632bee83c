package io.buildgpt.tensor;

import io.buildgpt.random.TorchGenerator;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The library's face: factories against TorchGenerator, views sharing storage, the no-grad scope, errors, ND4J. */
class TensorApiTest {
    @Test
    void factoriesDrawAsTorchGeneratorDoes() {
        Tensor.manualSeed(42);
        float[] a = Tensor.randn(3, 5).toFloatArray();
        long[] ids = Tensor.randint(65, 4).toLongArray();
        TorchGenerator g = new TorchGenerator(42);
        assertArrayEquals(g.randn(15), a);
        assertArrayEquals(g.randint(65, 4), ids);
        assertEquals("tensor([0, 1, 2, 3, 4])", Tensor.arange(5).toString());
        assertArrayEquals(new float[]{1, 0, 1, 1}, Tensor.tril(Tensor.ones(2, 2)).toFloatArray());
        Tensor probs = Tensor.tensor(new float[]{0f, 0f, 1f, 0f, 1f, 0f}, 2, 3);
        assertArrayEquals(new long[]{2, 1}, Tensor.multinomial(probs, 1).toLongArray());   // certain draws
        assertArrayEquals(new int[]{2, 1}, Tensor.multinomial(probs, 1).shape());
    }

    @Test
    void viewsShareStorageAndSlicesFollowPython() {
        Tensor x = Tensor.tensor(new float[]{0, 1, 2, 3, 4, 5}, 2, 3);
        Tensor t = x.transpose(0, 1);
        assertFalse(t.isContiguous());
        assertArrayEquals(new float[]{0, 3, 1, 4, 2, 5}, t.toFloatArray());
        x.data()[1] = 10;
        assertEquals(10, t.get("1, 0").item());
        assertArrayEquals(new float[]{10, 2, 4, 5}, x.get(":, 1:").toFloatArray());
        assertArrayEquals(new float[]{2, 5}, x.get(":, -1").toFloatArray());
        assertArrayEquals(new long[]{3, 4}, Tensor.arange(5).slice(0, -2).toLongArray());        // idx[:, -blockSize:] on one row
        assertArrayEquals(new long[]{0, 1, 2, 3, 4}, Tensor.arange(5).slice(0, -8).toLongArray()); // a crop longer than the row
        assertThrows(IllegalArgumentException.class, () -> t.view(6));
        assertArrayEquals(new float[]{0, 3, 10, 4, 2, 5}, t.reshape(6).toFloatArray());
    }

    @Test
    void noGradScopeRecordsNothingAndNests() {
        Tensor w = Tensor.ones(2).requiresGrad_(true);
        try (var g = Tensor.noGrad()) {
            try (var inner = Tensor.noGrad()) {
                assertFalse(w.mul(2.0).requiresGrad());
            }
            assertNull(w.mul(2.0).gradFnName());
        }
        Tensor y = w.mul(2.0).sum();
        assertEquals("SumBackward0", y.gradFnName());
        y.backward();
        assertArrayEquals(new float[]{2, 2}, w.grad().toFloatArray());
        w.mul(3.0).sum().backward();                                                 // gradients accumulate, as in PyTorch
        assertArrayEquals(new float[]{5, 5}, w.grad().toFloatArray());
    }

    @Test
    void shapeErrorsNameBothShapes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(2, 3)));
        assertTrue(e.getMessage().contains("2x3 and 2x3"), e.getMessage());
        var b = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).add(Tensor.zeros(4)));
        assertTrue(b.getMessage().contains("[2, 3]") && b.getMessage().contains("[4]"), b.getMessage());
        assertThrows(IllegalStateException.class, () -> Tensor.zeros(2).requiresGrad_(true).mul(2.0).backward());
        assertThrows(IllegalStateException.class, () -> Tensor.zeros(1).backward());
        assertThrows(IndexOutOfBoundsException.class, () -> Tensor.zeros(2, 3).select(1, 3));
        assertThrows(IllegalArgumentException.class, () -> Tensor.arange(3).exp());
    }

    @Test
    void convertsToAndFromNd4j() {
        Tensor x = Tensor.tensor(new float[]{1, 2, 3, 4, 5, 6}, 2, 3).transpose(0, 1);
        INDArray a = x.toINDArray();
        assertArrayEquals(new long[]{3, 2}, a.shape());
        assertEquals(4f, a.getFloat(0, 1));
        Tensor back = Tensor.from(a);
        assertArrayEquals(x.toFloatArray(), back.toFloatArray());
        Tensor ids = Tensor.from(Tensor.arange(4).view(2, 2).toINDArray());
        assertEquals(DType.INT64, ids.dtype());
        assertArrayEquals(new long[]{0, 1, 2, 3}, ids.toLongArray());
    }

    @Test
    void catAndGenerateStyleCropping() {
        Tensor idx = Tensor.tensor(new long[]{0}, 1, 1);
        for (int i = 1; i <= 10; i++) idx = Tensor.cat(List.of(idx, Tensor.tensor(new long[]{i}, 1, 1)), 1);
        Tensor cond = idx.get(":, -8:");                                              // idx_cond = idx[:, -block_size:]
        assertArrayEquals(new int[]{1, 8}, cond.shape());
        assertArrayEquals(new long[]{3, 4, 5, 6, 7, 8, 9, 10}, cond.toLongArray());
    }

    @Test
    void versionOneOfTheTrickWritesIntoSlicesAndEqualsVersionTwo() {
        // the lecture's xbow[b, t] = torch.mean(x[b, :t+1], 0), then wei = tril / sum, xbow2 = wei @ x, allclose
        Tensor.manualSeed(1337);
        int B = 4, T = 8, C = 2;
        Tensor x = Tensor.randn(B, T, C);
        Tensor xbow = Tensor.zeros(B, T, C);
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                Tensor xprev = x.get(b + ", :" + (t + 1));                        // (t+1, C)
                xbow.get(b + ", " + t).copy_(xprev.mean(0));
            }
        }
        Tensor wei = Tensor.tril(Tensor.ones(T, T));
        wei = wei.div(wei.sum(1, true));
        Tensor xbow2 = wei.matmul(x);                                              // (T,T) @ (B,T,C) -> (B,T,C)
        assertTrue(xbow.allclose(xbow2));
        assertEquals(List.of(4, 8, 2), xbow2.size());
        assertFalse(xbow.allclose(xbow2.add(1e-3)));
        assertEquals(x.get("0, 0").toString(), xbow.get("0, 0").toString());         // the first row is its own mean
        assertEquals(DType.INT64, Tensor.zeros(DType.INT64, 1, 1).dtype());
        assertEquals(Math.sqrt(7.0 / 3), Tensor.tensor(new float[]{1, 2, 4}).std().item(), 1e-6);   // by hand: var = (16+1+25)/9/2
        assertArrayEquals(new long[]{3, 1}, Tensor.tensor(new int[]{3, 1}).toLongArray());
        Tensor leaf = Tensor.zeros(2).requiresGrad_(true);
        assertThrows(IllegalStateException.class, () -> leaf.copy_(Tensor.ones(2)));
        try (var g = Tensor.noGrad()) {
            leaf.copy_(Tensor.ones(2));
        }
        assertArrayEquals(new float[]{1, 1}, leaf.toFloatArray());
    }
}
