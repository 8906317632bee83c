package io.buildgpt.cells;

import io.buildgpt.random.TorchGenerator;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

/**
 * The lecture's final GPT written as notebook 08 writes it in its cells (the same lines; the
 * notebook's globals n_embd, n_head, block_size, dropout are fields of {@link Config} here).
 */
final class LectureGpt {
    private LectureGpt() {
    }

    record Config(int vocabSize, int blockSize, int nEmbd, int nHead, int nLayer, double dropout) {
    }

    static final class Head extends Module {
        final Linear key, query, value;
        final INDArray tril;
        final Dropout dropout;

        Head(TorchGenerator g, Config c, int headSize) {
            key = new Linear(g, c.nEmbd(), headSize, false);
            query = new Linear(g, c.nEmbd(), headSize, false);
            value = new Linear(g, c.nEmbd(), headSize, false);
            tril = F.tril(c.blockSize());
            dropout = new Dropout(c.dropout());
        }

        SDVariable forward(SDVariable x) {
            long[] s = F.shape(x);
            long T = s[1];
            SDVariable k = key.forward(x);                                      // (B,T,hs)
            SDVariable q = query.forward(x);                                    // (B,T,hs)
            SDVariable wei = x.getSameDiff().mmul(q, k, false, true, false)     // (B,T,hs) @ (B,hs,T) -> (B,T,T)
                    .mul(Math.pow(F.shape(k)[2], -0.5));
            INDArray mask = tril.get(interval(0, T), interval(0, T)).eq(0);
            wei = F.softmax(F.maskedFill(wei, mask, Double.NEGATIVE_INFINITY), -1); // (B,T,T)
            wei = dropout.forward(wei);
            SDVariable v = value.forward(x);                                    // (B,T,hs)
            return x.getSameDiff().mmul(wei, v);                                // (B,T,T) @ (B,T,hs) -> (B,T,hs)
        }
    }

    static final class MultiHeadAttention extends Module {
        final List<Head> heads = new ArrayList<>();
        final Linear proj;
        final Dropout dropout;

        MultiHeadAttention(TorchGenerator g, Config c) {
            for (int h = 0; h < c.nHead(); h++) heads.add(new Head(g, c, c.nEmbd() / c.nHead()));
            proj = new Linear(g, c.nEmbd(), c.nEmbd(), true);
            dropout = new Dropout(c.dropout());
        }

        SDVariable forward(SDVariable x) {
            SDVariable[] out = new SDVariable[heads.size()];
            for (int h = 0; h < out.length; h++) out[h] = heads.get(h).forward(x); // (B,T,hs) each
            return dropout.forward(proj.forward(x.getSameDiff().concat(2, out)));  // (B,T,C)
        }
    }

    static final class FeedForward extends Module {
        final Sequential net;

        FeedForward(TorchGenerator g, Config c) {
            net = new Sequential(new Linear(g, c.nEmbd(), 4 * c.nEmbd(), true), Sequential.relu(),
                    new Linear(g, 4 * c.nEmbd(), c.nEmbd(), true), new Dropout(c.dropout()));
        }

        SDVariable forward(SDVariable x) {
            return net.forward(x);                                              // (B,T,C)
        }
    }

    static final class Block extends Module {
        final MultiHeadAttention sa;
        final FeedForward ffwd;
        final LayerNorm ln1, ln2;

        Block(TorchGenerator g, Config c) {
            sa = new MultiHeadAttention(g, c);
            ffwd = new FeedForward(g, c);
            ln1 = new LayerNorm(c.nEmbd());
            ln2 = new LayerNorm(c.nEmbd());
        }

        SDVariable forward(SDVariable x) {
            x = x.add(sa.forward(ln1.forward(x)));                              // (B,T,C)
            return x.add(ffwd.forward(ln2.forward(x)));                         // (B,T,C)
        }
    }

    static final class GPTLanguageModel extends CellModel {
        final Embedding token_embedding_table, position_embedding_table;
        final List<Block> blocks = new ArrayList<>();
        final LayerNorm ln_f;
        final Linear lm_head;

        GPTLanguageModel(TorchGenerator g, Config c) {
            super(c.vocabSize());
            token_embedding_table = new Embedding(g, c.vocabSize(), c.nEmbd());
            position_embedding_table = new Embedding(g, c.blockSize(), c.nEmbd());
            for (int i = 0; i < c.nLayer(); i++) blocks.add(new Block(g, c));
            ln_f = new LayerNorm(c.nEmbd());
            lm_head = new Linear(g, c.nEmbd(), c.vocabSize(), true);
            setMaskSource(g);
        }

        @Override
        public Forward forward(SDVariable idx, SDVariable targets) {
            long[] s = F.shape(idx);
            long B = s[0], T = s[1];
            SDVariable tok = token_embedding_table.forward(idx);                        // (B,T,C)
            SDVariable pos = position_embedding_table.forward(F.arange(idx, (int) T));  // (T,C)
            SDVariable x = tok.add(pos);                                                // (B,T,C)
            for (Block b : blocks) x = b.forward(x);                                    // (B,T,C)
            SDVariable logits = lm_head.forward(ln_f.forward(x));                       // (B,T,V)
            if (targets == null) return new Forward(logits, null);
            long V = F.shape(logits)[2];
            return new Forward(logits, F.crossEntropy(logits.reshape(B * T, V), targets.reshape(B * T)));
        }
    }
}
