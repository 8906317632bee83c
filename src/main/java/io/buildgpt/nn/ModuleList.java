package io.buildgpt.nn;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code nn.ModuleList([...])}: modules held in order (named 0, 1, ...), each called by the owner's forward. */
public class ModuleList<M extends Module> extends Module implements Iterable<M> {
    private final List<M> modules;

    public ModuleList(List<M> modules) {
        this.modules = List.copyOf(modules);
    }

    public M get(int i) { return modules.get(i); }

    public int size() { return modules.size(); }

    @Override
    public Iterator<M> iterator() { return modules.iterator(); }

    @Override
    protected Map<String, Module> children() {
        Map<String, Module> out = new LinkedHashMap<>();
        for (int i = 0; i < modules.size(); i++) out.put(Integer.toString(i), modules.get(i));
        return out;
    }
}
