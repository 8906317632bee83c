package io.buildgpt.bench;

import io.buildgpt.nn.Dropout;
import io.buildgpt.nn.Embedding;
import io.buildgpt.nn.LayerNorm;
import io.buildgpt.nn.Linear;
import io.buildgpt.nn.Module;
import io.buildgpt.nn.ModuleList;
import io.buildgpt.nn.ReLU;
import io.buildgpt.nn.Sequential;
import io.buildgpt.tensor.F;
import io.buildgpt.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The lecture's final {@code gpt.py} model (Head, MultiHeadAttention, FeedForward, Block, GPTLanguageModel with
 * its {@code _init_weights}) written on the tensor library as notebook 08's cells write it, separate heads and
 * all. One definition shared by the {@code cells-gpt-small} benchmark ({@link CellsBench}) and the test that
 * holds it equal to PyTorch's {@code lecture_gpt.py} ({@code LectureGptCellTest}).
 */
public final class LectureGpt {
    private LectureGpt() {
    }

    /** One head of causal self-attention. */
    public static class Head extends Module {
        final Linear key, query, value;
        final Tensor tril;                       // a buffer: no gradient, so not a parameter
        final Dropout dropout;

        public Head(int nEmbd, int headSize, int blockSize, double dropout) {
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
            Tensor wei = q.matmul(k.transpose(-2, -1)).mul(Math.pow(k.size(-1), -0.5)); // (B,T,hs) @ (B,hs,T) -> (B,T,T)
            wei = wei.maskedFill(tril.slice(0, 0, T).slice(1, 0, T).eq(0), Double.NEGATIVE_INFINITY);
            wei = F.softmax(wei, -1);                                                   // (B,T,T)
            wei = dropout.forward(wei);
            Tensor v = value.forward(x);                                                // (B,T,hs)
            return wei.matmul(v);                                                       // (B,T,T) @ (B,T,hs) -> (B,T,hs)
        }
    }

    /** Several heads in parallel, concatenated, then a projection. */
    public static class MultiHeadAttention extends Module {
        final ModuleList<Head> heads;
        final Linear proj;
        final Dropout dropout;

        public MultiHeadAttention(int nEmbd, int nHead, int blockSize, double dropout) {
            List<Head> hs = new ArrayList<>();
            for (int i = 0; i < nHead; i++) hs.add(new Head(nEmbd, nEmbd / nHead, blockSize, dropout));
            heads = new ModuleList<>(hs);
            proj = new Linear(nEmbd, nEmbd);
            this.dropout = new Dropout(dropout);
        }

        @Override
        public Tensor forward(Tensor x) {
            List<Tensor> outs = new ArrayList<>();
            for (Head h : heads) outs.add(h.forward(x));                               // (B,T,hs) each
            return dropout.forward(proj.forward(Tensor.cat(outs, -1)));                // (B,T,C)
        }
    }

    /** Linear, ReLU, Linear: C -> 4C -> C. */
    public static class FeedForward extends Module {
        final Sequential net;

        public FeedForward(int nEmbd, double dropout) {
            net = new Sequential(new Linear(nEmbd, 4 * nEmbd), new ReLU(), new Linear(4 * nEmbd, nEmbd), new Dropout(dropout));
        }

        @Override
        public Tensor forward(Tensor x) {
            return net.forward(x);
        }
    }

    /** Communication (attention) then computation (feed-forward), each after a LayerNorm, with residuals. */
    public static class Block extends Module {
        final MultiHeadAttention sa;
        final FeedForward ffwd;
        final LayerNorm ln1, ln2;

        public Block(int nEmbd, int nHead, int blockSize, double dropout) {
            sa = new MultiHeadAttention(nEmbd, nHead, blockSize, dropout);
            ffwd = new FeedForward(nEmbd, dropout);
            ln1 = new LayerNorm(nEmbd);
            ln2 = new LayerNorm(nEmbd);
        }

        @Override
        public Tensor forward(Tensor x) {
            x = x.add(sa.forward(ln1.forward(x)));                                     // (B,T,C)
            return x.add(ffwd.forward(ln2.forward(x)));                                // (B,T,C)
        }
    }

    /** The model: token and position embeddings, the blocks, {@code ln_f}, {@code lm_head}. */
    public static class GPTLanguageModel extends Module {
        final Embedding tokenEmbeddingTable, positionEmbeddingTable;
        final Sequential blocks;
        final LayerNorm lnF;
        final Linear lmHead;
        private final int blockSize;

        public GPTLanguageModel(int vocabSize, int blockSize, int nEmbd, int nHead, int nLayer, double dropout) {
            this.blockSize = blockSize;
            tokenEmbeddingTable = new Embedding(vocabSize, nEmbd);
            positionEmbeddingTable = new Embedding(blockSize, nEmbd);
            Module[] bs = new Module[nLayer];
            for (int i = 0; i < nLayer; i++) bs[i] = new Block(nEmbd, nHead, blockSize, dropout);
            blocks = new Sequential(bs);
            lnF = new LayerNorm(nEmbd);
            lmHead = new Linear(nEmbd, vocabSize);
            apply(GPTLanguageModel::initWeights);
        }

        /** gpt.py's {@code _init_weights}, chosen by the layer's type: Linear and Embedding weights N(0, 0.02), Linear biases 0. */
        static void initWeights(Module module) {
            try (var g = Tensor.noGrad()) {
                if (module instanceof Linear l) {
                    l.weight.copy_(Tensor.randn(l.weight.shape()).mul(0.02));
                    if (l.bias != null) l.bias.copy_(Tensor.zerosLike(l.bias));
                } else if (module instanceof Embedding e) {
                    e.weight.copy_(Tensor.randn(e.weight.shape()).mul(0.02));
                }
            }
        }

        /** Returns {logits (B,T,V), loss}; the loss is null without targets. */
        public Tensor[] forward(Tensor idx, Tensor targets) {
            int B = idx.size(0), T = idx.size(1);
            Tensor tokEmb = tokenEmbeddingTable.forward(idx);                         // (B,T,C)
            Tensor posEmb = positionEmbeddingTable.forward(Tensor.arange(T));         // (T,C)
            Tensor x = blocks.forward(tokEmb.add(posEmb));                            // (B,T,C)
            Tensor logits = lmHead.forward(lnF.forward(x));                           // (B,T,C) @ (C,V) -> (B,T,V)
            if (targets == null) return new Tensor[]{logits, null};
            int C = logits.size(2);
            return new Tensor[]{logits, F.crossEntropy(logits.view(B * T, C), targets.view(B * T))};
        }

        /** The lecture's generate: the context cropped to the last blockSize tokens, one sample per step. */
        public Tensor generate(Tensor idx, int maxNewTokens) {
            try (var g = Tensor.noGrad()) {
                for (int i = 0; i < maxNewTokens; i++) {
                    Tensor idxCond = idx.slice(1, Math.max(0, idx.size(1) - blockSize));   // (B, <=blockSize)
                    Tensor logits = forward(idxCond, null)[0].get(":, -1, :");              // (B,V)
                    Tensor idxNext = Tensor.multinomial(F.softmax(logits, -1), 1);          // (B,1)
                    idx = Tensor.cat(List.of(idx, idxNext), 1);                             // (B,T+1)
                }
            }
            return idx;
        }
    }
}
