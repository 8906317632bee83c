package io.buildgpt.tensor;

import io.buildgpt.json.Json;
import io.buildgpt.random.TorchGenerator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The ops the tests check, by the names {@code src/bench/tensor_fixtures.py} gives them, written here as a
 * cell would write them, and the fixture file those names index.
 */
final class OpCases {
    private OpCases() {}

    static final Map<String, Function<List<Tensor>, Tensor>> OPS = new LinkedHashMap<>();

    private static void op(String name, Function<List<Tensor>, Tensor> fn) {
        OPS.put(name, fn);
    }

    static {
        op("add_broadcast", in -> in.get(0).add(in.get(1)));
        op("sub_broadcast", in -> in.get(0).sub(in.get(1)));
        op("mul_broadcast", in -> in.get(0).mul(in.get(1)));
        op("div_broadcast", in -> in.get(0).div(in.get(1)));
        op("scalar_ops", in -> in.get(0).mul(0.5).add(1.0).div(3.0).sub(2.0));
        op("pow2", in -> in.get(0).pow(2));
        op("exp", in -> in.get(0).exp());
        op("log", in -> in.get(0).log());
        op("tanh", in -> in.get(0).tanh());
        op("relu", in -> in.get(0).relu());
        op("sqrt", in -> in.get(0).sqrt());
        for (String mm : List.of("matmul_2d", "matmul_batched_2d", "matmul_batched", "matmul_broadcast_left", "matmul_broadcast_batch",
                "matmul_vec_mat", "matmul_mat_vec")) {
            op(mm, in -> in.get(0).matmul(in.get(1)));
        }
        op("matmul_transposed", in -> in.get(0).matmul(in.get(1).transpose(-2, -1)));
        op("linear_weight_t", in -> in.get(0).matmul(in.get(1).transpose(0, 1)).add(in.get(2)));
        op("transpose_slice", in -> in.get(0).transpose(0, 2).get("1:, :, -2").mul(2.0));
        op("select_last", in -> in.get(0).get(":, -1, :"));
        op("slice_tail", in -> in.get(0).slice(1, -3));
        op("reshape_noncontiguous", in -> in.get(0).transpose(1, 2).reshape(6, 4));
        op("view", in -> in.get(0).view(4, -1));
        op("cat_dim1", in -> Tensor.cat(List.of(in.get(0), in.get(1)), 1));
        op("stack_dim0", in -> Tensor.stack(List.of(in.get(0), in.get(1)), 0));
        op("sum_all", in -> in.get(0).sum());
        op("sum_dim_keepdim", in -> in.get(0).sum(1, true));
        op("mean_dim", in -> in.get(0).mean(-1));
        op("mean_all", in -> in.get(0).mean());
        op("var_dim", in -> in.get(0).var(1, true));
        op("var_all", in -> in.get(0).var());
        op("var_biased", in -> in.get(0).var(-1, false, true));
        op("max_dim", in -> in.get(0).max(1, true));
        op("softmax_last", in -> F.softmax(in.get(0), -1));
        op("softmax_dim0", in -> F.softmax(in.get(0), 0));
        op("masked_softmax", in -> {
            Tensor tril = Tensor.tril(Tensor.ones(4, 4));
            return F.softmax(in.get(0).maskedFill(tril.eq(0), Double.NEGATIVE_INFINITY), -1);
        });
        op("cross_entropy", in -> F.crossEntropy(in.get(0), in.get(1)));
        op("embedding", in -> in.get(0).index(in.get(1)));
        op("layer_norm", in -> F.layerNorm(in.get(0), in.get(1), in.get(2), 1e-5));
        op("attention", in -> F.causalAttention(in.get(0), in.get(1), in.get(2)));
        op("dropout_seed7", in -> F.dropout(in.get(0), 0.25, true, new TorchGenerator(7)));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> fixtures() {
        try (InputStream in = OpCases.class.getResourceAsStream("/tensor_fixtures.json")) {
            return (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static int[] ints(Object list) {
        return ((List<?>) list).stream().mapToInt(o -> ((Number) o).intValue()).toArray();
    }

    static double[] doubles(Object list) {
        return ((List<?>) list).stream().mapToDouble(o -> o instanceof Number n ? n.doubleValue() : Double.parseDouble(((String) o).replace("inf", "Infinity"))).toArray();
    }

    /** A fixture's input: float32 values (needing gradients when asked) or int64 ids. */
    @SuppressWarnings("unchecked")
    static Tensor tensor(Object spec, boolean requiresGrad) {
        Map<String, Object> m = (Map<String, Object>) spec;
        int[] shape = ints(m.get("shape"));
        double[] d = doubles(m.get("data"));
        if ("int64".equals(m.get("dtype"))) {
            long[] l = new long[d.length];
            for (int i = 0; i < d.length; i++) l[i] = (long) d[i];
            return Tensor.tensor(l, shape);
        }
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        Tensor t = shape.length == 0 ? Tensor.scalar(f[0]) : Tensor.tensor(f, shape);
        return requiresGrad ? t.requiresGrad_(true) : t;
    }
}
