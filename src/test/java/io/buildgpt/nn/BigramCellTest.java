package io.buildgpt.nn;

import io.buildgpt.optim.AdamW;
import io.buildgpt.tensor.F;
import io.buildgpt.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The lecture's {@code bigram.py} written on the tensor library line for line, as a notebook cell would
 * write it, against what PyTorch prints for it (the same values LectureValuesTest and ProjectNotebooksIT
 * pin, from {@code src/bench/lecture_values.py}). Runs where {@code ../shared/data/tinyshakespeare.txt} is.
 */
class BigramCellTest {
    private static final Path CORPUS = Path.of("").toAbsolutePath().resolve("../shared/data/tinyshakespeare.txt").normalize();
    private static Tensor trainData, valData;
    private static int vocabSize;
    private static Map<Character, Integer> stoi;
    private static Map<Integer, Character> itos;

    // hyperparameters, as bigram.py
    static int batchSize = 32, blockSize = 8, evalIters = 200;

    @BeforeAll
    static void data() throws Exception {
        assumeTrue(Files.isRegularFile(CORPUS), "no " + CORPUS + "; skipping the bigram cell checks");
        String text = Files.readString(CORPUS, StandardCharsets.UTF_8);
        TreeSet<Character> chars = new TreeSet<>();                                  // chars = sorted(list(set(text)))
        for (char c : text.toCharArray()) chars.add(c);
        vocabSize = chars.size();
        stoi = new HashMap<>();
        itos = new HashMap<>();
        int i = 0;
        for (char c : chars) {
            stoi.put(c, i);
            itos.put(i++, c);
        }
        long[] ids = new long[text.length()];                                        // data = torch.tensor(encode(text))
        for (int k = 0; k < ids.length; k++) ids[k] = stoi.get(text.charAt(k));
        Tensor data = Tensor.tensor(ids);
        int n = (int) (0.9 * data.size(0));
        trainData = data.slice(0, 0, n);
        valData = data.slice(0, n);
    }

    static String decode(long[] ids) {
        StringBuilder s = new StringBuilder();
        for (long id : ids) s.append(itos.get((int) id));
        return s.toString();
    }

    static Tensor[] getBatch(String split) {
        Tensor data = split.equals("train") ? trainData : valData;
        Tensor ix = Tensor.randint(data.size(0) - blockSize, batchSize);
        List<Tensor> xs = new ArrayList<>(), ys = new ArrayList<>();
        for (long i : ix.toLongArray()) {
            xs.add(data.slice(0, (int) i, (int) i + blockSize));
            ys.add(data.slice(0, (int) i + 1, (int) i + blockSize + 1));
        }
        return new Tensor[]{Tensor.stack(xs, 0), Tensor.stack(ys, 0)};
    }

    static class BigramLanguageModel extends Module {
        final Embedding tokenEmbeddingTable;

        BigramLanguageModel(int vocabSize) {
            tokenEmbeddingTable = new Embedding(vocabSize, vocabSize);
        }

        /** Returns {logits, loss}; loss is null without targets. */
        Tensor[] forward(Tensor idx, Tensor targets) {
            Tensor logits = tokenEmbeddingTable.forward(idx);                   // (B,T,C)
            Tensor loss = null;
            if (targets != null) {
                int B = logits.size(0), T = logits.size(1), C = logits.size(2);
                logits = logits.view(B * T, C);
                targets = targets.view(B * T);
                loss = F.crossEntropy(logits, targets);
            }
            return new Tensor[]{logits, loss};
        }

        Tensor generate(Tensor idx, int maxNewTokens) {
            for (int i = 0; i < maxNewTokens; i++) {
                Tensor logits = forward(idx, null)[0];
                logits = logits.get(":, -1, :");                                  // (B, C)
                Tensor probs = F.softmax(logits, -1);
                Tensor idxNext = Tensor.multinomial(probs, 1);                   // (B, 1)
                idx = Tensor.cat(List.of(idx, idxNext), 1);                       // (B, T+1)
            }
            return idx;
        }
    }

    static Map<String, Double> estimateLoss(BigramLanguageModel model) {
        Map<String, Double> out = new HashMap<>();
        try (var g = Tensor.noGrad()) {
            model.eval();
            for (String split : List.of("train", "val")) {
                Tensor losses = Tensor.zeros(evalIters);
                float[] l = losses.data();
                for (int k = 0; k < evalIters; k++) {
                    Tensor[] xy = getBatch(split);
                    l[k] = (float) model.forward(xy[0], xy[1])[1].item();
                }
                out.put(split, losses.mean().item());
            }
            model.train();
        }
        return out;
    }

    @Test
    void theLecturesFirstLossAndText() {
        batchSize = 4;
        Tensor.manualSeed(1337);
        Tensor[] xy = getBatch("train");
        batchSize = 32;
        assertEquals("tensor([[24, 43, 58,  5, 57,  1, 46, 43],\n        [44, 53, 56,  1, 58, 46, 39, 58],\n"
                + "        [52, 58,  1, 58, 46, 39, 58,  1],\n        [25, 17, 27, 10,  0, 21,  1, 54]])", xy[0].toString());
        Tensor.manualSeed(1337);
        BigramLanguageModel m = new BigramLanguageModel(vocabSize);
        Tensor[] out = m.forward(xy[0], xy[1]);
        assertEquals(4.87863493, out[1].item(), 1e-5);
        assertEquals("tensor(4.8786, grad_fn=<NllLossBackward0>)", out[1].toString());
        assertEquals(List.of(32, 65), List.of(out[0].size(0), out[0].size(1)));
        assertNull(m.forward(xy[0], null)[1]);
        assertEquals(List.of("token_embedding_table.weight"), List.copyOf(m.namedParameters().keySet()));
        String text = decode(m.generate(Tensor.zeros(1, 1).toType(io.buildgpt.tensor.DType.INT64), 100).get("0").toLongArray());
        assertEquals("\nSKIcLT;AcELMoTbvZv C?nq-QE33:CJqkOKH-q;:la!oiywkHjgChzbQ?u!3bLIgwevmyFJGUGp\nwnYWmnxKWWev-tDqXErVKLgJ", text);
    }

    @Test
    void bigramPyEvaluationsAtSteps0And300() {
        Tensor.manualSeed(1337);
        BigramLanguageModel model = new BigramLanguageModel(vocabSize);
        AdamW optimizer = new AdamW(model.parameters(), 1e-2);
        List<String> printed = new ArrayList<>();
        long trainNanos = 0;
        for (int iter = 0; iter <= 300; iter++) {
            if (iter % 300 == 0) {
                Map<String, Double> losses = estimateLoss(model);
                printed.add(String.format("step %d: train loss %.4f, val loss %.4f", iter, losses.get("train"), losses.get("val")));
            }
            long t0 = System.nanoTime();
            Tensor[] xy = getBatch("train");
            Tensor loss = model.forward(xy[0], xy[1])[1];
            optimizer.zeroGrad();
            loss.backward();
            optimizer.step();
            trainNanos += System.nanoTime() - t0;
        }
        System.out.printf("cell bigram: %.3f ms/step over its first 301 steps, JIT warm-up included (CellsSpeed measures the steady state)%n", trainNanos / 301e6);
        assertEquals(List.of("step 0: train loss 4.7305, val loss 4.7241", "step 300: train loss 2.8110, val loss 2.8249"), printed);
    }
}
