package io.buildgpt.engine;

/**
 * Generation's attention for one layer, in one place: the key/value cache and the single-query
 * attention that both generation paths use ({@link GenerationPass} holds one per block).
 *
 * <p>Dimensions: {@code B} sequences, {@code C} channels, {@code hs = C / nHead}; keys and values are
 * kept as {@code (B, blockSize, C)}, position {@code t} of sequence {@code b} at row {@code b*blockSize + t},
 * heads side by side in the columns as in {@code qkv} ({@link MultiHeadAttention}).
 *
 * <p>Why the cache stops at {@code blockSize}: this GPT learns absolute position embeddings. When the
 * context is full and slides by one token, every token moves to a new position, its embedding changes,
 * and so does every key and value of every layer: none of the cached ones is still right. A rolling
 * buffer (keep the old keys, overwrite the oldest) would attend with stale positions and sample other
 * tokens than the lecture's {@code generate}. So past {@code blockSize} the exact approach is the
 * lecture's: run the window again, keeping only the last position's work in the last block
 * ({@link GenerationPass#lastLogits}); the cache is not refilled then, since the next step slides again.
 * Models with relative positions (RoPE, ALiBi) are what make a sliding cache exact.
 */
final class KvCache {
    private final int c, nHead, headSize, blockSize;
    private final float scale;
    private float[] keys, values, probs;  // (B, blockSize, C) twice, (blockSize)

    KvCache(int nEmbd, int nHead, int blockSize) {
        this.c = nEmbd;
        this.nHead = nHead;
        this.headSize = nEmbd / nHead;
        this.blockSize = blockSize;
        this.scale = (float) (1 / Math.sqrt(headSize));
    }

    /** Keys and values of positions {@code 0..T-1} from a batched pass's {@code qkv (B*T, 3C)}. */
    void fill(float[] qkv, int batch, int time) {
        ensure(batch);
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < time; t++) {
                int row = (b * time + t) * 3 * c, slot = (b * blockSize + t) * c;
                System.arraycopy(qkv, row + c, keys, slot, c);       // k (B,T,C) -> cache (B,blockSize,C)
                System.arraycopy(qkv, row + 2 * c, values, slot, c); // v (B,T,C) -> cache (B,blockSize,C)
            }
        }
    }

    /**
     * Adds position {@code pos} from {@code qkv (B, 3C)} (one row per sequence), then attends each
     * sequence's query over positions {@code 0..pos}: {@code out (B, C)}, heads side by side.
     */
    void step(float[] qkv, int batch, int pos, float[] out) {
        ensure(batch);
        int c3 = 3 * c;
        for (int b = 0; b < batch; b++) {
            int slot = (b * blockSize + pos) * c;
            System.arraycopy(qkv, b * c3 + c, keys, slot, c);        // k (B,C) -> cache[:, pos]
            System.arraycopy(qkv, b * c3 + 2 * c, values, slot, c);  // v (B,C) -> cache[:, pos]
        }
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < nHead; h++) {                        // q (hs) . k (pos+1,hs) -> (pos+1) -> @ v -> (hs)
                int base = b * blockSize * c + h * headSize;
                attendOne(qkv, b * c3 + h * headSize, keys, values, base, c, pos + 1, out, b * c + h * headSize);
            }
        }
    }

    /**
     * Without the cache: the last position's query of each sequence over its {@code T} positions, all
     * read from {@code qkv (B*T, 3C)}; {@code out (B, C)}. The uncached step and the cache's refill pass.
     */
    void last(float[] qkv, int batch, int time, float[] out) {
        ensure(batch);
        int c3 = 3 * c;
        for (int b = 0; b < batch; b++) {
            int row = b * time + time - 1, base = b * time * c3;
            for (int h = 0; h < nHead; h++) {
                int hc = h * headSize;
                attendOne(qkv, row * c3 + hc, qkv, qkv, base + hc, c3, time, out, b * c + hc, c, 2 * c); // k, v: +C, +2C
            }
        }
    }

    /** {@code out = softmax(q . k_s * scale) @ v_s} over {@code count} rows {@code stride} apart, keys and values at the same offsets. */
    private void attendOne(float[] q, int qOff, float[] k, float[] v, int base, int stride, int count, float[] out, int outOff) {
        attendOne(q, qOff, k, v, base, stride, count, out, outOff, 0, 0);
    }

    /** As above, keys at {@code base + kShift}, values at {@code base + vShift} (both inside one qkv row). */
    private void attendOne(float[] q, int qOff, float[] k, float[] v, int base, int stride, int count, float[] out, int outOff,
                           int kShift, int vShift) {
        Head.causalSoftmaxRow(q, qOff, k, base + kShift, stride, headSize, scale, count, count, probs, 0);
        Head.weightedSum(probs, 0, count, v, base + vShift, stride, headSize, out, outOff);
    }

    private void ensure(int batch) {
        if (keys == null || keys.length < batch * blockSize * c) {
            keys = new float[batch * blockSize * c];
            values = new float[batch * blockSize * c];
            probs = new float[blockSize];
        }
    }
}
