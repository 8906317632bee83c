package io.buildgpt.nn;

import io.buildgpt.random.TorchGenerator;
import io.buildgpt.random.TorchInit;
import io.buildgpt.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Module's names are PyTorch's state_dict keys, train()/eval() reach every layer, layers draw as PyTorch's. */
class ModuleTest {
    static class Head extends Module {
        final Linear key, query, value;
        final Tensor tril = Tensor.tril(Tensor.ones(4, 4));          // a buffer: no gradient, not a parameter

        Head(int nEmbd, int headSize) {
            key = new Linear(nEmbd, headSize, false);
            query = new Linear(nEmbd, headSize, false);
            value = new Linear(nEmbd, headSize, false);
        }
    }

    static class Tiny extends Module {
        final Embedding tokenEmbeddingTable = new Embedding(10, 8);
        final ModuleList<Head> heads = new ModuleList<>(List.of(new Head(8, 4), new Head(8, 4)));
        final Sequential ffwd = new Sequential(new Linear(8, 32), new ReLU(), new Linear(32, 8), new Dropout(0.2));
        final LayerNorm lnF = new LayerNorm(8);
        final Linear lmHead = new Linear(8, 10);
    }

    @Test
    void namesAreStateDictKeysInRegistrationOrder() {
        Tensor.manualSeed(1);
        Tiny m = new Tiny();
        assertEquals(List.of("token_embedding_table.weight",
                "heads.0.key.weight", "heads.0.query.weight", "heads.0.value.weight",
                "heads.1.key.weight", "heads.1.query.weight", "heads.1.value.weight",
                "ffwd.0.weight", "ffwd.0.bias", "ffwd.2.weight", "ffwd.2.bias",
                "ln_f.weight", "ln_f.bias", "lm_head.weight", "lm_head.bias"), new ArrayList<>(m.namedParameters().keySet()));
        assertEquals(10 * 8 + 6 * 32 + (8 * 32 + 32) + (32 * 8 + 8) + 16 + (8 * 10 + 10), m.numParameters());
    }

    @Test
    void evalTurnsDropoutOffEverywhere() {
        Tensor.manualSeed(2);
        Tiny m = new Tiny();
        Tensor x = Tensor.ones(3, 8);
        m.eval();
        assertFalse(m.ffwd.get(3).isTraining());
        assertArrayEquals(x.toFloatArray(), m.ffwd.get(3).forward(x).toFloatArray());
        m.train();
        float[] dropped = m.ffwd.get(3).forward(x).toFloatArray();
        int zeros = 0;
        for (float v : dropped) {
            assertTrue(v == 0f || v == 1.25f, "kept values scaled by 1/(1-p)");
            if (v == 0) zeros++;
        }
        assertTrue(zeros > 0 && zeros < 24);
    }

    @Test
    void layersDrawTheirWeightsAsPyTorchInOrder() {
        TorchGenerator g = new TorchGenerator(1337);
        float[] w = TorchInit.linearWeight(g, 8, 4), b = TorchInit.linearBias(g, 8, 4);
        Tensor.manualSeed(1337);
        Linear lin = new Linear(8, 4);
        assertArrayEquals(w, lin.weight.toFloatArray());
        assertArrayEquals(b, lin.bias.toFloatArray());
        assertArrayEquals(new int[]{4, 8}, lin.weight.shape());
        Tensor y = lin.forward(Tensor.ones(2, 3, 8));
        assertArrayEquals(new int[]{2, 3, 4}, y.shape());
        float s = b[0];
        for (int i = 0; i < 8; i++) s += w[i];
        assertEquals(s, y.toFloatArray()[0], 1e-6f);
        assertNotEquals(0f, s);
    }
}
