package io.buildgpt.tensor;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every op's output and the gradients of {@code sum(out * w)} against PyTorch autograd, values printed by
 * {@code src/bench/tensor_fixtures.py} into {@code src/test/resources/tensor_fixtures.json}.
 */
class TensorOpsTorchTest {
    private static final Map<String, Object> FIXTURES = OpCases.fixtures();

    @SuppressWarnings("unchecked")
    @TestFactory
    Stream<DynamicTest> eachOpMatchesPyTorch() {
        Map<String, Object> cases = (Map<String, Object>) FIXTURES.get("cases");
        assertEquals(OpCases.OPS.keySet(), cases.keySet(), "every fixture has its op on the Java side and back");
        return cases.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            Map<String, Object> c = (Map<String, Object>) e.getValue();
            List<Tensor> in = new ArrayList<>();
            for (Object spec : (List<Object>) c.get("inputs")) in.add(OpCases.tensor(spec, true));
            Tensor out = OpCases.OPS.get(e.getKey()).apply(in);
            Map<String, Object> want = (Map<String, Object>) c.get("out");
            assertArrayEquals(OpCases.ints(want.get("shape")), out.shape(), "shape");
            close(OpCases.doubles(want.get("data")), out.toFloatArray(), 2e-6, e.getKey() + " output");
            Tensor w = Tensor.tensor(floats(OpCases.doubles(c.get("w"))), out.shape());
            out.mul(w).sum().backward();
            List<Object> grads = (List<Object>) c.get("grads");
            for (int i = 0; i < in.size(); i++) {
                if (grads.get(i) == null) {
                    assertNull(in.get(i).grad());
                    continue;
                }
                assertNotNull(in.get(i).grad(), e.getKey() + " input " + i + " has no gradient");
                close(OpCases.doubles(grads.get(i)), in.get(i).grad().toFloatArray(), 1e-5, e.getKey() + " gradient of input " + i);
            }
        }));
    }

    @Test
    void fusedOpsEqualTheirReadableCompositions() {
        Tensor.manualSeed(3);
        Tensor q = Tensor.randn(2, 3, 5, 4).requiresGrad_(true), k = Tensor.randn(2, 3, 5, 4).requiresGrad_(true), v = Tensor.randn(2, 3, 5, 4).requiresGrad_(true);
        Tensor w = Tensor.randn(2, 3, 5, 4);
        compareFused(List.of(q, k, v), w, in -> F.causalAttention(in.get(0), in.get(1), in.get(2)),
                in -> F.causalAttentionComposed(in.get(0), in.get(1), in.get(2)));
        Tensor x = Tensor.randn(4, 6, 8).requiresGrad_(true), g = Tensor.randn(8).requiresGrad_(true), b = Tensor.randn(8).requiresGrad_(true);
        compareFused(List.of(x, g, b), Tensor.randn(4, 6, 8), in -> F.layerNorm(in.get(0), in.get(1), in.get(2), 1e-5),
                in -> F.layerNormComposed(in.get(0), in.get(1), in.get(2), 1e-5));
        Tensor logits = Tensor.randn(12, 65).mul(3.0).requiresGrad_(true);
        Tensor targets = Tensor.randint(65, 12);
        compareFused(List.of(logits), Tensor.ones(), in -> F.crossEntropy(in.get(0), targets), in -> F.crossEntropyComposed(in.get(0), targets));
    }

    private static void compareFused(List<Tensor> in, Tensor w, java.util.function.Function<List<Tensor>, Tensor> fused,
                                     java.util.function.Function<List<Tensor>, Tensor> composed) {
        Tensor a = fused.apply(in);
        a.mul(w).sum().backward();
        List<float[]> ga = new ArrayList<>();
        for (Tensor t : in) {
            ga.add(t.grad().toFloatArray());
            t.setGrad(null);
        }
        Tensor b = composed.apply(in);
        b.mul(w).sum().backward();
        close(toDouble(b.toFloatArray()), a.toFloatArray(), 1e-5, "fused output");
        for (int i = 0; i < in.size(); i++) {
            close(toDouble(in.get(i).grad().toFloatArray()), ga.get(i), 1e-5, "fused gradient " + i);
            in.get(i).setGrad(null);
        }
    }

    static void close(double[] want, float[] got, double tol, String what) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            boolean ok = want[i] == got[i] || Math.abs(want[i] - got[i]) <= tol * (1 + Math.abs(want[i]));
            assertTrue(ok, what + " [" + i + "]: want " + want[i] + ", got " + got[i]);
        }
    }

    static float[] floats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
