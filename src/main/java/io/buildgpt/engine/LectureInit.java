package io.buildgpt.engine;

import io.buildgpt.random.TorchGenerator;
import io.buildgpt.random.TorchInit;

import java.util.List;

/**
 * Fills a model's parameters with the values the lecture's PyTorch model gets after
 * {@code torch.manual_seed(seed)}, by their state_dict names, in state_dict order (which for the
 * lecture's modules is also the order their constructors run):
 * <ol>
 *   <li>the constructors' defaults, drawn in that order: {@code *embedding_table.weight} N(0, 1);
 *       a Linear's {@code weight (out, in)} kaiming-uniform, then its {@code bias} uniform in
 *       {@code +-1/sqrt(in)}; LayerNorm ({@code ln*}) weight 1 and bias 0, no draw;</li>
 *   <li>then, with {@code initWeights}, the final {@code gpt.py}'s {@code self.apply(self._init_weights)}:
 *       every Linear and Embedding weight N(0, 0.02), every Linear bias 0. {@code Module.apply}
 *       visits children before their parent, which for these modules is again state_dict order.</li>
 * </ol>
 * Only the names decide, so the engine's layer classes need to know nothing about PyTorch's
 * generator; a new parameter kind fails loudly here instead of being filled by a guess.
 */
public final class LectureInit {
    private LectureInit() {
    }

    /** Fills every tensor of {@code model} ({@link StateDict}: the lecture's names and order) from {@code g}. */
    public static void fill(GptLanguageModel model, TorchGenerator g, boolean initWeights) {
        fillEntries(StateDict.of(model), g, initWeights);
    }

    /** Fills plain {@code parameters} (no fused weights) from {@code g}, by their names. */
    public static void fill(List<Parameter> parameters, TorchGenerator g, boolean initWeights) {
        fillEntries(StateDict.of(parameters, 1), g, initWeights);
    }

    /** Fills the entries from {@code g}, which ends as PyTorch's generator does after building the model. */
    static void fillEntries(List<StateDict.Entry> entries, TorchGenerator g, boolean initWeights) {
        int fanIn = -1; // in_features of the Linear whose weight came last, for its bias
        for (StateDict.Entry p : entries) {
            String name = p.name();
            int[] s = p.shape();
            if (isLayerNorm(name)) {
                java.util.Arrays.fill(p.storage(), p.offset(), p.offset() + p.size(), name.endsWith(".weight") ? 1f : 0f);
            } else if (name.endsWith("embedding_table.weight")) {
                p.set(TorchInit.embedding(g, s[0], s[1]));
            } else if (name.endsWith(".weight") && s.length == 2) {
                fanIn = s[1];
                p.set(TorchInit.linearWeight(g, s[1], s[0]));
            } else if (name.endsWith(".bias") && s.length == 1 && fanIn > 0) {
                p.set(TorchInit.linearBias(g, fanIn, s[0]));
            } else {
                throw new IllegalArgumentException("parameter " + name + " " + java.util.Arrays.toString(s) + " has no known PyTorch"
                        + " initialisation: LectureInit knows *embedding_table.weight, Linear .weight/.bias and LayerNorm ln*.weight/.bias");
            }
        }
        if (!initWeights) return;
        for (StateDict.Entry p : entries) {
            String name = p.name();
            if (isLayerNorm(name)) continue;
            if (name.endsWith(".weight")) g.normal_(p.storage(), p.offset(), p.size(), 0.0, 0.02);
            else java.util.Arrays.fill(p.storage(), p.offset(), p.offset() + p.size(), 0f);
        }
    }

    private static boolean isLayerNorm(String name) {
        String last = name.substring(0, name.lastIndexOf('.'));
        last = last.substring(last.lastIndexOf('.') + 1);
        return last.startsWith("ln");
    }

}
