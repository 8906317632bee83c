package io.buildgpt.nn;

import io.buildgpt.json.Json;
import io.buildgpt.optim.AdamW;
import io.buildgpt.tensor.F;
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
 * on the tensor library as cells would write it, against PyTorch's {@code lecture_gpt.py} on the same weights
 * (set by state_dict name from a formula) and batch: the loss, logits, and every parameter's gradient
 * (its sum of squares and a dot product), values from {@code src/bench/tensor_gpt_fixture.py}.
 */
class LectureGptCellTest {
    static class Head extends Module {
        final Linear key, query, value;
        final Tensor tril;
        final Dropout dropout;

        Head(int nEmbd, int headSize, int blockSize, double dropout) {
            key = new Linear(nEmbd, headSize, false);
            query = new Linear(nEmbd, headSize, false);
            value = new Linear(nEmbd, headSize, false);
            tril = Tensor.tril(Tensor.ones(blockSize, blockSize));
            this.dropout = new Dropout(dropout);
        }

        @Override
        public Tensor forward(Tensor x) {
            int T = x.size(1);
            Tensor k = key.forward(x);                                                  // (B,T,hs)
            Tensor q = query.forward(x);                                                // (B,T,hs)
            Tensor wei = q.matmul(k.transpose(-2, -1)).mul(Math.pow(k.size(-1), -0.5)); // (B,T,T)
            wei = wei.maskedFill(tril.slice(0, 0, T).slice(1, 0, T).eq(0), Double.NEGATIVE_INFINITY);
            wei = F.softmax(wei, -1);
            wei = dropout.forward(wei);
            Tensor v = value.forward(x);                                                // (B,T,hs)
            return wei.matmul(v);                                                       // (B,T,hs)
        }
    }

    static class MultiHeadAttention extends Module {
        final ModuleList<Head> heads;
        final Linear proj;
        final Dropout dropout;

        MultiHeadAttention(int nEmbd, int nHead, int blockSize, double dropout) {
            List<Head> hs = new ArrayList<>();
            for (int i = 0; i < nHead; i++) hs.add(new Head(nEmbd, nEmbd / nHead, blockSize, dropout));
            heads = new ModuleList<>(hs);
            proj = new Linear(nEmbd, nEmbd);
            this.dropout = new Dropout(dropout);
        }

        @Override
        public Tensor forward(Tensor x) {
            List<Tensor> outs = new ArrayList<>();
            for (Head h : heads) outs.add(h.forward(x));
            return dropout.forward(proj.forward(Tensor.cat(outs, -1)));
        }
    }

    static class FeedForward extends Module {
        final Sequential net;

        FeedForward(int nEmbd, double dropout) {
            net = new Sequential(new Linear(nEmbd, 4 * nEmbd), new ReLU(), new Linear(4 * nEmbd, nEmbd), new Dropout(dropout));
        }

        @Override
        public Tensor forward(Tensor x) { return net.forward(x); }
    }

    static class Block extends Module {
        final MultiHeadAttention sa;
        final FeedForward ffwd;
        final LayerNorm ln1, ln2;

        Block(int nEmbd, int nHead, int blockSize, double dropout) {
            sa = new MultiHeadAttention(nEmbd, nHead, blockSize, dropout);
            ffwd = new FeedForward(nEmbd, dropout);
            ln1 = new LayerNorm(nEmbd);
            ln2 = new LayerNorm(nEmbd);
        }

        @Override
        public Tensor forward(Tensor x) {
            x = x.add(sa.forward(ln1.forward(x)));
            return x.add(ffwd.forward(ln2.forward(x)));
        }
    }

    static class GPTLanguageModel extends Module {
        final Embedding tokenEmbeddingTable, positionEmbeddingTable;
        final Sequential blocks;
        final LayerNorm lnF;
        final Linear lmHead;

        GPTLanguageModel(int vocabSize, int blockSize, int nEmbd, int nHead, int nLayer, double dropout) {
            tokenEmbeddingTable = new Embedding(vocabSize, nEmbd);
            positionEmbeddingTable = new Embedding(blockSize, nEmbd);
            Module[] bs = new Module[nLayer];
            for (int i = 0; i < nLayer; i++) bs[i] = new Block(nEmbd, nHead, blockSize, dropout);
            blocks = new Sequential(bs);
            lnF = new LayerNorm(nEmbd);
            lmHead = new Linear(nEmbd, vocabSize);
        }

        Tensor[] forward(Tensor idx, Tensor targets) {
            int B = idx.size(0), T = idx.size(1);
            Tensor tokEmb = tokenEmbeddingTable.forward(idx);                         // (B,T,C)
            Tensor posEmb = positionEmbeddingTable.forward(Tensor.arange(T));         // (T,C)
            Tensor x = blocks.forward(tokEmb.add(posEmb));                            // (B,T,C)
            Tensor logits = lmHead.forward(lnF.forward(x));                           // (B,T,V)
            if (targets == null) return new Tensor[]{logits, null};
            int C = logits.size(2);
            return new Tensor[]{logits, F.crossEntropy(logits.view(B * T, C), targets.view(B * T))};
        }
    }

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
