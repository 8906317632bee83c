package io.buildgpt.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** A closed model, a model shared by two threads, and generation's out-of-range inputs: each a clear exception. */
class ModelGuardTest {
    private final GptConfig config = new GptConfig(13, 8, 16, 4, 2, 0.0);

    @Test
    @Timeout(20)
    void aClosedModelThrowsInsteadOfSpinning() {
        GptLanguageModel model = new GptLanguageModel(config, 1, 2);
        int[] x = GptLanguageModelTest.randomIds(16, 13, 1), y = GptLanguageModelTest.randomIds(16, 13, 2);
        model.loss(x, y, 2, 8);
        model.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.loss(x, y, 2, 8));
        assertEquals("this GptLanguageModel was closed, so loss cannot run: its worker threads are stopped; make a new model"
                + " (or do not close it while it is still needed)", e.getMessage());
        INDArray idx = Nd4j.createFromArray(new long[][]{{1, 2}});
        e = assertThrows(IllegalStateException.class, () -> model.generate(idx, 5, 1.0, null, 1));
        assertTrue(e.getMessage().startsWith("this GptLanguageModel was closed, so generate cannot run"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> model.lossAndGradients(x, y, 2, 8));
    }

    @Test
    @Timeout(60)
    void twoThreadsAtOnceGetAnExceptionNeverAWrongLoss() throws Exception {
        GptLanguageModel model = new GptLanguageModel(new GptConfig(13, 8, 64, 4, 4, 0.0), 1);
        int[] x = GptLanguageModelTest.randomIds(64, 13, 1), y = GptLanguageModelTest.randomIds(64, 13, 2);
        double expected = model.loss(x, y, 8, 8);
        AtomicInteger wrong = new AtomicInteger(), refused = new AtomicInteger();
        AtomicReference<String> message = new AtomicReference<>();
        CountDownLatch go = new CountDownLatch(1);
        Thread[] threads = new Thread[2];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 200; i++) {
                    try {
                        if (model.loss(x, y, 8, 8) != expected) wrong.incrementAndGet();
                    } catch (IllegalStateException e) {
                        refused.incrementAndGet();
                        message.set(e.getMessage());
                    }
                }
            }, "user-" + t);
            threads[t].start();
        }
        go.countDown();
        for (Thread t : threads) t.join();
        assertEquals(0, wrong.get(), "no call returns a wrong loss");
        assertTrue(refused.get() > 0, "the two threads overlapped at least once");
        assertTrue(message.get().matches("this GptLanguageModel is in use by thread 'user-\\d', so loss cannot run on thread 'user-\\d'"
                + " at the same time: .*use one model per thread.*"), message.get());
        assertEquals(expected, model.loss(x, y, 8, 8), "usable again once the other thread is out");
    }

    @Test
    void generationRefusesWhatItCannotDo() {
        GptLanguageModel model = new GptLanguageModel(config, 1);
        INDArray idx = Nd4j.createFromArray(new long[][]{{1, 2}});
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> model.generate(idx, Integer.MAX_VALUE, 1.0, null, 1));
        assertEquals("maxNewTokens = 2147483647 is out of range: B * (T + maxNewTokens) = 2147483649 tokens would not fit in one"
                + " array (at most 2147483639); generate fewer tokens, in several calls if needed", tooMany.getMessage());

        IllegalStateException cold = assertThrows(IllegalStateException.class, () -> model.generate(idx, 3, 1e-40, null, 1));
        assertTrue(cold.getMessage().startsWith("temperature = 1.0E-40 is too small: logit "), cold.getMessage());
        assertTrue(cold.getMessage().contains("overflows a float"), cold.getMessage());

        Arrays.fill(model.parameters().get(0).data(), Float.NaN);
        IllegalStateException nan = assertThrows(IllegalStateException.class, () -> model.generateCached(idx, 3, 1.0, null, 1));
        assertTrue(nan.getMessage().matches("the model's logit for token \\d+ is NaN: its weights hold NaN or infinite values"
                + " \\(a diverged training, or a damaged file\\), so nothing can be sampled; reload good weights"), nan.getMessage());
    }
}
