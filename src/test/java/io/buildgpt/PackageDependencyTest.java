package io.buildgpt;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layering the engine's design promises, read from the sources' imports: the kernels know no layer,
 * the engine knows no fine-tuning, and fine-tuning builds on the engine. A refactor that breaks it fails here.
 */
class PackageDependencyTest {
    private static final Path MAIN = Path.of("src/main/java/io/buildgpt");

    /** The project packages that {@code pkg}'s files import (fully qualified references in code count too). */
    private static Set<String> importsOf(String pkg) throws IOException {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> files = Files.list(MAIN.resolve(pkg.replace('.', '/')))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    String code = line.strip();
                    if (code.startsWith("*") || code.startsWith("/*") || code.startsWith("//")) continue; // Javadoc and comments
                    int at = code.indexOf("io.buildgpt.");
                    while (at >= 0) {
                        String rest = code.substring(at + "io.buildgpt.".length());
                        StringBuilder p = new StringBuilder();
                        for (String part : rest.split("\\.")) {
                            if (part.isEmpty() || !Character.isLowerCase(part.charAt(0))) break;
                            if (p.length() > 0) p.append('.');
                            p.append(part.replaceAll("[^a-z0-9].*", ""));
                            if (!part.matches("[a-z0-9]+")) break;
                        }
                        if (p.length() > 0 && !p.toString().equals(pkg)) out.add(p.toString());
                        at = code.indexOf("io.buildgpt.", at + 1);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void theKernelsImportNoLayerAndTheEngineNoFineTuning() throws IOException {
        assertEquals(Set.of("random"), importsOf("engine.kernels"), "engine.kernels may use only the random generator");
        Set<String> engine = importsOf("engine");
        assertTrue(engine.contains("engine.kernels"), engine.toString());
        for (String forbidden : List.of("finetune", "train", "tensor", "nn", "check", "bigram", "notebook")) {
            assertTrue(engine.stream().noneMatch(p -> p.equals(forbidden) || p.startsWith(forbidden + ".")), "engine imports " + forbidden + ": " + engine);
        }
        Set<String> train = importsOf("train");
        assertTrue(train.stream().noneMatch(p -> p.startsWith("finetune")), "train imports finetune: " + train);
        assertTrue(importsOf("finetune").contains("engine"), "fine-tuning builds on the engine");
    }
}
