package io.buildgpt.finetune;

/**
 * How {@link Quantize#base(io.buildgpt.engine.GptLanguageModel, QuantSpec, boolean)} stores a frozen weight.
 *
 * @param format      the grid each value is rounded to (see {@link Format})
 * @param groupSize   consecutive values sharing one scale (bitsandbytes' and QLoRA's block size, 64 there); not the
 *                    model's {@code blockSize}, which is the context length
 * @param doubleQuant QLoRA's double quantization: the per-group float32 scales are themselves stored in 8 bits,
 *                    {@value QuantizedWeight#SCALE_GROUP} scales sharing one float32 scale (bitsandbytes'
 *                    {@code bnb_4bit_use_double_quant=True})
 */
public record QuantSpec(Format format, int groupSize, boolean doubleQuant) {

    /** The grid of levels. */
    public enum Format {
        /** Symmetric absmax integers -7..7 times {@code absmax / 7}: the simple version. */
        INT4(4),
        /** Symmetric absmax integers -127..127 times {@code absmax / 127}. */
        INT8(8),
        /** QLoRA's NormalFloat: 16 levels at quantiles of a normal distribution, times the group's absmax
         * (bitsandbytes' {@code bnb_4bit_quant_type="nf4"}). */
        NF4(4);

        private final int bits;

        Format(int bits) {
            this.bits = bits;
        }

        public int bits() {
            return bits;
        }
    }

    public QuantSpec {
        if (format == null) throw new IllegalArgumentException("format must be INT4, INT8 or NF4, got null");
        if (groupSize < 1 || groupSize > 1 << 20) {
            throw new IllegalArgumentException("groupSize = " + groupSize + " is out of range: it must be between 1 and "
                    + (1 << 20) + " (typical: 64)");
        }
    }

    /** Symmetric int4, groups of 64, float32 scales: the simple version. */
    public static QuantSpec int4() {
        return new QuantSpec(Format.INT4, 64, false);
    }

    /** NF4, groups of 64, float32 scales. */
    public static QuantSpec nf4() {
        return new QuantSpec(Format.NF4, 64, false);
    }

    /** NF4, groups of 64, 8-bit scales: QLoRA's storage. */
    public static QuantSpec nf4DoubleQuant() {
        return new QuantSpec(Format.NF4, 64, true);
    }

    /** {@code bits} = 4 (int4) or 8 (int8), groups of {@code groupSize}, float32 scales. */
    public static QuantSpec ofBits(int bits, int groupSize) {
        if (bits != 4 && bits != 8) throw new IllegalArgumentException("bits = " + bits + " is not supported: it must be 4 or 8");
        return new QuantSpec(bits == 4 ? Format.INT4 : Format.INT8, groupSize, false);
    }

    /** E.g. "NF4, groups of 64, 8-bit scales". */
    public String label() {
        return format + ", groups of " + groupSize + (doubleQuant ? ", 8-bit scales" : "");
    }
}
