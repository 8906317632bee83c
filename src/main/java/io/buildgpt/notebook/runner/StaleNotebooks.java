package io.buildgpt.notebook.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds committed notebooks whose outputs no longer belong to the tree: the {@link Fingerprint} the
 * runner recorded when it executed them differs from the one the tree gives now. A committed notebook
 * must carry the outputs of its own parameters, so one executed with {@code -p} overrides is stale too.
 */
public final class StaleNotebooks {
    private StaleNotebooks() {
    }

    /** The command that re-executes {@code notebook} (a path relative to the project) and rewrites it. */
    public static String refreshCommand(String notebook) {
        return "mvn -q -DskipTests package && java -cp target/classes " + NotebookRunner.class.getName()
                + " --in-place " + notebook;
    }

    /** One message per stale notebook under {@code root/notebooks}, in name order; empty when all are fresh. */
    public static List<String> problems(Path root) {
        List<String> problems = new ArrayList<>();
        try (Stream<Path> files = Files.list(root.resolve("notebooks"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".ipynb")).sorted().toList()) {
                String problem = problem(root, file);
                if (problem != null) problems.add(problem);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the notebooks in " + root.resolve("notebooks"), e);
        }
        return problems;
    }

    /** Why {@code file} is stale, naming it and the command that refreshes it; null when it is fresh. */
    public static String problem(Path root, Path file) {
        String name = root.toAbsolutePath().relativize(file.toAbsolutePath()).toString().replace('\\', '/');
        String fix = "; refresh it with: " + refreshCommand(name);
        Notebook notebook = Notebook.read(file);
        Fingerprint recorded = Fingerprint.recorded(notebook);
        if (recorded == null) {
            return name + " has no fingerprint of what its outputs were made from (metadata." + Fingerprint.KEY
                    + "): it was not executed by the runner" + fix;
        }
        if (!recorded.parameters().isEmpty() || notebook.indexOfTagged(ParameterInjector.INJECTED_TAG) >= 0) {
            return name + " was executed with parameter overrides " + recorded.parameters()
                    + ": the committed notebook must show the outputs of its own parameters; remove its"
                    + " \"injected-parameters\" cell if it has one" + fix;
        }
        Fingerprint now = Fingerprint.of(notebook, file.toAbsolutePath().getParent(), root.toAbsolutePath(), Map.of());
        List<String> changed = new ArrayList<>();
        if (!now.code().equals(recorded.code())) changed.add("its code cells");
        if (!now.module().equals(recorded.module())) changed.add("the module's sources (src/main, pom.xml)");
        for (Map.Entry<String, String> corpus : now.corpora().entrySet()) {
            String before = recorded.corpora().get(corpus.getKey());
            // A hash is compared only when both sides have one: the file may be absent here (no download).
            boolean bothHashed = before != null && before.contains(" sha256:") && corpus.getValue().contains(" sha256:");
            if (before == null || (bothHashed && !before.equals(corpus.getValue()))) {
                changed.add("its corpus " + corpus.getKey() + " (" + corpus.getValue().split(" sha256:")[0] + ")");
            }
        }
        if (changed.isEmpty()) return null;
        return name + " is stale: " + String.join(" and ", changed) + " changed since its outputs were made" + fix;
    }
}
