package io.buildgpt.train;

import io.buildgpt.engine.Parameter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class AdamWTest {

    @Test
    void matchesTorchOptimAdamWStepForStep() {
        // Expected values printed by torch 2.13: torch.optim.AdamW([p], lr=0.1) with defaults,
        // p = [0.5, -1.0, 2.0], and the three gradients below set by hand before each step().
        Parameter p = new Parameter("p", 3);
        System.arraycopy(new float[]{0.5f, -1.0f, 2.0f}, 0, p.data(), 0, 3);
        AdamW opt = new AdamW(List.of(p), 0.1);
        float[][] grads = {{0.3f, -0.2f, 1.0f}, {0.1f, 0.4f, -0.5f}, {-0.2f, 0.0f, 0.3f}};
        double[][] torch = {
                {0.3995000, -0.8990000, 1.8980000},
                {0.3119941, -0.9347113, 1.8694683},
                {0.2889596, -0.9620765, 1.8311461}};
        for (int s = 0; s < 3; s++) {
            System.arraycopy(grads[s], 0, p.grad(), 0, 3);
            opt.step();
            for (int j = 0; j < 3; j++) assertEquals(torch[s][j], p.data()[j], 2e-6, "step " + (s + 1) + " p[" + j + "]");
        }
        assertEquals(3, opt.stepCount());
    }

    @Test
    void weightDecayIsDecoupledFromTheGradient() {
        // with a zero gradient Adam's step is zero, so only the decay acts: w <- w * (1 - lr * wd)
        Parameter p = new Parameter("p", 1);
        p.data()[0] = 2f;
        new AdamW(List.of(p), 0.5, 0.9, 0.999, 1e-8, 0.1).step();
        assertEquals(2 * (1 - 0.5 * 0.1), p.data()[0], 1e-6);
    }

    @Test
    void badHyperparametersAreClearErrors() {
        List<Parameter> ps = List.of(new Parameter("p", 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AdamW(ps, -1e-3));
        assertTrue(e.getMessage().startsWith("learningRate = -0.001 is out of range"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AdamW(ps, 1e-3, 1.0, 0.999, 1e-8, 0.01));
        assertTrue(e.getMessage().startsWith("beta1 = 1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TrainConfig(0, 300, 200, 1e-2));
        assertTrue(e.getMessage().startsWith("maxIters = 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TrainConfig(100, 10, 10, Double.NaN));
        assertTrue(e.getMessage().startsWith("learningRate = NaN"), e.getMessage());
    }

    private static double sum(java.util.List<io.buildgpt.engine.Parameter> ps) {
        double s = 0;
        for (io.buildgpt.engine.Parameter p : ps) for (float f : p.data()) s += f;
        return s;
    }

    @Test
    void anOptimiserFromTheModelFollowsLoraOnAndOff() {
        io.buildgpt.data.CharTokenizer tok = io.buildgpt.data.CharTokenizer.fromText(io.buildgpt.TestTexts.SMALL);
        io.buildgpt.data.TokenSplit data = io.buildgpt.data.TokenSplit.of(tok.encode(io.buildgpt.TestTexts.SMALL), 0.9, 8);
        io.buildgpt.engine.GptLanguageModel model = new io.buildgpt.engine.GptLanguageModel(
                new io.buildgpt.engine.GptConfig(tok.vocabSize(), 8, 16, 2, 1, 0.0), 1);
        AdamW adam = new AdamW(model, 1e-2);             // made before enableLora, as a user might
        io.buildgpt.finetune.Lora.enable(model, io.buildgpt.finetune.LoraConfig.queryValue(2), 3);
        java.util.List<io.buildgpt.engine.Parameter> base = new java.util.ArrayList<>(model.parameters());
        base.removeAll(model.trainableParameters());
        double baseBefore = sum(base);
        double adaptersBefore = sum(model.trainableParameters());
        new Trainer(model, new io.buildgpt.data.BatchSampler(data, 4, 1), adam).train(new TrainConfig(5, 5, 1, 1e-2));
        assertEquals(baseBefore, sum(base), "the frozen base does not change");
        assertNotEquals(adaptersBefore, sum(model.trainableParameters()), "the adapters train");
        io.buildgpt.finetune.Lora.merge(model);
        double all = sum(model.parameters());
        new Trainer(model, new io.buildgpt.data.BatchSampler(data, 4, 1), adam).train(new TrainConfig(5, 5, 1, 1e-2));
        assertNotEquals(all, sum(model.parameters()), "after mergeLora every parameter trains again");
    }

    @Test
    void aStaleListIsRefusedAndAnEmptyOneToo() {
        io.buildgpt.data.CharTokenizer tok = io.buildgpt.data.CharTokenizer.fromText(io.buildgpt.TestTexts.SMALL);
        io.buildgpt.data.TokenSplit data = io.buildgpt.data.TokenSplit.of(tok.encode(io.buildgpt.TestTexts.SMALL), 0.9, 8);
        io.buildgpt.engine.GptLanguageModel model = new io.buildgpt.engine.GptLanguageModel(
                new io.buildgpt.engine.GptConfig(tok.vocabSize(), 8, 16, 2, 1, 0.0), 1);
        AdamW stale = new AdamW(model.trainableParameters(), 1e-2);
        io.buildgpt.finetune.Lora.enable(model, io.buildgpt.finetune.LoraConfig.queryValue(2), 3);
        Trainer trainer = new Trainer(model, new io.buildgpt.data.BatchSampler(data, 4, 1), stale);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> trainer.train(new TrainConfig(5, 5, 1, 1e-2)));
        assertTrue(e.getMessage().startsWith("the optimiser updates 17 tensors but the model now trains 4 (blocks.0.sa.query.lora_A, ...):"
                + " was LoRA enabled or merged after the AdamW was made?"), e.getMessage());

        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> new AdamW(java.util.List.of(), 1e-3));
        assertTrue(empty.getMessage().startsWith("AdamW was given no parameters, so a step would change nothing"), empty.getMessage());
    }
}
