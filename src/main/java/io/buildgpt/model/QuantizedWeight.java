package io.buildgpt.model;

import java.util.Arrays;

/**
 * A frozen weight stored in 4 or 8 bits: its values, row-major, cut into blocks of {@code blockSize}
 * consecutive values (the last block may be shorter), each block with one float scale.
 * <pre>
 *   scale = absmax(block) / qmax         qmax = 7 for 4 bits, 127 for 8 bits
 *   q     = round(w / scale)             in [-qmax, qmax]: symmetric, so 0 stays exactly 0
 *   w'    = q * scale                    |w - w'| <= scale / 2
 * </pre>
 * Layout: 8 bits, one signed byte per value; 4 bits, two values per byte, value {@code 2i} in the low
 * nibble and {@code 2i+1} in the high one, each stored as {@code q + 8} (1..15). Why per-block scales:
 * one outlier then coarsens only its own 64 values, not the whole matrix. This is QLoRA's blockwise
 * absmax idea with a plain integer grid (QLoRA's NF4 grid follows a normal distribution instead).
 */
public final class QuantizedWeight {
    private final int bits, blockSize, size;
    private final int[] shape;
    private final byte[] packed;   // 4 bits: (size+1)/2 bytes; 8 bits: size bytes
    private final float[] scales;  // ceil(size / blockSize)

    private QuantizedWeight(int bits, int blockSize, int[] shape, int size) {
        this.bits = bits;
        this.blockSize = blockSize;
        this.shape = shape.clone();
        this.size = size;
        this.packed = new byte[bits == 4 ? (size + 1) / 2 : size];
        this.scales = new float[(size + blockSize - 1) / blockSize];
    }

    /** Quantizes {@code values} (shaped {@code shape}, row-major) in blocks of {@code blockSize}. */
    public static QuantizedWeight quantize(float[] values, int[] shape, int bits, int blockSize) {
        if (bits != 4 && bits != 8) throw new IllegalArgumentException("bits = " + bits + " is not supported: it must be 4 or 8");
        if (blockSize < 1 || blockSize > 1 << 20) {
            throw new IllegalArgumentException("blockSize = " + blockSize + " is out of range: it must be between 1 and " + (1 << 20) + " (typical: 64)");
        }
        QuantizedWeight q = new QuantizedWeight(bits, blockSize, shape, values.length);
        int qmax = bits == 4 ? 7 : 127;
        for (int blk = 0; blk < q.scales.length; blk++) {
            int from = blk * blockSize, to = Math.min(values.length, from + blockSize);
            float absmax = 0f;
            for (int i = from; i < to; i++) absmax = Math.max(absmax, Math.abs(values[i]));
            float scale = absmax / qmax;
            q.scales[blk] = scale;
            for (int i = from; i < to; i++) {
                int v = scale == 0f ? 0 : Math.max(-qmax, Math.min(qmax, Math.round(values[i] / scale)));
                q.set(i, v);
            }
        }
        return q;
    }

    private void set(int i, int v) {
        if (bits == 8) {
            packed[i] = (byte) v;
        } else {
            int nibble = v + 8;                                             // -7..7 -> 1..15
            int b = packed[i >> 1] & 0xFF;
            b = (i & 1) == 0 ? (b & 0xF0) | nibble : (b & 0x0F) | (nibble << 4);
            packed[i >> 1] = (byte) b;
        }
    }

    /** The integer of value {@code i}, in [-qmax, qmax]. */
    int level(int i) {
        if (bits == 8) return packed[i];
        int b = packed[i >> 1] & 0xFF;
        return ((i & 1) == 0 ? b & 0x0F : b >>> 4) - 8;
    }

    /** Writes the dequantized values {@code q * scale} into {@code dst[off .. off + size)}. */
    public void dequantizeInto(float[] dst, int off) {
        for (int blk = 0; blk < scales.length; blk++) {
            int from = blk * blockSize, to = Math.min(size, from + blockSize);
            float scale = scales[blk];
            for (int i = from; i < to; i++) dst[off + i] = level(i) * scale;
        }
    }

    /** The dequantized values, a new array. */
    public float[] dequantize() {
        float[] out = new float[size];
        dequantizeInto(out, 0);
        return out;
    }

    /** Bytes this weight occupies: the packed integers plus one float32 scale per block. */
    public long bytes() {
        return packed.length + 4L * scales.length;
    }

    public int bits() {
        return bits;
    }

    public int blockSize() {
        return blockSize;
    }

    public int size() {
        return size;
    }

    public int[] shape() {
        return shape.clone();
    }

    /** The scale of the block holding value {@code i}. */
    public float scaleOf(int i) {
        return scales[i / blockSize];
    }

    /** A copy of the packed integers and the scales, to compare states (e.g. that training left the base alone). */
    public byte[] packedCopy() {
        return packed.clone();
    }

    public float[] scalesCopy() {
        return scales.clone();
    }

    @Override
    public String toString() {
        return "QuantizedWeight(" + bits + "-bit, " + Arrays.toString(shape) + ", blocks of " + blockSize + ", " + bytes() + " bytes)";
    }
}
