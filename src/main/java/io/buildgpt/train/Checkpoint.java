package io.buildgpt.train;

import io.buildgpt.data.Corpus;
import io.buildgpt.engine.GptConfig;
import io.buildgpt.engine.GptLanguageModel;
import io.buildgpt.engine.Parameter;
import io.buildgpt.engine.StateDict;
import io.buildgpt.engine.TensorFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
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
 * (AdamW's hyperparameters and step count) and, when saved with one, {@code "vocabulary"} (the tokenizer's
 * symbols in id order, checked by {@link #load(Path, String)}); its tensors are the parameters under their PyTorch
 * names, then {@code adamw.m.<name>} and {@code adamw.v.<name>} for each. It is written to a
 * temporary file and moved into place, so a failed save leaves the previous checkpoint intact; a
 * truncated, damaged or mismatched file is refused with a message.
 */
public record Checkpoint(GptLanguageModel model, AdamW optimizer, int step) {
    public static final String FORMAT = "buildgpt-checkpoint";

    /** Saves model, optimizer and step to {@code file}, without a vocabulary (see the overload that takes one). */
    public static Path save(Path file, GptLanguageModel model, AdamW optimizer, int step) {
        return save(file, model, optimizer, step, null);
    }

    /**
     * Saves model, optimizer and step to {@code file}, with the tokenizer's {@code vocabulary} (e.g.
     * {@code tokenizer.vocabulary()}: the ids' symbols in id order), so that {@link #load(Path, String)}
     * can refuse a tokenizer that would decode the model's ids into other characters.
     */
    public static Path save(Path file, GptLanguageModel model, AdamW optimizer, int step, String vocabulary) {
        return save(file, model, optimizer, step, vocabulary, null);
    }

    /**
     * Saves model, optimizer and step with the tokenizer's {@code vocabulary} and the {@code corpus} trained
     * on (its name, length and a digest of its text), so that {@link #resume} can refuse to continue the run
     * with another text, vocabulary or model size.
     */
    public static Path save(Path file, GptLanguageModel model, AdamW optimizer, int step, String vocabulary, Corpus corpus) {
        if (!model.isPlain()) {
            // a checkpoint restores a plain float model; adapters and quantized weights would not come back
            throw new IllegalArgumentException("this model is being fine-tuned (LoRA adapters or a quantized base), which a checkpoint"
                    + " cannot hold: save the adapters with LoraFile.save, or merge them (Lora.merge, after Quantize.dequantize) first");
        }
        if (vocabulary != null && vocabulary.length() != model.vocabSize()) {
            throw new IllegalArgumentException("the vocabulary has " + vocabulary.length() + " symbols but the model has vocab_size = "
                    + model.vocabSize() + ": pass the vocabulary of the tokenizer the model was built for");
        }
        if (!optimizer.parameters().equals(model.parameters())) {
            throw new IllegalArgumentException("the optimizer does not update this model's parameters (" + optimizer.parameters().size()
                    + " tensors against the model's " + model.parameters().size() + "): save the optimizer that trains this model");
        }
        Map<String, Object> adam = new LinkedHashMap<>();
        adam.put("learning_rate", optimizer.learningRate());
        adam.put("beta1", optimizer.beta1());
        adam.put("beta2", optimizer.beta2());
        adam.put("eps", optimizer.eps());
        adam.put("weight_decay", optimizer.weightDecay());
        adam.put("step_count", (long) optimizer.stepCount());
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("step", (long) step);
        meta.put("config", model.config().toMap());
        meta.put("optimizer", adam);
        if (vocabulary != null) meta.put("vocabulary", vocabulary);
        if (corpus != null) meta.put("corpus", ResumeCheck.corpusId(corpus));

        List<Parameter> params = model.parameters();
        List<TensorFile.Entry> entries = new ArrayList<>();
        for (Parameter p : params) entries.add(new TensorFile.Entry(p.name(), p.shape(), p.data()));
        for (int i = 0; i < params.size(); i++) entries.add(new TensorFile.Entry("adamw.m." + params.get(i).name(), params.get(i).shape(), optimizer.firstMoment(i)));
        for (int i = 0; i < params.size(); i++) entries.add(new TensorFile.Entry("adamw.v." + params.get(i).name(), params.get(i).shape(), optimizer.secondMoment(i)));
        try {
            TensorFile.write(file, FORMAT, meta, entries);
        } catch (AccessDeniedException e) {
            throw new UncheckedIOException("could not save the checkpoint to " + file + ": " + e.getMessage()
                    + " (the previous checkpoint, if any, is unchanged)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not save the checkpoint to " + file + ": " + e
                    + "; check that the folder exists and is writable, and that the disk has room (the previous checkpoint, if any, is unchanged)", e);
        }
        return file;
    }

    /** Loads a checkpoint: a model built from the saved configuration with the saved weights, its optimizer, and the step. */
    public static Checkpoint load(Path file) {
        return load(file, null);
    }

    /**
     * {@link #load(Path)}, refusing the checkpoint when it was saved with a vocabulary other than
     * {@code vocabulary} (the tokenizer's, in id order): the model's ids would decode into other symbols.
     * A checkpoint saved without a vocabulary is refused too, since nothing could be checked.
     */
    public static Checkpoint load(Path file, String vocabulary) {
        return read(file, vocabulary, null, null, null, 1);
    }

    /**
     * Continues a run: loads {@code file} as {@link #load} does, after checking that it was saved (with
     * {@link #save(Path, GptLanguageModel, AdamW, int, String, Corpus)}) for the model {@code config} describes,
     * {@code vocabulary} and {@code corpus}. A checkpoint of another corpus, vocabulary or model size is refused,
     * naming both values. A changed learning rate or dropout is a training setting: the run continues with the
     * given values, and a line saying so is printed. The model computes with {@code threads} threads.
     */
    public static Checkpoint resume(Path file, GptConfig config, String vocabulary, Corpus corpus, double learningRate, int threads) {
        if (config == null || vocabulary == null || corpus == null) {
            throw new IllegalArgumentException("resume needs the configuration, the tokenizer's vocabulary and the corpus of this run");
        }
        Checkpoint resumed = read(file, null, config, vocabulary, corpus, threads);
        String lr = ResumeCheck.changed("learning rate", resumed.optimizer().learningRate(), learningRate, "AdamW's moments are kept");
        if (lr != null) {
            resumed.optimizer().setLearningRate(learningRate);
            System.out.println(lr);
        }
        return resumed;
    }

    private static Checkpoint read(Path file, String vocabulary, GptConfig expected, String expectedVocabulary, Corpus corpus, int threads) {
        try {
            TensorFile.Contents contents = TensorFile.read(file, FORMAT);
            Map<String, Object> header = contents.header();
            if (!(header.get("config") instanceof Map<?, ?> c)) throw new IOException(file + ": header field 'config' is missing or not an object: not a complete checkpoint");
            if (!(header.get("optimizer") instanceof Map<?, ?> a)) throw new IOException(file + ": header field 'optimizer' is missing or not an object: not a complete checkpoint");
            if (vocabulary != null) checkVocabulary(file, header.get("vocabulary"), vocabulary);
            GptConfig config;
            try {
                config = GptConfig.fromMap(c, file + ", header field 'config'");
            } catch (IllegalArgumentException e) {
                throw new IOException(e.getMessage(), e);
            }
            if (expected != null) {
                ResumeCheck.check(file, header, config, expected, expectedVocabulary, corpus);
                String dropout = ResumeCheck.changed("dropout", config.dropout(), expected.dropout(), "dropout has no weights");
                if (dropout != null) System.out.println(dropout);
                config = expected;
            }
            GptLanguageModel model = new GptLanguageModel(config, 0, threads);
            String where = "header field 'optimizer'";
            AdamW optimizer;
            try {
                optimizer = new AdamW(model.parameters(), num(a, "learning_rate", where).doubleValue(), num(a, "beta1", where).doubleValue(),
                        num(a, "beta2", where).doubleValue(), num(a, "eps", where).doubleValue(), num(a, "weight_decay", where).doubleValue());
            } catch (IllegalArgumentException e) {
                throw new IOException("its " + where + " is damaged: " + e.getMessage() + " (the file was edited or damaged; use another copy)", e);
            }
            List<Parameter> params = model.parameters();
            // by state_dict name (StateDict): a file written before the engine fused each block's query, key and
            // value weights into c_attn holds them per head, and each then fills its rows of the fused tensor
            boolean perHead = contents.tensors().keySet().stream().anyMatch(k -> k.contains(".sa.heads."));
            List<StateDict.Entry> entries = perHead ? StateDict.of(model)
                    : params.stream().map(p -> new StateDict.Entry(p.name(), p.shape(), p, 0)).toList();
            for (StateDict.Entry e : entries) {
                int i = indexOf(params, e.parameter());
                copy(contents.require(e.name(), e.shape(), file), e.parameter().data(), e.offset());
                copy(contents.require("adamw.m." + e.name(), e.shape(), file), optimizer.firstMoment(i), e.offset());
                copy(contents.require("adamw.v." + e.name(), e.shape(), file), optimizer.secondMoment(i), e.offset());
            }
            long stepCount = num(a, "step_count", where).longValue(), step = num(header, "step", "header").longValue();
            if (stepCount < 0 || stepCount > Integer.MAX_VALUE) {
                throw new IOException("its " + where + " is damaged: step_count = " + stepCount + " is not a count of steps"
                        + " (the file was edited or damaged; use another copy)");
            }
            if (step < 0 || step > Integer.MAX_VALUE) {
                throw new IOException("its header field 'step' = " + step + " is not a count of steps (the file was edited or damaged; use another copy)");
            }
            optimizer.restoreStepCount((int) stepCount);
            return new Checkpoint(model, optimizer, (int) step);
        } catch (IOException e) {
            throw new UncheckedIOException("could not load the checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    private static void checkVocabulary(Path file, Object saved, String given) throws IOException {
        if (!(saved instanceof String s)) {
            throw new IOException(file + " was saved without its vocabulary, so the tokenizer cannot be checked against it:"
                    + " load it with Checkpoint.load(path) if you know the tokenizer is the right one, or save it again with the vocabulary");
        }
        if (!s.equals(given)) {
            int at = 0;
            while (at < Math.min(s.length(), given.length()) && s.charAt(at) == given.charAt(at)) at++;
            throw new IllegalArgumentException("the checkpoint " + file + " was saved with the vocabulary " + quote(s) + " (" + s.length()
                    + " symbols) but the tokenizer has " + quote(given) + " (" + given.length() + " symbols); they first differ at id " + at
                    + ": the model's ids would decode into other characters. Build the tokenizer from the text the model was trained on");
        }
    }

    /** The vocabulary as Java would write it in quotes, so that newlines and other invisible symbols show. */
    static String quote(String vocabulary) {
        StringBuilder sb = new StringBuilder("\"");
        for (char ch : vocabulary.toCharArray()) {
            switch (ch) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (ch < 0x20 || Character.isWhitespace(ch) && ch != ' ') sb.append(String.format("\\u%04x", (int) ch));
                    else sb.append(ch);
                }
            }
        }
        return sb.append('"').toString();
    }

    /** Loads the weights of a checkpoint into an existing model of the same configuration (optimizer state ignored). */
    public static void loadWeightsInto(Path file, GptLanguageModel model) {
        Checkpoint saved = load(file);
        GptConfig c = saved.model().config(); // dropout is no weight: a model that differs only there takes the weights
        if (!new GptConfig(c.vocabSize(), c.blockSize(), c.nEmbd(), c.nHead(), c.nLayer(), model.config().dropout()).equals(model.config())) {
            throw new IllegalArgumentException("the checkpoint " + file + " was saved for " + saved.model().config()
                    + " but the model is " + model.config() + ": build the model with the checkpoint's configuration, or use Checkpoint.load");
        }
        for (int i = 0; i < model.parameters().size(); i++) {
            float[] from = saved.model().parameters().get(i).data();
            System.arraycopy(from, 0, model.parameters().get(i).data(), 0, from.length);
        }
    }

    private static void copy(TensorFile.Entry from, float[] to, int offset) {
        float[] v = from.values();
        System.arraycopy(v, 0, to, offset, v.length);
    }

    private static int indexOf(List<Parameter> params, Parameter p) {
        for (int i = 0; i < params.size(); i++) if (params.get(i) == p) return i;
        throw new IllegalStateException(p + " is not one of the model's parameters");
    }

    private static Number num(Map<?, ?> map, String key, String where) throws IOException {
        Object v = map.get(key);
        if (!(v instanceof Number n)) throw new IOException("the checkpoint's " + where + " lacks the number '" + key + "'");
        return n;
    }
}
