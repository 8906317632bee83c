package io.buildgpt.tensor;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code toString} against {@code str(tensor)} as PyTorch printed it (fixtures from {@code src/bench/tensor_fixtures.py}). */
class PrinterTest {
    @SuppressWarnings("unchecked")
    @TestFactory
    Stream<DynamicTest> printsAsPyTorch() {
        List<Object> prints = (List<Object>) OpCases.fixtures().get("prints");
        return prints.stream().map(o -> {
            Map<String, Object> p = (Map<String, Object>) o;
            String want = (String) p.get("str");
            return DynamicTest.dynamicTest(want.lines().findFirst().orElse(""), () -> {
                Tensor t = OpCases.tensor(p, Boolean.TRUE.equals(p.get("requires_grad")));
                assertEquals(want, t.toString());
            });
        });
    }

    @Test
    void aLossPrintsItsGradFn() {
        Tensor logits = Tensor.zeros(2, 3).requiresGrad_(true);
        Tensor loss = F.crossEntropy(logits, Tensor.tensor(new long[]{0, 2}));
        assertEquals("tensor(1.0986, grad_fn=<NllLossBackward0>)", loss.toString());   // log(3), as PyTorch prints it
    }
}
