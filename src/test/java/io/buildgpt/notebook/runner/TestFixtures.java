package io.buildgpt.notebook.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Assumptions;

/** Shared set-up for the runner tests: notebook copies, small libraries, the CLI in a subprocess. */
final class TestFixtures {
    static final Path NOTEBOOKS = Path.of("src/test/resources/notebooks");

    private TestFixtures() {
    }

    static Path copyNotebook(String name, Path folder) throws IOException {
        return Files.copy(NOTEBOOKS.resolve(name), folder.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Builds what semantics.ipynb adds with %classpath: {@code classes/} holding demo.Shouter, and
     * {@code lib/greeter.jar} holding demo.Greeter plus a stand-in for Tablesaw's Table (the runner
     * recognises tables by class name only).
     */
    static void buildLibraries(Path folder) throws IOException {
        Path src = Files.createDirectories(folder.resolve("src"));
        Path shouter = write(src.resolve("demo/Shouter.java"),
                "package demo; public class Shouter { public String shout(String s) { return s.toUpperCase() + \"!\"; } }");
        Path greeter = write(src.resolve("demo/Greeter.java"),
                "package demo; public class Greeter { public String greet(String s) { return \"hello from \" + s; } }");
        Path table = write(src.resolve("tech/tablesaw/api/Table.java"),
                "package tech.tablesaw.api; public class Table {"
                        + " public String print() { return \"  name | n\\n  a    | 1\"; }"
                        + " public String toString() { return \"not the printed table\"; } }");
        compile(folder.resolve("classes"), shouter);
        Path jarClasses = folder.resolve("jar-classes");
        compile(jarClasses, greeter, table);
        Path lib = Files.createDirectories(folder.resolve("lib"));
        Files.writeString(lib.resolve("README.txt"), "not a jar; the glob must skip it");
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(lib.resolve("greeter.jar")));
             Stream<Path> files = Files.walk(jarClasses)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                jar.putNextEntry(new JarEntry(jarClasses.relativize(file).toString().replace('\\', '/')));
                jar.write(Files.readAllBytes(file));
                jar.closeEntry();
            }
        }
    }

    private static Path write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }

    private static void compile(Path output, Path... sources) throws IOException {
        Files.createDirectories(output);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> args = new ArrayList<>(List.of("-d", output.toString()));
        for (Path source : sources) {
            args.add(source.toString());
        }
        assertEquals(0, javac.run(null, null, null, args.toArray(String[]::new)), "javac failed");
    }

    record CliResult(int exitCode, String stdout, String stderr) {
    }

    /** Runs the CLI as users do: the same java binary, the class path = where the runner's classes are. */
    static CliResult runCli(Path workingDir, String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path classes = Path.of(NotebookRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> command = new ArrayList<>(List.of(java, "-cp", classes.toString(), NotebookRunner.class.getName()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("runner-out", ".txt");
        Path err = Files.createTempFile("runner-err", ".txt");
        try {
            Process process = new ProcessBuilder(command).directory(workingDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "runner did not finish in 120 s");
            return new CliResult(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Python's own validator; the test is skipped (saying why) where python3 or nbformat is missing. */
    static void assertValidNbformat(Path notebook) throws Exception {
        Process probe;
        try {
            probe = new ProcessBuilder("python3", "-c", "import nbformat").redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("python3 is not available, cannot run nbformat's validator: " + e.getMessage());
            return;
        }
        String probeOutput = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (probe.waitFor() != 0) {
            System.out.println("skipping nbformat validation: " + probeOutput.strip());
            Assumptions.abort("python3 has no nbformat module: " + probeOutput.strip());
        }
        Process validate = new ProcessBuilder("python3", "-c",
                "import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))", notebook.toString())
                .redirectErrorStream(true).start();
        String output = new String(validate.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, validate.waitFor(), "nbformat rejects " + notebook + ":\n" + output);
    }
}
