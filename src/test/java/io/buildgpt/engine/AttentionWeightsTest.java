package io.buildgpt.engine;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class AttentionWeightsTest {

    @Test
    void firstLayerWeightsMatchTheTrickComputedFromTheModelsOwnParameters() {
        GptConfig config = new GptConfig(11, 6, 8, 2, 2, 0.0);
        GptLanguageModel model = new GptLanguageModel(config, 5);
        int[] context = {3, 1, 4, 1, 5, 9};
        float[][] w = model.attentionWeights(context, 0, 1);

        // independent route: x = tok + pos, LayerNorm ln1 by hand, then SelfAttentionTrick.head with head 1's weights
        List<Parameter> p = StateDict.copies(model);  // head 1's key, query, value under the lecture's names
        INDArray tok = param(p, "token_embedding_table.weight"), pos = param(p, "position_embedding_table.weight");
        INDArray x = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 6, 8);
        for (int t = 0; t < 6; t++) {
            INDArray row = tok.getRow(context[t]).add(pos.getRow(t));
            double mean = row.meanNumber().doubleValue();
            double var = row.sub(mean).mul(row.sub(mean)).meanNumber().doubleValue();
            INDArray norm = row.sub(mean).div(Math.sqrt(var + 1e-5)).mul(param(p, "blocks.0.ln1.weight")).add(param(p, "blocks.0.ln1.bias"));
            x.get(NDArrayIndex.point(0), NDArrayIndex.point(t), NDArrayIndex.all()).assign(norm);
        }
        // PyTorch Linear weights are (out, in); the trick wants (C, hs)
        SelfAttentionTrick.HeadOutput h = SelfAttentionTrick.head(x, param(p, "blocks.0.sa.heads.1.key.weight").transpose(),
                param(p, "blocks.0.sa.heads.1.query.weight").transpose(), param(p, "blocks.0.sa.heads.1.value.weight").transpose());
        for (int t = 0; t < 6; t++) {
            double sum = 0;
            for (int s = 0; s < 6; s++) {
                assertEquals(h.weights().getDouble(0, t, s), w[t][s], 1e-5, "w[" + t + "][" + s + "]");
                if (s > t) assertEquals(0f, w[t][s]);
                sum += w[t][s];
            }
            assertEquals(1.0, sum, 1e-5);
        }
    }

    @Test
    void missingLayerOrHeadIsAClearError() {
        GptLanguageModel model = new GptLanguageModel(new GptConfig(11, 6, 8, 2, 2, 0.0), 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.attentionWeights(new int[]{1, 2}, 2, 0));
        assertTrue(e.getMessage().contains("layers 0..1"), e.getMessage());
    }

    private static INDArray param(List<Parameter> ps, String name) {
        return ps.stream().filter(q -> q.name().equals(name)).findFirst().orElseThrow().value();
    }
}
