package io.buildgpt.engine;

import io.buildgpt.nd4j.Nd4jLoader;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The float[] engine trained through int[] batches never starts ND4J; checked in a fresh JVM (this one has ND4J running). */
class Nd4jBoundaryTest {
    /** Builds and trains a GPT for a step on int[] batches, then prints whether ND4J's backend was started. */
    public static void main(String[] args) {
        try (GptLanguageModel model = new GptLanguageModel(new GptConfig(13, 8, 16, 2, 1, 0.0), 1, 2)) {
            int[] x = GptLanguageModelTest.randomIds(4 * 8, 13, 1);
            model.lossAndGradients(x, x, 4, 8);
            model.loss(x, x, 4, 8);
        }
        System.out.println("nd4j-loaded=" + Nd4jLoader.isLoaded());
    }

    @Test
    void theEngineAloneDoesNotStartNd4j() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Nd4jBoundaryTest.class.getName())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("nd4j-loaded=false"), out);
    }
}
