package io.buildgpt.engine;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Java GPT against the lecture's PyTorch module ({@code src/bench/gpt_parity.py}) with the same
 * weights: logits, loss and every parameter's gradient. Skipped where python3 with torch is missing.
 */
class GptParityTest {
    @TempDir
    Path dir;

    @Test
    void logitsLossAndGradientsMatchPyTorch() throws Exception {
        Assumptions.assumeTrue(torchAvailable(), "python3 with torch not available: PyTorch parity not checked");
        GptConfig config = GptConfig.smallDefaults(65);
        GptLanguageModel model = new GptLanguageModel(config, 1337);
        int batch = 2, time = 32;
        int[] x = GptLanguageModelTest.randomIds(batch * time, 65, 1), y = GptLanguageModelTest.randomIds(batch * time, 65, 2);
        Path params = dir.resolve("params.bin"), logitsFile = dir.resolve("logits.bin"), gradsFile = dir.resolve("grads.bin");
        ParameterFile.write(params, StateDict.copies(model));   // the lecture's per-head names, as PyTorch's state_dict

        String out = run(List.of("python3", script().toString(), "--params", params.toString(),
                "--vocab", "65", "--block", "32", "--embd", "64", "--head", "4", "--layer", "4",
                "--batch", "" + batch, "--time", "" + time, "--idx", join(x), "--targets", join(y),
                "--logits-out", logitsFile.toString(), "--grads-out", gradsFile.toString()));
        assertTrue(out.contains("PARAMS 209729"), out);
        double torchLoss = Double.parseDouble(out.lines().filter(l -> l.startsWith("LOSS ")).findFirst().orElseThrow().substring(5));

        float[] logits = model.logits(x, batch, time, false).clone();
        float[] torchLogits = readFloats(logitsFile);
        assertEquals(batch * time * 65, torchLogits.length);
        for (int i = 0; i < torchLogits.length; i++) assertEquals(torchLogits[i], logits[i], 1e-4, "logit " + i);
        double loss = model.lossAndGradients(x, y, batch, time);
        assertEquals(torchLoss, loss, 1e-4);

        List<Parameter> torchGrads = StateDict.copies(new GptLanguageModel(config, 0)); // a holder: its values become torch's gradients
        ParameterFile.read(gradsFile, torchGrads);
        List<Parameter> mineAll = StateDict.copies(model);
        for (int p = 0; p < mineAll.size(); p++) {
            float[] mine = mineAll.get(p).grad(), theirs = torchGrads.get(p).data();
            for (int i = 0; i < mine.length; i++) {
                assertEquals(theirs[i], mine[i], 1e-5 + 1e-3 * Math.abs(theirs[i]), mineAll.get(p).name() + "[" + i + "]");
            }
        }
    }

    private static Path script() {
        return Path.of("src/bench/gpt_parity.py").toAbsolutePath();
    }

    private static boolean torchAvailable() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import torch, numpy").redirectErrorStream(true).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "gpt_parity.py did not finish");
        assertEquals(0, p.exitValue(), "gpt_parity.py failed:\n" + out);
        return out;
    }

    private static String join(int[] ids) {
        return Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    private static float[] readFloats(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        float[] out = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
