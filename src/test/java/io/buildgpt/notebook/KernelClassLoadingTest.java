package io.buildgpt.notebook;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * ND4J inside a JShell kernel that receives the module and its jars only at run time
 * ({@code %classpath}), the situation in which IJava users see "no ND4J backend" (IJava #65).
 */
class KernelClassLoadingTest {

    private static String runtimeClassPath() throws Exception {
        Path classes = Path.of("target/classes").toAbsolutePath();
        List<String> entries = new ArrayList<>();
        entries.add(classes.toString());
        try (Stream<Path> jars = Files.list(Path.of("target/lib"))) {
            jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> entries.add(p.toAbsolutePath().toString()));
        }
        return String.join(File.pathSeparator, entries);
    }

    private static Result probe(String... snippets) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String probeClasses = Path.of(KernelProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Djava.awt.headless=true", "-cp", probeClasses,
                KernelProbe.class.getName(), runtimeClassPath()));
        cmd.addAll(List.of(snippets));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "kernel probe timed out");
        return new Result(p.exitValue(), out);
    }

    private record Result(int exit, String out) {}

    @Test
    void plainNd4jFailsInAKernelWithRuntimeJars() throws Exception {
        // The control: without the module's fix, ND4J's backend lookup misses the run-time jars.
        Result r = probe("org.nd4j.linalg.factory.Nd4j.zeros(2).length()");
        assertEquals(1, r.exit(), "expected the known kernel failure, got: " + r.out());
        assertTrue(r.out().contains("EXCEPTION"), r.out());
    }

    @Test
    void theModuleRunsAForwardPassInAKernelWithRuntimeJars() throws Exception {
        Result r = probe(
                "var model = new io.buildgpt.bigram.BigramLanguageModel(65, 1337);",
                "var idx = org.nd4j.linalg.factory.Nd4j.createFromArray(new long[][]{{0, 1, 2}});",
                "java.util.Arrays.toString(model.forward(idx, idx).logits().shape())",
                "org.nd4j.linalg.factory.Nd4j.zeros(2).length()");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("VALUE \"[1, 3, 65]\""), r.out());
        assertTrue(r.out().contains("VALUE 2"), r.out());
    }
}
