package io.buildgpt.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A model's parameters alone, in the {@link TensorFile} format with {@code "format": "buildgpt-parameters"}.
 * Names are the PyTorch state_dict keys, so {@code model.load_state_dict} takes them as they are
 * (see {@code src/bench/gpt_parity.py}).
 */
public final class ParameterFile {
    public static final String FORMAT = "buildgpt-parameters";

    private ParameterFile() {}

    public static void write(Path file, List<Parameter> parameters) throws IOException {
        TensorFile.write(file, FORMAT, Map.of(), entries(parameters));
    }

    /** Reads {@code file} into {@code parameters}, matched by name; every parameter must be present with its shape. */
    public static void read(Path file, List<Parameter> parameters) throws IOException {
        TensorFile.Contents contents = TensorFile.read(file, FORMAT);
        for (Parameter p : parameters) {
            float[] v = contents.require(p.name(), p.shape(), file).values();
            System.arraycopy(v, 0, p.data(), 0, v.length);
        }
    }

    static List<TensorFile.Entry> entries(List<Parameter> parameters) {
        return parameters.stream().map(p -> new TensorFile.Entry(p.name(), p.shape(), p.data())).toList();
    }
}
