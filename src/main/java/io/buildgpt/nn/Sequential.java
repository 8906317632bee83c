package io.buildgpt.nn;

import io.buildgpt.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code nn.Sequential(...)}: each module's output is the next one's input; children named 0, 1, ... */
public class Sequential extends Module {
    private final List<Module> modules;

    public Sequential(Module... modules) {
        this.modules = List.of(modules);
    }

    @Override
    public Tensor forward(Tensor x) {
        for (Module m : modules) x = m.forward(x);
        return x;
    }

    public Module get(int i) { return modules.get(i); }

    public int size() { return modules.size(); }

    @Override
    protected Map<String, Module> children() {
        Map<String, Module> out = new LinkedHashMap<>();
        for (int i = 0; i < modules.size(); i++) out.put(Integer.toString(i), modules.get(i));
        return out;
    }
}
