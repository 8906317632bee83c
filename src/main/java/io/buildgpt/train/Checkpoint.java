package io.buildgpt.train;

import io.buildgpt.model.GptConfig;
import io.buildgpt.model.GptLanguageModel;
import io.buildgpt.model.Parameter;
import io.buildgpt.model.TensorFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GPT's training state on disk: configuration, step, weights and AdamW's moments, so that training
 * can stop and resume, and a trained model can be reloaded for generation.
 *
 * <p>The file is a {@link TensorFile} with {@code "format": "buildgpt-checkpoint"}; its JSON header
 * holds {@code "config"} (the {@link GptConfig} fields), {@code "step"}, and {@code "optimizer"}
 * (AdamW's hyperparameters and step count); its tensors are the parameters under their PyTorch
 * names, then {@code adamw.m.<name>} and {@code adamw.v.<name>} for each. It is written to a
 * temporary file and moved into place, so a failed save leaves the previous checkpoint intact; a
 * truncated, damaged or mismatched file is refused with a message.
 */
public record Checkpoint(GptLanguageModel model, AdamW optimizer, int step) {
    public static final String FORMAT = "buildgpt-checkpoint";

    /** Saves model, optimizer and step to {@code file}. */
    public static Path save(Path file, GptLanguageModel model, AdamW optimizer, int step) {
        if (model.loraConfig() != null || model.isQuantized()) {
            // a checkpoint restores a plain float model; adapters and byte blocks would not come back
            throw new IllegalArgumentException("this model has " + (model.loraConfig() != null ? "LoRA adapters" : "a quantized base")
                    + ", which a checkpoint cannot hold: save the adapters with LoraFile.save, or mergeLora() (after dequantizeBase()) first");
        }
        GptConfig c = model.config();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("vocab_size", (long) c.vocabSize());
        config.put("block_size", (long) c.blockSize());
        config.put("n_embd", (long) c.nEmbd());
        config.put("n_head", (long) c.nHead());
        config.put("n_layer", (long) c.nLayer());
        config.put("dropout", c.dropout());
        Map<String, Object> adam = new LinkedHashMap<>();
        adam.put("learning_rate", optimizer.learningRate());
        adam.put("beta1", optimizer.beta1());
        adam.put("beta2", optimizer.beta2());
        adam.put("eps", optimizer.eps());
        adam.put("weight_decay", optimizer.weightDecay());
        adam.put("step_count", (long) optimizer.stepCount());
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("step", (long) step);
        meta.put("config", config);
        meta.put("optimizer", adam);

        List<Parameter> params = model.parameters();
        List<TensorFile.Entry> entries = new ArrayList<>();
        for (Parameter p : params) entries.add(new TensorFile.Entry(p.name(), p.shape(), p.data()));
        for (int i = 0; i < params.size(); i++) entries.add(new TensorFile.Entry("adamw.m." + params.get(i).name(), params.get(i).shape(), optimizer.firstMoment(i)));
        for (int i = 0; i < params.size(); i++) entries.add(new TensorFile.Entry("adamw.v." + params.get(i).name(), params.get(i).shape(), optimizer.secondMoment(i)));
        try {
            TensorFile.write(file, FORMAT, meta, entries);
        } catch (IOException e) {
            throw new UncheckedIOException("could not save the checkpoint to " + file + ": " + e.getMessage()
                    + "; check that the folder exists and is writable (the previous checkpoint, if any, is unchanged)", e);
        }
        return file;
    }

    /** Loads a checkpoint: a model built from the saved configuration with the saved weights, its optimizer, and the step. */
    @SuppressWarnings("unchecked")
    public static Checkpoint load(Path file) {
        try {
            TensorFile.Contents contents = TensorFile.read(file, FORMAT);
            Map<String, Object> c = (Map<String, Object>) contents.header().get("config");
            Map<String, Object> a = (Map<String, Object>) contents.header().get("optimizer");
            if (c == null || a == null) throw new IOException(file + " has no config or optimizer section: not a complete checkpoint");
            GptConfig config = new GptConfig(num(c, "vocab_size").intValue(), num(c, "block_size").intValue(), num(c, "n_embd").intValue(),
                    num(c, "n_head").intValue(), num(c, "n_layer").intValue(), num(c, "dropout").doubleValue());
            GptLanguageModel model = new GptLanguageModel(config, 0);
            AdamW optimizer = new AdamW(model.parameters(), num(a, "learning_rate").doubleValue(), num(a, "beta1").doubleValue(),
                    num(a, "beta2").doubleValue(), num(a, "eps").doubleValue(), num(a, "weight_decay").doubleValue());
            List<Parameter> params = model.parameters();
            for (int i = 0; i < params.size(); i++) {
                Parameter p = params.get(i);
                copy(contents.require(p.name(), p.shape(), file), p.data());
                copy(contents.require("adamw.m." + p.name(), p.shape(), file), optimizer.firstMoment(i));
                copy(contents.require("adamw.v." + p.name(), p.shape(), file), optimizer.secondMoment(i));
            }
            optimizer.restoreStepCount(num(a, "step_count").intValue());
            return new Checkpoint(model, optimizer, num(contents.header(), "step").intValue());
        } catch (IOException e) {
            throw new UncheckedIOException("could not load the checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    /** Loads the weights of a checkpoint into an existing model of the same configuration (optimizer state ignored). */
    public static void loadWeightsInto(Path file, GptLanguageModel model) {
        Checkpoint saved = load(file);
        if (!saved.model().config().equals(model.config())) {
            throw new IllegalArgumentException("the checkpoint " + file + " was saved for " + saved.model().config()
                    + " but the model is " + model.config() + ": build the model with the checkpoint's configuration, or use Checkpoint.load");
        }
        for (int i = 0; i < model.parameters().size(); i++) {
            float[] from = saved.model().parameters().get(i).data();
            System.arraycopy(from, 0, model.parameters().get(i).data(), 0, from.length);
        }
    }

    private static void copy(TensorFile.Entry from, float[] to) {
        System.arraycopy(from.values(), 0, to, 0, to.length);
    }

    private static Number num(Map<String, Object> map, String key) throws IOException {
        Object v = map.get(key);
        if (!(v instanceof Number n)) throw new IOException("the checkpoint's header lacks the number '" + key + "'");
        return n;
    }
}
