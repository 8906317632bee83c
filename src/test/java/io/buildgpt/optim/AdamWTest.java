package io.buildgpt.optim;

import io.buildgpt.json.Json;
import io.buildgpt.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Three AdamW steps against {@code torch.optim.AdamW} with the same gradients (src/bench/tensor_fixtures.py). */
class AdamWTest {
    @SuppressWarnings("unchecked")
    @Test
    void threeStepsEqualPyTorch() throws Exception {
        Map<String, Object> all;
        try (InputStream in = getClass().getResourceAsStream("/tensor_fixtures.json")) {
            all = (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        Map<String, Object> adam = (Map<String, Object>) all.get("adamw");
        for (var e : adam.entrySet()) {
            Map<String, Object> c = (Map<String, Object>) e.getValue();
            Tensor p = Tensor.tensor(floats(c.get("start")), 3, 4).requiresGrad_(true);
            AdamW opt = e.getKey().equals("defaults") ? new AdamW(List.of(p)) : new AdamW(List.of(p), 1e-2, 0.9, 0.999, 1e-8, 0.1);
            for (Object g : (List<Object>) c.get("grads")) {
                p.setGrad(Tensor.tensor(floats(g), 3, 4));
                opt.step();
            }
            float[] want = floats(c.get("after")), got = p.toFloatArray();
            for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-7f, e.getKey() + " [" + i + "]");
            opt.zeroGrad();
            assertNull(p.grad());
        }
    }

    @Test
    void refusesAnEmptyListAndTensorsWithoutGradients() {
        assertThrows(IllegalArgumentException.class, () -> new AdamW(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new AdamW(List.of(Tensor.zeros(2))));
    }

    private static float[] floats(Object list) {
        List<?> l = (List<?>) list;
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) f[i] = ((Number) l.get(i)).floatValue();
        return f;
    }
}
