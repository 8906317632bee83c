package io.buildgpt.cells;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The lecture's GPT written as notebook 08 writes it in its cells (the same lines), for the tests:
 * {@code Head}, {@code MultiHeadAttention}, {@code FeedForward}, {@code Block}, {@code GPTLanguageModel}.
 */
final class LectureGpt {
    private LectureGpt() {
    }

    static final class Head {
        final Nn nn;
        final Nn.Linear key, query, value;
        final SDVariable tril;
        final Nn.Dropout dropout;
        final int headSize;

        Head(Nn nn, String name, int nEmbd, int headSize, double p) {
            this.nn = nn;
            this.headSize = headSize;
            key = nn.linear(name + ".key", nEmbd, headSize, false);
            query = nn.linear(name + ".query", nEmbd, headSize, false);
            value = nn.linear(name + ".value", nEmbd, headSize, false);
            tril = nn.causalMask(name + ".tril");
            dropout = nn.dropout(name + ".dropout", p, nn.blockSize(), nn.blockSize());
        }

        SDVariable forward(SDVariable x) {                                      // x: (B*T, C)
            SDVariable k = nn.btc(key.forward(x), headSize);                    // (B,T,hs)
            SDVariable q = nn.btc(query.forward(x), headSize);                  // (B,T,hs)
            SDVariable wei = nn.sd().mmul(q, k, false, true, false)             // (B,T,hs) @ (B,hs,T) -> (B,T,T)
                    .mul(Math.pow(headSize, -0.5));
            wei = dropout.forward(nn.softmax(wei.add(tril)));                   // (B,T,T)
            SDVariable v = nn.btc(value.forward(x), headSize);                  // (B,T,hs)
            return nn.rows(nn.sd().mmul(wei, v), headSize);                     // (B,T,hs) -> (B*T,hs)
        }
    }

    static final class MultiHeadAttention {
        final Nn nn;
        final Head[] heads;
        final Nn.Linear proj;
        final Nn.Dropout dropout;

        MultiHeadAttention(Nn nn, String name, int nEmbd, int nHead, double p) {
            this.nn = nn;
            heads = new Head[nHead];
            for (int h = 0; h < nHead; h++) heads[h] = new Head(nn, name + ".heads." + h, nEmbd, nEmbd / nHead, p);
            proj = nn.linear(name + ".proj", nEmbd, nEmbd, true);
            dropout = nn.dropout(name + ".dropout", p, nEmbd);
        }

        SDVariable forward(SDVariable x) {                                      // x: (B*T, C)
            SDVariable[] out = new SDVariable[heads.length];
            for (int h = 0; h < heads.length; h++) out[h] = heads[h].forward(x); // (B*T, hs) each
            return dropout.forward(proj.forward(nn.sd().concat(1, out)));       // (B*T, C)
        }
    }

    static final class FeedForward {
        final Nn nn;
        final Nn.Linear net0, net2;
        final Nn.Dropout net3;

        FeedForward(Nn nn, String name, int nEmbd, double p) {
            this.nn = nn;
            net0 = nn.linear(name + ".net.0", nEmbd, 4 * nEmbd, true);
            net2 = nn.linear(name + ".net.2", 4 * nEmbd, nEmbd, true);
            net3 = nn.dropout(name + ".net.3", p, nEmbd);
        }

        SDVariable forward(SDVariable x) {                                      // x: (B*T, C)
            return net3.forward(net2.forward(nn.relu(net0.forward(x))));        // (B*T,4C) -> (B*T,C)
        }
    }

    static final class Block {
        final MultiHeadAttention sa;
        final FeedForward ffwd;
        final Nn.LayerNorm ln1, ln2;

        Block(Nn nn, String name, int nEmbd, int nHead, double p) {
            sa = new MultiHeadAttention(nn, name + ".sa", nEmbd, nHead, p);
            ffwd = new FeedForward(nn, name + ".ffwd", nEmbd, p);
            ln1 = nn.layerNorm(name + ".ln1", nEmbd);
            ln2 = nn.layerNorm(name + ".ln2", nEmbd);
        }

        SDVariable forward(SDVariable x) {                                      // x: (B*T, C)
            x = x.add(sa.forward(ln1.forward(x)));                              // (B*T, C)
            return x.add(ffwd.forward(ln2.forward(x)));                         // (B*T, C)
        }
    }

    static final class GPTLanguageModel {
        final Nn nn;
        final Nn.Embedding token_embedding_table, position_embedding_table;
        final Block[] blocks;
        final Nn.LayerNorm ln_f;
        final Nn.Linear lm_head;
        final CellModel model;
        final int nEmbd;

        GPTLanguageModel(int vocabSize, int blockSize, int nEmbd, int nHead, int nLayer, double p, long seed) {
            this.nEmbd = nEmbd;
            nn = new Nn(vocabSize, blockSize, seed);
            token_embedding_table = nn.embedding("token_embedding_table", vocabSize, nEmbd);
            position_embedding_table = nn.embedding("position_embedding_table", blockSize, nEmbd);
            blocks = new Block[nLayer];
            for (int i = 0; i < nLayer; i++) blocks[i] = new Block(nn, "blocks." + i, nEmbd, nHead, p);
            ln_f = nn.layerNorm("ln_f", nEmbd);
            lm_head = nn.linear("lm_head", nEmbd, vocabSize, true);
            SDVariable logits = forward(nn.idx());
            model = new CellModel(nn, logits, nn.crossEntropy(logits), seed);
        }

        SDVariable forward(SDVariable idx) {                                    // idx: one-hot (B*T, V)
            SDVariable tok = token_embedding_table.forward(idx);                // (B*T, C)
            SDVariable pos = position_embedding_table.forward(nn.positions());  // (T, C)
            SDVariable x = nn.rows(nn.btc(tok, nEmbd).add(pos), nEmbd);         // (B,T,C) + (T,C) -> (B*T,C)
            for (Block b : blocks) x = b.forward(x);                            // (B*T, C)
            return lm_head.forward(ln_f.forward(x));                            // (B*T, V)
        }
    }
}
