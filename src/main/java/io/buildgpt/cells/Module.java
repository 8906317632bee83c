package io.buildgpt.cells;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A layer or model written like an {@code nn.Module}: its parameters and sub-layers are its fields.
 * {@link #namedParameters()} walks the fields in declaration order (superclass first) and names each
 * {@link Param} by its path, as PyTorch's {@code state_dict} does: a field {@code key} holding a
 * {@link Linear} gives {@code key.weight}; a {@code List<Block> blocks} gives {@code blocks.0...},
 * {@code blocks.1...}. Fields of other types (ints, {@code INDArray} buffers such as {@code tril}) are
 * not parameters, as {@code register_buffer} tensors are not.
 */
public abstract class Module {

    /** Every parameter with its PyTorch name, in registration order; names them on the first call. */
    public final Map<String, Param> namedParameters() {
        Map<String, Param> out = new LinkedHashMap<>();
        collect(this, "", out, new ArrayList<>());
        return out;
    }

    private static void collect(Object module, String prefix, Map<String, Param> out, List<Object> seen) {
        for (Object s : seen) if (s == module) return; // a module shared by two fields is listed once
        seen.add(module);
        for (Field f : fields(module.getClass())) {
            Object value;
            try {
                f.setAccessible(true);
                value = f.get(module);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException("cannot read field " + f.getName() + " of " + module.getClass().getSimpleName(), e);
            }
            visit(value, prefix + f.getName(), out, seen);
        }
    }

    private static void visit(Object value, String name, Map<String, Param> out, List<Object> seen) {
        if (value instanceof Param p) {
            if (!p.isBound()) p.bind(name);
            if (!out.containsValue(p)) out.put(p.name(), p);
        } else if (value instanceof Sequential seq) {
            for (int i = 0; i < seq.layers.size(); i++) visit(seq.layers.get(i), name + "." + i, out, seen); // net.0, net.2, as PyTorch
        } else if (value instanceof Module m) {
            collect(m, name + ".", out, seen);
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) visit(list.get(i), name + "." + i, out, seen);
        } else if (value instanceof Object[] array && (array instanceof Module[] || array instanceof Param[])) {
            for (int i = 0; i < array.length; i++) visit(array[i], name + "." + i, out, seen);
        }
    }

    private static List<Field> fields(Class<?> type) {
        List<Field> all = new ArrayList<>();
        if (type == null || type == Module.class || type == Object.class) return all;
        all.addAll(fields(type.getSuperclass()));
        for (Field f : type.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) || f.isSynthetic() || Modifier.isTransient(f.getModifiers())) continue;
            all.add(f);
        }
        return all;
    }
}
