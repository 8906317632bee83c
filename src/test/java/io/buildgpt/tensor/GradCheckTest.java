package io.buildgpt.tensor;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every op's backward against central finite differences of {@code L = sum(out * w)}: each input value moved
 * by {@code +-h}, {@code L} summed in double, {@code (L(x+h) - L(x-h)) / 2h} compared with the autograd
 * gradient. The forward itself is float32 (the library has no float64), so {@code h} is 1e-2 and the
 * tolerance 2e-3 (relative to the gradient's size): enough to catch a wrong sign, factor or index.
 */
class GradCheckTest {
    private static final double H = 1e-2, TOL = 2e-3;

    @SuppressWarnings("unchecked")
    @TestFactory
    Stream<DynamicTest> everyOpsGradientMatchesFiniteDifferences() {
        Map<String, Object> cases = (Map<String, Object>) OpCases.fixtures().get("cases");
        return OpCases.OPS.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            Map<String, Object> c = (Map<String, Object>) cases.get(e.getKey());
            List<Tensor> in = new ArrayList<>();
            for (Object spec : (List<Object>) c.get("inputs")) in.add(OpCases.tensor(spec, true));
            check(e.getKey(), e.getValue(), in);
        }));
    }

    @Test
    void chainsOfOpsThroughBroadcastAndViews() {
        Tensor.manualSeed(11);
        List<Tensor> in = List.of(Tensor.randn(2, 4, 3).requiresGrad_(true), Tensor.randn(3, 5).requiresGrad_(true), Tensor.randn(5).requiresGrad_(true));
        // a small MLP-with-attention-ish chain: matmul, broadcast add, tanh, transpose, softmax, slice, mean
        check("chain", t -> {
            Tensor h = t.get(0).matmul(t.get(1)).add(t.get(2)).tanh();              // (2,4,5)
            Tensor wei = h.matmul(h.transpose(-2, -1)).softmax(-1);                // (2,4,4)
            return wei.matmul(h).get(":, 1:, :").mean(1).relu().add(h.var(1));    // (2,5)
        }, in);
    }

    static void check(String name, Function<List<Tensor>, Tensor> op, List<Tensor> in) {
        Tensor out = op.apply(in);
        Tensor.manualSeed(99);
        float[] w = Tensor.randn(out.shape()).toFloatArray();
        out.mul(Tensor.tensor(w, out.shape())).sum().backward();
        for (int i = 0; i < in.size(); i++) {
            Tensor x = in.get(i);
            if (x.dtype() != DType.FLOAT32) continue;
            float[] grad = x.grad().toFloatArray();
            float[] data = x.data();
            double scale = 0;
            for (float g : grad) scale = Math.max(scale, Math.abs(g));
            for (int j = 0; j < data.length; j++) {
                float saved = data[j];
                data[j] = (float) (saved + H);
                double up = loss(op, in, w);
                data[j] = (float) (saved - H);
                double down = loss(op, in, w);
                data[j] = saved;
                double numeric = (up - down) / (2 * H);
                assertTrue(Math.abs(numeric - grad[j]) <= TOL * (1 + scale),
                        name + ": d/d input " + i + "[" + j + "]: finite differences " + numeric + ", autograd " + grad[j]);
            }
        }
    }

    private static double loss(Function<List<Tensor>, Tensor> op, List<Tensor> in, float[] w) {
        try (var g = Tensor.noGrad()) {
            float[] out = op.apply(in).toFloatArray();
            double s = 0;
            for (int i = 0; i < out.length; i++) s += (double) out[i] * w[i];
            return s;
        }
    }
}
