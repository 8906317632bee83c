package io.buildgpt.nn;

import io.buildgpt.bench.LectureGpt.GPTLanguageModel;
import io.buildgpt.json.Json;
import io.buildgpt.optim.AdamW;
import io.buildgpt.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The lecture's GPT ({@code gpt.py}: Head, MultiHeadAttention, FeedForward, Block, GPTLanguageModel) written
 * on the tensor library as cells would write it ({@link io.buildgpt.bench.LectureGpt}, which the
 * {@code cells-gpt-small} benchmark runs), against PyTorch's {@code lecture_gpt.py} on the same weights
 * (set by state_dict name from a formula) and batch: the loss, logits, and every parameter's gradient
 * (its sum of squares and a dot product), values from {@code src/bench/tensor_gpt_fixture.py}.
 */
class LectureGptCellTest {
    private static float[] pattern(int j, int n, double scale) {
        float[] p = new float[n];
        for (int i = 0; i < n; i++) p[i] = (float) (scale * Math.sin(0.7 * i + 1.3 * j));
        return p;
    }

    @SuppressWarnings("unchecked")
    @Test
    void lossLogitsAndEveryGradientEqualPyTorch() throws Exception {
        Map<String, Object> fx;
        try (InputStream in = getClass().getResourceAsStream("/tensor_gpt_fixture.json")) {
            fx = (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        int V = 65, block = 8, C = 16, heads = 4, layers = 2, B = 3, T = 8;
        GPTLanguageModel model = new GPTLanguageModel(V, block, C, heads, layers, 0.0);
        List<Map<String, Object>> want = (List<Map<String, Object>>) fx.get("params");
        List<String> names = new ArrayList<>(model.namedParameters().keySet());
        assertEquals(want.stream().map(p -> (String) p.get("name")).toList(), names);
        int j = 0;
        for (var e : model.namedParameters().entrySet()) {
            String n = e.getKey();
            float[] w = pattern(j++, e.getValue().numel(), 0.2);
            boolean lnWeight = n.endsWith("ln1.weight") || n.endsWith("ln2.weight") || n.equals("ln_f.weight");
            for (int i = 0; i < w.length; i++) w[i] += lnWeight ? 1f : 0f;
            try (var g = Tensor.noGrad()) {
                e.getValue().copy_(Tensor.tensor(w, e.getValue().shape()));
            }
        }
        long[] x = new long[B * T], y = new long[B * T];
        for (int i = 0; i < B * T; i++) {
            x[i] = (7L * i + 3) % V;
            y[i] = (5L * i + 1) % V;
        }
        Tensor[] out = model.forward(Tensor.tensor(x, B, T), Tensor.tensor(y, B, T));
        assertEquals(((Number) fx.get("loss")).doubleValue(), out[1].item(), 2e-6);
        List<Object> logits00 = (List<Object>) fx.get("logits00");
        float[] got = out[0].get("0, 0").toFloatArray();
        for (int i = 0; i < V; i++) assertEquals(((Number) logits00.get(i)).doubleValue(), got[i], 2e-6, "logits[0,0," + i + "]");
        out[1].backward();
        j = 0;
        for (var e : model.namedParameters().entrySet()) {
            Map<String, Object> p = want.get(j);
            float[] g = e.getValue().grad().toFloatArray(), pat = pattern(j + 100, g.length, 1.0);
            double sumsq = 0, dot = 0;
            for (int i = 0; i < g.length; i++) {
                sumsq += (double) g[i] * g[i];
                dot += (double) g[i] * pat[i];
            }
            double ws = ((Number) p.get("sumsq")).doubleValue(), wd = ((Number) p.get("dot")).doubleValue();
            assertEquals(ws, sumsq, 1e-4 * ws + 1e-12, e.getKey() + " gradient sum of squares");
            assertEquals(wd, dot, 1e-4 * Math.sqrt(ws * g.length) + 1e-9, e.getKey() + " gradient dot pattern");
            j++;
        }
    }

    @Test
    void trainingStepsMemoriseOneBatch() {
        Tensor.manualSeed(1337);
        int V = 65, B = 4, T = 16;
        GPTLanguageModel model = new GPTLanguageModel(V, T, 32, 4, 2, 0.1);
        AdamW opt = new AdamW(model.parameters(), 3e-3);
        Tensor xb = Tensor.randint(V, B, T), yb = Tensor.randint(V, B, T);
        double first = 0, last = 0;
        for (int s = 0; s < 30; s++) {
            Tensor loss = model.forward(xb, yb)[1];
            if (s == 0) first = loss.item();
            last = loss.item();
            opt.zeroGrad();
            loss.backward();
            opt.step();
        }
        model.eval();
        try (var g = Tensor.noGrad()) {
            last = model.forward(xb, yb)[1].item();
        }
        org.junit.jupiter.api.Assertions.assertTrue(last < first - 1.0, "one batch is memorised: " + first + " -> " + last);
    }
}
