package io.buildgpt.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's tensors under the lecture's PyTorch state_dict names, in state_dict order, over the engine's
 * own storage. They are the engine's {@link Parameter}s one for one, except the attention's fused
 * {@code c_attn.weight (3C, C)} ({@link Attention}), which the lecture's model holds as one
 * {@code (hs, C)} weight per head and role: {@code heads.h.key.weight}, {@code heads.h.query.weight},
 * {@code heads.h.value.weight} for {@code h = 0..nh-1}, in that order. Each is a block of contiguous rows of
 * the fused weight (query rows {@code h*hs..}, key rows {@code C + h*hs..}, value rows {@code 2C + h*hs..}),
 * so an entry is a view: reading copies out of the engine's array, writing copies into it.
 */
public final class StateDict {
    private static final String FUSED = ".c_attn.weight";
    private static final String[] ROLES = {"key", "query", "value"};   // the lecture's Head builds them in this order
    private static final int[] ROLE_THIRD = {1, 0, 2};                  // key, query, value -> their third of c_attn

    /** One state_dict tensor: {@code size} values of {@code parameter} from {@code offset}, shaped {@code shape}. */
    public record Entry(String name, int[] shape, Parameter parameter, int offset) {
        public int size() {
            int n = 1;
            for (int d : shape) n *= d;
            return n;
        }

        /** A copy of the values. */
        public float[] values() {
            return Arrays.copyOfRange(parameter.data, offset, offset + size());
        }

        /** A copy of the gradient (zeros while none was computed). */
        public float[] gradient() {
            return parameter.hasGrad() ? Arrays.copyOfRange(parameter.grad(), offset, offset + size()) : new float[size()];
        }

        /** Writes {@code values} (exactly {@link #size()} of them) into the engine's storage. */
        public void set(float[] values) {
            if (values.length != size()) {
                throw new IllegalArgumentException(name + " has " + size() + " values " + Arrays.toString(shape) + ", not " + values.length);
            }
            System.arraycopy(values, 0, parameter.data, offset, values.length);
        }

        /** The engine's array these values live in, from {@link #offset()}: initialisers write into it directly. */
        public float[] storage() {
            return parameter.data;
        }
    }

    private StateDict() {
    }

    /** Every float tensor of {@code model} under its state_dict name, in state_dict order. */
    public static List<Entry> of(GptLanguageModel model) {
        return of(model.parameters(), model.config().nHead());
    }

    /** {@code parameters} as state_dict entries, each fused {@code c_attn.weight} split into the heads' tensors of {@code nHead} heads. */
    public static List<Entry> of(List<Parameter> parameters, int nHead) {
        List<Entry> out = new ArrayList<>();
        for (Parameter p : parameters) {
            int[] s = p.shape();
            if (!p.name().endsWith(FUSED) || s.length != 2 || s[0] % 3 != 0) {
                out.add(new Entry(p.name(), s, p, 0));
                continue;
            }
            String prefix = p.name().substring(0, p.name().length() - FUSED.length());
            int c = s[1], hs = s[0] / 3 / nHead;
            for (int h = 0; h < nHead; h++) {
                for (int r = 0; r < 3; r++) {
                    int row = ROLE_THIRD[r] * c + h * hs;
                    out.add(new Entry(prefix + ".heads." + h + "." + ROLES[r] + ".weight", new int[]{hs, c}, p, row * c));
                }
            }
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The state_dict as new {@link Parameter}s holding copies of the values and, where computed, the gradients:
     * for files and checks in the lecture's names (e.g. {@code ParameterFile.write} for PyTorch to read).
     */
    public static List<Parameter> copies(GptLanguageModel model) {
        List<Parameter> out = new ArrayList<>();
        for (Entry e : of(model)) {
            Parameter p = new Parameter(e.name(), e.shape());
            System.arraycopy(e.parameter().data, e.offset(), p.data, 0, e.size());
            if (e.parameter().hasGrad()) System.arraycopy(e.parameter().grad(), e.offset(), p.grad(), 0, e.size());
            out.add(p);
        }
        return out;
    }

    /** Writes every tensor of {@code values} (state_dict names, e.g. read back from a file) into {@code model}; all names must match. */
    public static void load(GptLanguageModel model, List<Parameter> values) {
        Map<String, Entry> entries = byName(model);
        if (values.size() != entries.size()) {
            throw new IllegalArgumentException(values.size() + " tensors given, the model has " + entries.size() + " in its state_dict");
        }
        for (Parameter v : values) {
            Entry e = entries.get(v.name());
            if (e == null) throw new IllegalArgumentException("the model has no tensor named " + v.name());
            if (!Arrays.equals(e.shape(), v.shape())) {
                throw new IllegalArgumentException(v.name() + " is " + Arrays.toString(e.shape()) + " in the model, " + Arrays.toString(v.shape()) + " given");
            }
            e.set(v.data);
        }
    }

    /** {@link #of(GptLanguageModel)} by name. */
    public static Map<String, Entry> byName(GptLanguageModel model) {
        Map<String, Entry> m = new LinkedHashMap<>();
        for (Entry e : of(model)) m.put(e.name(), e);
        return m;
    }
}
