package io.buildgpt.engine;

import java.util.Arrays;

/**
 * A frozen weight stored in 4 or 8 bits: its values, row-major, cut into groups of {@code groupSize}
 * consecutive values (the last group may be shorter), each group with one scale. Per-group scales: one
 * outlier then coarsens only its own group, not the whole matrix.
 * <pre>
 *   INT4/INT8  scale = absmax(group) / qmax      q = round(w / scale) in [-qmax, qmax], qmax = 7 or 127
 *              w'    = q * scale                  symmetric, so 0 stays 0; |w - w'| <= scale / 2
 *   NF4        scale = absmax(group)              q = the index of the NF4 level nearest to w / scale
 *              w'    = NF4[q] * scale
 * </pre>
 * NF4's 16 levels (QLoRA, Dettmers et al. 2023) sit at quantiles of a normal distribution, rescaled to
 * [-1, 1]: 8 positive ones at {@code ppf(linspace(0.9677083, 0.5, 9))[:-1]}, 7 negative ones at
 * {@code -ppf(linspace(0.9677083, 0.5, 8))[:-1]}, and an exact 0. Weights are roughly normal, so the levels
 * are dense where most values are, unlike int4's evenly spaced ones. (Computed once from that formula and
 * written out below; {@code QuantizedWeightTest} recomputes them.)
 *
 * <p>Double quantization (QLoRA): the group scales are positive and similar, so they are stored in 8 bits
 * too: their mean is subtracted, then groups of {@link #SCALE_GROUP} scales get symmetric absmax int8 with
 * one float32 scale each. That takes a 64-value group's scale from 32 to about 8 bits (QLoRA uses an 8-bit
 * float there; int8 is the simple version of the same idea).
 *
 * <p>Layout: 8 bits, one signed byte per value; 4 bits, two values per byte, value {@code 2i} in the low
 * nibble and {@code 2i+1} in the high one (int4: {@code q + 8}, 1..15; NF4: the level's index 0..15).
 */
public final class QuantizedWeight {
    /** Scales per float32 scale under double quantization (QLoRA's 256). */
    public static final int SCALE_GROUP = 256;
    static final float[] NF4 = {
        -1.0f, -0.6961928906f, -0.5250730387f, -0.3949174907f, -0.2844413576f, -0.1847734352f, -0.0910499921f, 0.0f,
        0.0795803291f, 0.1609301727f, 0.2461122939f, 0.3379151935f, 0.4407098024f, 0.5626169701f, 0.7229567279f, 1.0f};

    private final QuantSpec spec;
    private final int size;
    private final int[] shape;
    private final byte[] packed;    // 4 bits: (size+1)/2 bytes; 8 bits: size bytes
    private final float[] scales;   // one per group, or null under double quantization
    private final byte[] scaleQ;    // double quantization: one int8 per group
    private final float[] scaleQScales; // double quantization: one per SCALE_GROUP groups
    private final float scaleMean;  // double quantization: subtracted before the int8 step

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
        this.scaleQ = new byte[scales.length];
        this.scaleQScales = new float[(scales.length + SCALE_GROUP - 1) / SCALE_GROUP];
        for (int g = 0; g < scaleQScales.length; g++) {
            int from = g * SCALE_GROUP, to = Math.min(scales.length, from + SCALE_GROUP);
            float absmax = 0f;
            for (int i = from; i < to; i++) absmax = Math.max(absmax, Math.abs(scales[i] - scaleMean));
            float s2 = absmax / 127;
            scaleQScales[g] = s2;
            for (int i = from; i < to; i++) {
                scaleQ[i] = (byte) (s2 == 0f ? 0 : Math.max(-127, Math.min(127, Math.round((scales[i] - scaleMean) / s2))));
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
            float scale = q.scaleOfGroup(blk);     // the scale dequantization will use (8-bit under double quantization)
            for (int i = blk * g, to = Math.min(values.length, i + g); i < to; i++) q.set(i, q.code(values[i], scale));
        }
        return q;
    }

    /** The stored code of {@code w} under {@code scale}: int4/int8 {@code round(w / scale)}, NF4 the nearest level's index. */
    private int code(float w, float scale) {
        if (spec.format() != QuantSpec.Format.NF4) {
            int qmax = spec.format() == QuantSpec.Format.INT4 ? 7 : 127;
            return scale == 0f ? 0 : Math.max(-qmax, Math.min(qmax, Math.round(w / scale)));
        }
        if (scale == 0f) return 7;                                             // the exact 0 level
        float v = w / scale;
        int best = 0;
        for (int k = 1; k < NF4.length; k++) if (Math.abs(NF4[k] - v) < Math.abs(NF4[best] - v)) best = k;
        return best;
    }

    private void set(int i, int v) {
        if (spec.format().bits() == 8) {
            packed[i] = (byte) v;
        } else {
            int nibble = spec.format() == QuantSpec.Format.INT4 ? v + 8 : v;   // int4 -7..7 -> 1..15; NF4 0..15
            int b = packed[i >> 1] & 0xFF;
            b = (i & 1) == 0 ? (b & 0xF0) | nibble : (b & 0x0F) | (nibble << 4);
            packed[i >> 1] = (byte) b;
        }
    }

    /** The stored code of value {@code i}: int4/int8 the integer in [-qmax, qmax], NF4 the level index 0..15. */
    int level(int i) {
        if (spec.format().bits() == 8) return packed[i];
        int b = packed[i >> 1] & 0xFF;
        int nibble = (i & 1) == 0 ? b & 0x0F : b >>> 4;
        return spec.format() == QuantSpec.Format.INT4 ? nibble - 8 : nibble;
    }

    private float scaleOfGroup(int blk) {
        if (!spec.doubleQuant()) return scales[blk];
        return scaleQ[blk] * scaleQScales[blk / SCALE_GROUP] + scaleMean;
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
