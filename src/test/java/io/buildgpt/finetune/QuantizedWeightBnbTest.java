package io.buildgpt.finetune;

import io.buildgpt.json.Json;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * NF4 and double quantization against {@code src/test/resources/nf4/expected.json}, computed by
 * {@code src/bench/make_nf4_fixture.py} with torch, written from bitsandbytes' documented algorithm (bitsandbytes
 * itself is not installable here): the code tables, the packed bytes, the absmax, the 8-bit absmax codes and the
 * dequantized values. The inputs are an integer hash both sides compute exactly.
 */
class QuantizedWeightBnbTest {
    static Map<?, ?> expected() throws IOException {
        return (Map<?, ?>) Json.parse(Files.readString(Path.of("src/test/resources/nf4/expected.json")));
    }

    static float[] inputs(int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            long h = (i * 2654435761L + 12345) % (1L << 32);
            double a = h / (double) (1L << 32) - 0.5;
            w[i] = (float) (a * a * a * 8.0 * (1 + (i / 64) % 7));
        }
        return w;
    }

    static float[] floats(Object list) {
        List<?> l = (List<?>) list;
        float[] out = new float[l.size()];
        for (int i = 0; i < out.length; i++) out[i] = ((Number) l.get(i)).floatValue();
        return out;
    }

    @Test
    void tablesAreBitsandbytes() throws IOException {
        Map<?, ?> e = expected();
        assertArrayEquals(floats(e.get("nf4_code")), QuantizedWeight.NF4);
        assertArrayEquals(floats(e.get("dynamic_code")), DynamicMap.CODE, "the signed dynamic map, value for value");
        assertEquals(0f, DynamicMap.CODE[DynamicMap.ZERO]);
    }

    @Test
    void nf4CodesAbsmaxAndValuesMatchTheReference() throws IOException {
        Map<?, ?> e = expected();
        int n = ((Number) e.get("n")).intValue();
        QuantizedWeight q = QuantizedWeight.quantize(inputs(n), new int[]{n}, QuantSpec.nf4());
        assertArrayEquals(HexFormat.of().parseHex((String) e.get("packed_hex")), q.packedCopy(), "two codes a byte, the first high");
        assertArrayEquals(floats(e.get("absmax")), q.scalesCopy());
        float[] d = q.dequantize();
        List<?> idx = (List<?>) e.get("sample_index");
        float[] want = floats(e.get("sample_nf4"));
        for (int k = 0; k < want.length; k++) assertEquals(want[k], d[((Number) idx.get(k)).intValue()], 0f, "value " + idx.get(k));
    }

    @Test
    void doubleQuantizedAbsmaxMatchesTheReference() throws IOException {
        Map<?, ?> e = expected();
        int n = ((Number) e.get("n")).intValue();
        QuantizedWeight q = QuantizedWeight.quantize(inputs(n), new int[]{n}, QuantSpec.nf4DoubleQuant());
        assertArrayEquals(HexFormat.of().parseHex((String) e.get("packed_hex")), q.packedCopy(), "codes chosen with the float32 absmax");
        float offset = ((Number) e.get("offset")).floatValue();
        assertEquals(offset, q.scaleOffset(), Math.ulp(offset), "the mean (torch sums in float32, here in double)");
        assertArrayEquals(floats(e.get("absmax2")), q.scaleCodeAbsmax(), 2 * Math.ulp(offset));
        assertArrayEquals(HexFormat.of().parseHex((String) e.get("qabsmax_hex")), q.scaleCodes(), "8-bit codes of the centred absmax");
        // a scale is code * absmax2 + offset: it may differ from the reference by the mean's last bits (torch sums
        // in float32), never by a code
        float meanUlps = 2 * Math.ulp(offset);
        float[] scales = q.scalesCopy(), wantScales = floats(e.get("absmax_dequantized"));
        for (int i = 0; i < scales.length; i++) assertEquals(wantScales[i], scales[i], meanUlps + 2 * Math.ulp(wantScales[i]), "scale " + i);
        float[] d = q.dequantize();
        List<?> idx = (List<?>) e.get("sample_index");
        float[] want = floats(e.get("sample_double_quant"));
        for (int k = 0; k < want.length; k++) {
            assertEquals(want[k], d[((Number) idx.get(k)).intValue()], meanUlps + 2 * Math.ulp(want[k]), "value " + idx.get(k));
        }
    }
}
