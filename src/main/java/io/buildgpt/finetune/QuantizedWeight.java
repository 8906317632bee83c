package io.buildgpt.finetune;

import java.util.Arrays;

/**
 * A frozen weight stored in 4 or 8 bits: its values, row-major, cut into groups of {@code groupSize}
 * consecutive values (the last group may be shorter), each group with one scale. Per-group scales: one
 * outlier then coarsens only its own group, not the whole matrix.
 * <pre>
 *   INT4/INT8  scale = absmax(group) / qmax      q = round(w / scale) in [-qmax, qmax], qmax = 7 or 127
 *              w'    = q * scale                  symmetric, so 0 stays 0; |w - w'| <= scale / 2
 *   NF4        scale = absmax(group)              q = the index of the NF4 level nearest to clamp(w * (1/scale), -1, 1)
 *              w'    = NF4[q] * scale                  (the first on a tie; an all-zero group keeps code 7, the 0 level)
 * </pre>
 * NF4 follows bitsandbytes' definitions value for value ({@code quantize_4bit(quant_type="nf4")}): its published
 * float32 table, the product with the reciprocal of the float32 absmax, the nearest level, two codes per byte with
 * the first value in the high nibble and an odd count padded with the code of 0.
 * NF4's 16 levels (QLoRA, Dettmers et al. 2023) sit at quantiles of a normal distribution, rescaled to
 * [-1, 1]: 8 positive ones at {@code ppf(linspace(0.9677083, 0.5, 9))[:-1]}, 7 negative ones at
 * {@code -ppf(linspace(0.9677083, 0.5, 8))[:-1]}, and an exact 0. Weights are roughly normal, so the levels
 * are dense where most values are, unlike int4's evenly spaced ones. (The table below is bitsandbytes'
 * published one; {@code QuantizedWeightTest} recomputes the quantiles.)
 *
 * <p>Double quantization (QLoRA, bitsandbytes' {@code compress_statistics}): the group scales are positive and
 * similar, so they are stored in 8 bits too: their mean ({@code offset}) is subtracted, then blocks of
 * {@link #SCALE_GROUP} centred scales are quantized like any blockwise tensor to bitsandbytes' signed 8-bit
 * dynamic map ({@link DynamicMap}): one float32 absmax per block, the nearest of 256 codes to
 * {@code centred * (1/absmax)}. A scale is then {@code DYNAMIC[q] * absmax + offset}. That takes a 64-value
 * group's scale from 32 to about 8 bits. The 4-bit codes are chosen with the float32 scales, as bitsandbytes
 * does; dequantization uses the 8-bit ones.
 *
 * <p>Layout: 8 bits, one signed byte per value; 4 bits, two values per byte: int4 value {@code 2i} in the low
 * nibble and {@code 2i+1} in the high one ({@code q + 8}, 1..15); NF4 value {@code 2i} in the high nibble and
 * {@code 2i+1} in the low one (the level's index 0..15), bitsandbytes' order.
 */
public final class QuantizedWeight {
    /** Scales per float32 scale under double quantization (QLoRA's 256). */
    public static final int SCALE_GROUP = 256;
    static final float[] NF4 = {  // bitsandbytes' table (functional.get_4bit_type("nf4")), float32
        -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f, -0.28444138169288635f,
        -0.18477343022823334f, -0.09105003625154495f, 0.0f, 0.07958029955625534f, 0.16093020141124725f,
        0.24611230194568634f, 0.33791524171829224f, 0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f};
    private static final int NF4_ZERO = 7;

    private final QuantSpec spec;
    private final int size;
    private final int[] shape;
    private final byte[] packed;    // 4 bits: (size+1)/2 bytes; 8 bits: size bytes
    private final float[] scales;   // one per group, or null under double quantization
    private final byte[] scaleQ;    // double quantization: one code of the dynamic map per group (0..255)
    private final float[] scaleQScales; // double quantization: the absmax of each SCALE_GROUP centred scales
    private final float scaleMean;  // double quantization: the scales' mean, subtracted before the 8-bit step

