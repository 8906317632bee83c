package io.buildgpt.nn;

import io.buildgpt.tensor.Tensor;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code torch.nn.Module}: a layer or model whose fields are its parameters (tensors that require a
 * gradient) and its sub-modules, found by reflection in declaration order, as PyTorch registers them by
 * assignment. Names are PyTorch's {@code state_dict} keys: a camelCase field becomes snake_case
 * ({@code tokenEmbeddingTable} -> {@code token_embedding_table}, {@code lnF} -> {@code ln_f}), and the
 * entries of {@link Sequential} and {@link ModuleList} are numbered. A cell class extends this, builds its
 * layers in the constructor and writes its own {@code forward}.
 *
 * <p>Import it by name ({@code import io.buildgpt.nn.Module;}) next to {@code import io.buildgpt.nn.*;}:
 * {@code java.lang.Module} has the same simple name, and the wildcard alone leaves {@code Module} ambiguous.
 */
public abstract class Module {
    private boolean training = true;

    /** A one-input forward, for layers that {@link Sequential} chains; a model with other inputs writes its own. */
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no forward(Tensor): write one to use it in a Sequential");
    }

    /** The direct sub-modules by name, in declaration order. */
    protected Map<String, Module> children() {
        Map<String, Module> out = new LinkedHashMap<>();
        for (Field f : fields()) {
            Object v = read(f);
            if (v instanceof Module m) out.put(name(f), m);
        }
        return out;
    }

    /** This module's own parameters (not its children's) by name. */
    protected Map<String, Tensor> ownParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Field f : fields()) {
            Object v = read(f);
            if (v instanceof Tensor t && t.requiresGrad()) out.put(name(f), t);
        }
        return out;
    }

    /** {@code named_parameters()}: own parameters first, then each child's under its name, depth first. */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>(ownParameters());
        for (var c : children().entrySet()) {
            for (var p : c.getValue().namedParameters().entrySet()) out.putIfAbsent(c.getKey() + "." + p.getKey(), p.getValue());
        }
        return out;
    }

    /** {@code parameters()}: the tensors an optimiser updates, each once. */
    public final List<Tensor> parameters() {
        return new ArrayList<>(new LinkedHashMap<>(namedParameters()).values());
    }

    /** The number of parameter values ({@code sum(p.numel() for p in m.parameters())}). */
    public final long numParameters() {
        long n = 0;
        for (Tensor p : parameters()) n += p.numel();
        return n;
    }

    /** {@code m.train()}: dropout active, in this module and all below it. */
    public final Module train() {
        setTraining(true);
        return this;
    }

    /** {@code m.eval()}: dropout off, in this module and all below it. */
    public final Module eval() {
        setTraining(false);
        return this;
    }

    private void setTraining(boolean on) {
        training = on;
        for (Module c : children().values()) c.setTraining(on);
    }

    public final boolean isTraining() {
        return training;
    }

    /** {@code m.apply(fn)}: {@code fn} on every sub-module (children first), then on this one, as PyTorch. */
    public final Module apply(Consumer<Module> fn) {
        for (Module c : children().values()) c.apply(fn);
        fn.accept(this);
        return this;
    }

    /** {@code m.zero_grad()}: clears every parameter's gradient. */
    public final void zeroGrad() {
        for (Tensor p : parameters()) p.setGrad(null);
    }

    /** camelCase to snake_case: {@code lmHead} -> {@code lm_head}. */
    static String snake(String name) {
        StringBuilder s = new StringBuilder();
        for (char ch : name.toCharArray()) {
            if (Character.isUpperCase(ch)) s.append('_').append(Character.toLowerCase(ch));
            else s.append(ch);
        }
        return s.toString();
    }

    private static String name(Field f) {
        return snake(f.getName());
    }

    private List<Field> fields() {
        List<Class<?>> chain = new ArrayList<>();
        for (Class<?> c = getClass(); c != null && c != Module.class; c = c.getSuperclass()) chain.add(0, c);
        List<Field> out = new ArrayList<>();
        for (Class<?> c : chain) {
            for (Field f : c.getDeclaredFields()) {
                int mod = f.getModifiers();
                if (Modifier.isStatic(mod) || Modifier.isTransient(mod) || f.isSynthetic()) continue;
                if (Tensor.class.isAssignableFrom(f.getType()) || Module.class.isAssignableFrom(f.getType()) || f.getType() == Object.class) out.add(f);
            }
        }
        return out;
    }

    private Object read(Field f) {
        try {
            f.setAccessible(true);
            return f.get(this);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot read field " + f.getName() + " of " + getClass().getName()
                    + " to find its parameters: make the class and field accessible (not in a closed module)", e);
        }
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(getClass().getSimpleName()).append('(');
        if (!children().isEmpty()) {
            for (var c : children().entrySet()) {
                s.append("\n  (").append(c.getKey()).append("): ").append(c.getValue().toString().replace("\n", "\n  "));
            }
            s.append('\n');
        } else s.append(extraRepr());
        return s.append(')').toString();
    }

    /** What {@link #toString()} shows inside the parentheses of a leaf layer. */
    protected String extraRepr() {
        return "";
    }
}
