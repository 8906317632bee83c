package io.buildgpt.bench;

import io.buildgpt.data.BatchSampler;
import io.buildgpt.data.CharTokenizer;
import io.buildgpt.data.Split;
import io.buildgpt.data.TokenSplit;
import io.buildgpt.engine.GptConfig;
import io.buildgpt.engine.GptLanguageModel;
import io.buildgpt.engine.LectureInit;
import io.buildgpt.random.TorchGenerator;
import io.buildgpt.train.AdamW;
import io.buildgpt.train.LossEstimate;
import io.buildgpt.train.Trainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The Java side of {@code src/bench/gpt_curve.sh}: the engine GPT (64/4/4, block 32, batch 16,
 * AdamW 1e-3, dropout 0, seed 1337) trained as {@code gpt_curve.py} trains the lecture's model, on
 * the same batches: the model's initial weights are PyTorch's, and the batches are drawn from the
 * generator state PyTorch has after building the model. Prints the same lines as the Python side.
 * Usage: {@code GptCurve <corpus.txt> [steps] [evalInterval] [evalIters]}.
 */
public final class GptCurve {
    private GptCurve() {}

    public static void main(String[] args) throws Exception {
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        int evalInterval = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int evalIters = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        int batchSize = 16, blockSize = 32;
        long seed = 1337;
        String text = Files.readString(Path.of(args[0]));
        CharTokenizer tok = CharTokenizer.fromText(text);
        TokenSplit data = TokenSplit.of(tok.encode(text), 0.9, blockSize);
        GptLanguageModel model = new GptLanguageModel(GptConfig.smallDefaults(tok.vocabSize()), seed);
        TorchGenerator g = new TorchGenerator(seed);
        LectureInit.fill(model.parameters(), g, true); // the same values again; g now stands where PyTorch's does
        BatchSampler sampler = new BatchSampler(data, batchSize, blockSize, g);
        AdamW optimizer = new AdamW(model.parameters(), 1e-3);
        int[] xb = new int[batchSize * blockSize], yb = new int[xb.length];
        for (int it = 0; it < steps; it++) {
            if (it % evalInterval == 0 || it == steps - 1) {
                LossEstimate est = Trainer.estimateLoss(model, sampler, evalIters);
                System.out.printf(Locale.ROOT, "eval %d %.6f %.6f%n", it, est.train(), est.val());
            }
            sampler.fill(Split.TRAIN, xb, yb);
            double loss = model.lossAndGradients(xb, yb, batchSize, blockSize);
            optimizer.step();
            System.out.printf(Locale.ROOT, "step %d %.6f%n", it, loss);
        }
    }
}