    private QuantizedWeight(QuantSpec spec, int[] shape, int size, float[] scales) {
        this.spec = spec;
        this.shape = shape.clone();
        this.size = size;
        this.packed = new byte[spec.format().bits() == 4 ? (size + 1) / 2 : size];
        if (!spec.doubleQuant()) {
            this.scales = scales;
            this.scaleQ = null;
            this.scaleQScales = null;
            this.scaleMean = 0f;
            return;
        }
        this.scales = null;
        double sum = 0;
        for (float s : scales) sum += s;
        this.scaleMean = (float) (sum / scales.length);
        float[] centred = new float[scales.length];
        for (int i = 0; i < centred.length; i++) centred[i] = scales[i] - scaleMean;
        this.scaleQ = new byte[scales.length];
        this.scaleQScales = new float[(scales.length + SCALE_GROUP - 1) / SCALE_GROUP];
        for (int g = 0; g < scaleQScales.length; g++) {
            int from = g * SCALE_GROUP, to = Math.min(scales.length, from + SCALE_GROUP);
            float absmax = 0f;
            for (int i = from; i < to; i++) absmax = Math.max(absmax, Math.abs(centred[i]));
            scaleQScales[g] = absmax;
            float inv = 1f / absmax;
            for (int i = from; i < to; i++) {
                scaleQ[i] = (byte) (absmax == 0f ? DynamicMap.ZERO : DynamicMap.nearest(Math.max(-1f, Math.min(1f, centred[i] * inv))));
            }
        }
    }

    /** {@code bits} = 4 (int4) or 8 (int8) in groups of {@code groupSize}, float32 scales. */
    public static QuantizedWeight quantize(float[] values, int[] shape, int bits, int groupSize) {
        return quantize(values, shape, QuantSpec.ofBits(bits, groupSize));
    }

    /** Quantizes {@code values} (shaped {@code shape}, row-major) as {@code spec} says. */
    public static QuantizedWeight quantize(float[] values, int[] shape, QuantSpec spec) {
        int g = spec.groupSize(), groups = (values.length + g - 1) / g;
        float[] absmax = new float[groups];
        for (int blk = 0; blk < groups; blk++) {
            for (int i = blk * g, to = Math.min(values.length, i + g); i < to; i++) absmax[blk] = Math.max(absmax[blk], Math.abs(values[i]));
        }
        float qmax = spec.format() == QuantSpec.Format.NF4 ? 1 : spec.format() == QuantSpec.Format.INT4 ? 7 : 127;
        float[] scales = new float[groups];
        for (int blk = 0; blk < groups; blk++) scales[blk] = absmax[blk] / qmax;
        QuantizedWeight q = new QuantizedWeight(spec, shape, values.length, scales.clone());
        for (int blk = 0; blk < groups; blk++) {
            float scale = scales[blk];             // float32, as bitsandbytes; under double quantization dequantization uses the 8-bit one
            for (int i = blk * g, to = Math.min(values.length, i + g); i < to; i++) q.set(i, q.code(values[i], scale));
        }
        if (spec.format() == QuantSpec.Format.NF4 && values.length % 2 == 1) q.set(values.length, NF4_ZERO); // the pad: 0.0's code
        return q;
    }

    /** The stored code of {@code w} under {@code scale}: int4/int8 {@code round(w / scale)}, NF4 the nearest level's index. */
    private int code(float w, float scale) {
        if (spec.format() != QuantSpec.Format.NF4) {
            int qmax = spec.format() == QuantSpec.Format.INT4 ? 7 : 127;
            return scale == 0f ? 0 : Math.max(-qmax, Math.min(qmax, Math.round(w / scale)));
        }
        if (scale == 0f) return NF4_ZERO;                                      // the exact 0 level (bitsandbytes would divide by 0)
        float v = Math.max(-1f, Math.min(1f, w * (1f / scale)));               // clamp(w * (1/absmax), -1, 1)
        int best = 0;
        for (int k = 1; k < NF4.length; k++) if (Math.abs(v - NF4[k]) < Math.abs(v - NF4[best])) best = k; // first on a tie
        return best;
    }

