package io.buildgpt.engine.kernels;

import io.buildgpt.nd4j.Nd4jLoader;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kernel OpenBLAS really runs, read back from the library, in fresh JVMs (the variable is read once, when the
 * library loads): the chosen one when the user set nothing, through the engine and through ND4J alike, and the
 * user's own value when set.
 */
class BlasSetupTest {
    /** Run in the child JVM: loads OpenBLAS through the engine or through ND4J, then prints the diagnostic line. */
    public static final class Probe {
        public static void main(String[] args) {
            if (args.length > 0 && args[0].equals("nd4j")) Nd4jLoader.ensureLoaded();
            System.out.println("BLAS " + Blas.describe());
        }
    }

    private static String run(String door, String coretype) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Probe.class.getName(), door)).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.remove(BlasCore.VARIABLE);
        if (coretype != null) env.put(BlasCore.VARIABLE, coretype);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
        assertEquals(0, process.exitValue(), out);
        return out.lines().filter(l -> l.startsWith("BLAS ")).findFirst().orElseThrow(() -> new AssertionError(out));
    }

    private static String chosen() throws IOException {
        assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux")
                && System.getProperty("os.arch").equals("amd64"), "the choice is made on Linux x86-64 only");
        BlasCore.Choice choice = BlasCore.choose(Files.readString(Path.of("/proc/cpuinfo")), null);
        assumeTrue(choice.sets(), "OpenBLAS detects this CPU itself: " + choice.reason());
        return choice.kernel();
    }

    @Test
    void theEngineRunsTheChosenKernel() throws Exception {
        String kernel = chosen();
        String line = run("engine", null);
        assertTrue(line.startsWith("BLAS OpenBLAS 0.3.19, kernel " + kernel + " (chosen for "), line); // the bundled version
    }

    @Test
    void nd4jRunsTheChosenKernelWhenItLoadsFirst() throws Exception {
        String kernel = chosen();
        String line = run("nd4j", null);
        assertTrue(line.startsWith("BLAS OpenBLAS 0.3.19, kernel " + kernel + " (chosen for "), line); // the bundled version
    }

    @Test
    void aValueTheUserSetIsRespected() throws Exception {
        chosen();
        String user = "SkylakeX".equals(chosen()) ? "Haswell" : "Sandybridge";
        String line = run("engine", user);
        assertTrue(line.startsWith("BLAS OpenBLAS 0.3.19, kernel " + user + " (set by OPENBLAS_CORETYPE=" + user), line);
    }
}
