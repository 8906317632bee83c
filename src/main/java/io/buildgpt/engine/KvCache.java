package io.buildgpt.engine;

import io.buildgpt.engine.kernels.CausalAttention;

/**
 * The keys and values one {@link Attention} layer has computed so far in a generation, so that a new
 * position costs one row of work instead of the whole window. {@code B} sequences, {@code C} channels,
 * {@code hs = C / nHead}: keys and values are kept as {@code (B, blockSize, C)}, position {@code t} of
 * sequence {@code b} at row {@code b*blockSize + t}, heads side by side in the columns as in {@code qkv}.
 *
 * <p>Why the cache stops at {@code blockSize}: this GPT learns absolute position embeddings. When the
 * context is full and slides by one token, every token moves to a new position, its embedding changes,
 * and so does every key and value of every layer: none of the cached ones is still right. A rolling
 * buffer would attend with stale positions and sample other tokens than the lecture's {@code generate}.
 * So past {@code blockSize} the exact approach is the lecture's: run the window again without a cache
 * ({@link GptGeneration}). Models with relative positions (RoPE, ALiBi) are what make a sliding cache exact.
 */
public final class KvCache {
    private final int c, nHead, headSize, blockSize;
    private final float scale;
    private float[] keys, values, probs;  // (B, blockSize, C) twice, (blockSize)
    private int batch = -1, length;       // sequences, positions held

    public KvCache(int nEmbd, int nHead, int blockSize) {
        this.c = nEmbd;
        this.nHead = nHead;
        this.headSize = nEmbd / nHead;
        this.blockSize = blockSize;
        this.scale = (float) (1 / Math.sqrt(headSize));
    }

    /** Positions held, the same for every sequence. */
    public int length() {
        return length;
    }

    /** Forgets every position (the next generation starts over). */
    public void clear() {
        length = 0;
    }

    /** Appends positions {@code length .. length+T-1} from the keys and values in {@code qkv (B*T, 3C)}. */
    void append(float[] qkv, int batch, int time) {
        if (length > 0 && batch != this.batch) throw new IllegalStateException("the cache holds " + this.batch + " sequences, not " + batch);
        if (length + time > blockSize) {
            throw new IllegalStateException("the cache holds " + length + " of " + blockSize + " positions; " + time + " more do not fit:"
                    + " clear it and run the window without a cache");
        }
        ensure(batch);
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < time; t++) {
                int row = (b * time + t) * 3 * c, slot = (b * blockSize + length + t) * c;
                System.arraycopy(qkv, row + c, keys, slot, c);       // k (B,T,C) -> cache[:, length+t]
                System.arraycopy(qkv, row + 2 * c, values, slot, c); // v (B,T,C) -> cache[:, length+t]
            }
        }
        length += time;
    }

    /**
     * After {@link #append}: the queries of the last {@code T} positions in {@code qkv (B*T, 3C)}, each over
     * the cache up to its own position; {@code out (B*T, C)}, heads side by side.
     */
    void attend(float[] qkv, int batch, int time, float[] out) {
        int c3 = 3 * c, start = length - time;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < time; t++) {
                int row = b * time + t;
                for (int h = 0; h < nHead; h++) {                 // q (hs) . k (pos+1,hs) -> (pos+1) -> @ v -> (hs)
                    int hc = h * headSize, base = b * blockSize * c + hc;
                    CausalAttention.attendOne(qkv, row * c3 + hc, keys, base, values, base, c, start + t + 1, headSize, scale,
                            probs, out, row * c + hc);
                }
            }
        }
    }

    private void ensure(int batch) {
        if (keys == null || keys.length < batch * blockSize * c) {
            keys = new float[batch * blockSize * c];
            values = new float[batch * blockSize * c];
            probs = new float[blockSize];
        }
        this.batch = batch;
    }
}