    private void set(int i, int v) {
        if (spec.format().bits() == 8) {
            packed[i] = (byte) v;
        } else {
            int nibble = spec.format() == QuantSpec.Format.INT4 ? v + 8 : v;   // int4 -7..7 -> 1..15; NF4 0..15
            int b = packed[i >> 1] & 0xFF;
            boolean low = ((i & 1) == 0) == (spec.format() == QuantSpec.Format.INT4); // int4: even low; NF4: even high
            b = low ? (b & 0xF0) | nibble : (b & 0x0F) | (nibble << 4);
            packed[i >> 1] = (byte) b;
        }
    }

    /** The stored code of value {@code i}: int4/int8 the integer in [-qmax, qmax], NF4 the level index 0..15. */
    int level(int i) {
        if (spec.format().bits() == 8) return packed[i];
        int b = packed[i >> 1] & 0xFF;
        boolean low = ((i & 1) == 0) == (spec.format() == QuantSpec.Format.INT4);
        int nibble = low ? b & 0x0F : b >>> 4;
        return spec.format() == QuantSpec.Format.INT4 ? nibble - 8 : nibble;
    }

    private float scaleOfGroup(int blk) {
        if (!spec.doubleQuant()) return scales[blk];
        return DynamicMap.CODE[scaleQ[blk] & 0xFF] * scaleQScales[blk / SCALE_GROUP] + scaleMean;
    }

    /** Writes the dequantized values into {@code dst[off .. off + size)}, one group at a time. */
    public void dequantizeInto(float[] dst, int off) {
        int g = spec.groupSize(), groups = (size + g - 1) / g;
        boolean nf4 = spec.format() == QuantSpec.Format.NF4;
        for (int blk = 0; blk < groups; blk++) {
            float scale = scaleOfGroup(blk);
            for (int i = blk * g, to = Math.min(size, i + g); i < to; i++) dst[off + i] = nf4 ? NF4[level(i)] * scale : level(i) * scale;
        }
    }

    /** Values {@code from .. from+count-1} dequantized into {@code dst[off ..]}: a block of rows, for a product. */
    public void dequantizeRange(int from, int count, float[] dst, int off) {
        int g = spec.groupSize();
        boolean nf4 = spec.format() == QuantSpec.Format.NF4;
        for (int i = from, to = from + count; i < to; ) {
            int blk = i / g, end = Math.min(to, (blk + 1) * g);
            float scale = scaleOfGroup(blk);
            for (; i < end; i++) dst[off + i - from] = nf4 ? NF4[level(i)] * scale : level(i) * scale;
        }
    }

    /** The dequantized values, a new array. */
    public float[] dequantize() {
        float[] out = new float[size];
        dequantizeInto(out, 0);
        return out;
    }

    /** Bytes this weight occupies: the packed codes plus the scales (float32 each, or int8 each plus their own float32 scales and mean). */
    public long bytes() {
        if (!spec.doubleQuant()) return packed.length + 4L * scales.length;
        return packed.length + scaleQ.length + 4L * scaleQScales.length + 4;
    }

    public QuantSpec spec() {
        return spec;
    }

    public int bits() {
        return spec.format().bits();
    }

    /** Values per scale. */
    public int groupSize() {
        return spec.groupSize();
    }

    public int size() {
        return size;
    }

    public int[] shape() {
        return shape.clone();
    }

    /** The scale of the group holding value {@code i}, as dequantization uses it. */
    public float scaleOf(int i) {
        return scaleOfGroup(i / spec.groupSize());
    }

    /** A copy of the packed codes and the scales, to compare states (e.g. that training left the base alone). */
    public byte[] packedCopy() {
        return packed.clone();
    }

    /** Double quantization: the 8-bit codes of the scales (0..255), the absmax of each block of them, and their mean; null without. */
    byte[] scaleCodes() {
        return scaleQ == null ? null : scaleQ.clone();
    }

    float[] scaleCodeAbsmax() {
        return scaleQScales == null ? null : scaleQScales.clone();
    }

    float scaleOffset() {
        return scaleMean;
    }

    /** The scales as dequantization uses them, one per group. */
    public float[] scalesCopy() {
        float[] out = new float[(size + spec.groupSize() - 1) / spec.groupSize()];
        for (int i = 0; i < out.length; i++) out[i] = scaleOfGroup(i);
        return out;
    }

    @Override
    public String toString() {
        return "QuantizedWeight(" + spec.label() + ", " + Arrays.toString(shape) + ", " + bytes() + " bytes)";
    }
}
