package io.buildgpt.train;

import io.buildgpt.data.BatchSampler;
import io.buildgpt.data.TokenSplit;
import io.buildgpt.engine.GptConfig;
import io.buildgpt.engine.GptLanguageModel;
import io.buildgpt.finetune.Lora;
import io.buildgpt.finetune.LoraConfig;
import io.buildgpt.finetune.Quantize;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** The fine-tuning calls that change what a model trains are refused while another thread trains it, and after close. */
class TrainerGuardTest {
    private final GptConfig config = new GptConfig(13, 8, 16, 4, 2, 0.0);

    private static int[] ids(int n) {
        Random r = new Random(7);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = r.nextInt(13);
        return ids;
    }

    @Test
    @Timeout(60)
    void enableLoraMergeLoraAndQuantizeBaseAreRefusedWhileAnotherThreadTrains() throws Exception {
        GptLanguageModel model = new GptLanguageModel(config, 1);
        Trainer trainer = new Trainer(model, new BatchSampler(TokenSplit.of(ids(400), 0.9, 8), 4, 1), new AdamW(model, 1e-3));
        CountDownLatch inside = new CountDownLatch(1), tried = new CountDownLatch(1);
        AtomicReference<Throwable> trainFailure = new AtomicReference<>();
        Thread training = new Thread(() -> {
            try {
                trainer.train(new TrainConfig(4, 2, 1, 1e-3), new TrainListener() {
                    @Override
                    public void onEvaluation(int step, LossEstimate estimate, LossHistory history) {
                        inside.countDown();
                        try {
                            tried.await(30, TimeUnit.SECONDS); // stay inside train while the other thread tries
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                });
            } catch (Throwable t) {
                trainFailure.set(t);
            }
        }, "trainer");
        training.start();
        assertTrue(inside.await(30, TimeUnit.SECONDS), "training started");
        List<String> messages = new ArrayList<>();
        int trainableBefore = model.trainableParameters().size();
        try {
            for (Executable call : List.<Executable>of(() -> Lora.enable(model, LoraConfig.queryValue(2), 3), () -> Lora.merge(model),
                    () -> Quantize.base(model, 8), () -> Quantize.dequantize(model))) {
                messages.add(assertThrows(IllegalStateException.class, call).getMessage());
            }
        } finally {
            tried.countDown();
            training.join(30_000);
        }
        assertNull(trainFailure.get(), "the training itself ran to the end");
        assertEquals(trainableBefore, model.trainableParameters().size(), "what trains did not change");
        assertNull(Lora.config(model));
        assertNull(Quantize.spec(model));
        assertTrue(model.isPlain(), "no weight was frozen, adapted or quantized");
        String me = Thread.currentThread().getName();
        assertEquals("this GptLanguageModel is in use by thread 'trainer', so enableLora cannot run on thread '" + me
                + "' at the same time: a model holds its activations in its own buffers; use one model per thread"
                + " (e.g. a copy loaded from the same weights)", messages.get(0));
        assertTrue(messages.get(1).contains("so mergeLora cannot run"), messages.get(1));
        assertTrue(messages.get(2).contains("so quantizeBase cannot run"), messages.get(2));
        assertTrue(messages.get(3).contains("so dequantizeBase cannot run"), messages.get(3));
        Lora.enable(model, LoraConfig.queryValue(2), 3); // free again once the training is over
        assertNotNull(Lora.config(model));
    }

    @Test
    void enableLoraAndQuantizeBaseAfterCloseAreRefused() {
        GptLanguageModel model = new GptLanguageModel(config, 1, 2);
        model.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Lora.enable(model, LoraConfig.queryValue(2), 3));
        assertEquals("this GptLanguageModel was closed, so enableLora cannot run: its worker threads are stopped;"
                + " make a new model (or do not close it while it is still needed)", e.getMessage());
        assertNull(Lora.config(model), "nothing was added");
        assertThrows(IllegalStateException.class, () -> Quantize.base(model, 4));
        assertNull(Quantize.spec(model));
        assertTrue(model.isPlain(), "nothing was frozen or quantized");
    }
}
