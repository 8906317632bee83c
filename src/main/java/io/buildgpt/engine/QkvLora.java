package io.buildgpt.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * LoRA on a {@link MultiHeadAttention}'s query, key and value projections. Each adapter spans all heads,
 * one {@code (C,C)} update as for a GPT's single {@code c_attn}, not one per head: it adds to its third
 * (rows {@code r*C ..}) of the stacked {@code (3C,C)} weight and takes that third of the stacked gradient.
 * With adapter dropout ({@code p > 0}, training only) the stacked weight holds the base alone, and each
 * adapter adds its masked branch to its third of the {@code (B*T,3C)} output and takes its gradient from
 * that third of {@code dQkv}.
 */
final class QkvLora {
    static final String[] ROLES = {"query", "key", "value"};
    private final int c;
    private final LoraAdapter[] adapters = new LoraAdapter[3];   // query, key, value; null where not adapted
    private final LoraAdapter fused;                             // PEFT's c_attn: one (3C,C) update, A (r,C), B (3C,r); or null

    /**
     * Adapters for the roles {@code config} targets, in the order query, key, value; or, for PEFT's {@code c_attn}
     * ({@link LoraConfig#fusedQkv()}), one adapter {@code name.c_attn} on the whole stacked {@code (3C,C)} weight.
     * A and B zero (the caller draws A).
     */
    QkvLora(String name, int c, LoraConfig config) {
        this.c = c;
        this.fused = config.fusedQkv() ? new LoraAdapter(name + ".c_attn", c, 3 * c, config) : null;
        for (int r = 0; r < 3; r++) {
            if (config.targets(ROLES[r])) adapters[r] = new LoraAdapter(name + "." + ROLES[r], c, c, config);
        }
    }

    /** Whether the adapters run their dropout branches explicitly (training, p > 0). */
    boolean dropsOut(boolean training) {
        for (LoraAdapter a : adapters) if (a != null && a.dropsOut(training)) return true;
        return fused != null && fused.dropsOut(training);
    }

    /** {@code wQkv (3C,C)}: each role's third {@code += s * B (C,r) @ A (r,C)}. */
    void addTo(float[] wQkv) {
        for (int r = 0; r < 3; r++) if (adapters[r] != null) adapters[r].addTo(wQkv, r * c * c);
        if (fused != null) fused.addTo(wQkv, 0);                                       // (3C,r) @ (r,C)
    }

    /** Each role's third of {@code dWQkv (3C,C)} -> its dA, dB. */
    void backward(float[] dWQkv) {
        for (int r = 0; r < 3; r++) if (adapters[r] != null) adapters[r].backward(dWQkv, r * c * c);
        if (fused != null) fused.backward(dWQkv, 0);
    }

    /** {@code + s * (drop(x) @ A^T) @ B^T} into each role's third of {@code qkv (n,3C)}. */
    void forwardBranch(float[] x, int n, float[] qkv) {
        for (int r = 0; r < 3; r++) if (adapters[r] != null) adapters[r].forwardBranch(x, n, qkv, r * c, 3 * c);
        if (fused != null) fused.forwardBranch(x, n, qkv, 0, 3 * c);
    }

    /** From each role's third of {@code dQkv (n,3C)}: dA, dB; {@code dx += (dh @ A) * mask}. */
    void backwardBranch(float[] dQkv, float[] dx) {
        for (int r = 0; r < 3; r++) if (adapters[r] != null) adapters[r].backwardBranch(dQkv, r * c, 3 * c, dx);
        if (fused != null) fused.backwardBranch(dQkv, 0, 3 * c, dx);
    }

    /** Folds each adapter's {@code s * B @ A (C,C)} into the heads' rows of its role, {@code (hs,C)} per head. */
    void mergeInto(List<Head> heads) {
        int hs = c / heads.size();
        float[] delta = new float[c * c];
        for (int r = 0; r < 3; r++) {
            if (adapters[r] == null) continue;
            Arrays.fill(delta, 0f);
            adapters[r].addTo(delta, 0);                                             // s * B (C,r) @ A (r,C)
            for (int h = 0; h < heads.size(); h++) {
                float[] w = role(heads.get(h), r).weight().data;
                for (int i = 0; i < hs * c; i++) w[i] += delta[h * hs * c + i];      // rows of head h (hs,C)
            }
        }
        if (fused == null) return;
        float[] all = new float[3 * c * c];
        fused.addTo(all, 0);                                                         // s * B (3C,r) @ A (r,C)
        for (int r = 0; r < 3; r++) {
            for (int h = 0; h < heads.size(); h++) {
                float[] w = role(heads.get(h), r).weight().data;
                for (int i = 0; i < hs * c; i++) w[i] += all[(r * c + h * hs) * c + i]; // rows r*C + h*hs .. of the stack
            }
        }
    }

    static Linear role(Head head, int r) {
        return r == 0 ? head.query : r == 1 ? head.key : head.value;
    }

    /** query, key, value (those present). */
    List<LoraAdapter> adapters() {
        List<LoraAdapter> out = new ArrayList<>();
        if (fused != null) out.add(fused);
        for (LoraAdapter a : adapters) if (a != null) out.add(a);
        return out;
    }
}
