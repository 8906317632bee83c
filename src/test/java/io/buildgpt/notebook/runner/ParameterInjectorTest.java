package io.buildgpt.notebook.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParameterInjectorTest {
    private static final Path NOTEBOOKS = Path.of("src/test/resources/notebooks");

    @Test
    void injectsAfterTheParametersCellAndReplacesOnRerun() {
        Notebook notebook = Notebook.read(NOTEBOOKS.resolve("check.ipynb"));
        int cellsBefore = notebook.cells().size();
        Map<String, String> first = new LinkedHashMap<>();
        first.put("rate", "0.75;");
        first.put("label", "\"x\"");
        ParameterInjector.inject(notebook, first);

        int parameters = notebook.indexOfTagged("parameters");
        int injected = notebook.indexOfTagged("injected-parameters");
        assertEquals(parameters + 1, injected, "right after the parameters cell");
        assertEquals("// Parameters injected by the runner\nrate = 0.75;\nlabel = \"x\";", notebook.source(injected));
        assertEquals("code", notebook.cellType(injected));

        // A second run (e.g. on a notebook written --in-place) replaces the cell instead of adding one.
        ParameterInjector.inject(notebook, Map.of("rate", "2.0"));
        assertEquals(cellsBefore + 1, notebook.cells().size());
        assertEquals(injected, notebook.indexOfTagged("injected-parameters"));
        assertEquals("// Parameters injected by the runner\nrate = 2.0;", notebook.source(injected));
    }

    @Test
    void failsClearlyWithoutAParametersCell() {
        Notebook notebook = Notebook.read(NOTEBOOKS.resolve("no-parameters.ipynb"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ParameterInjector.inject(notebook, Map.of("n", "4")));
        assertTrue(e.getMessage().contains("no cell is tagged \"parameters\""), e.getMessage());
    }

    @Test
    void rejectsNamesThatAreNotIdentifiers() {
        Notebook notebook = Notebook.read(NOTEBOOKS.resolve("check.ipynb"));
        assertThrows(IllegalArgumentException.class, () -> ParameterInjector.inject(notebook, Map.of("a b", "1")));
    }

    @Test
    void normalizeAddsKernelMetadataAndStableIdsOnlyWhereMissing() {
        Notebook notebook = Notebook.parse("{\"cells\": [{\"cell_type\": \"markdown\", \"source\": \"x\"},"
                + " {\"cell_type\": \"markdown\", \"id\": \"keep-me\", \"metadata\": {}, \"source\": []}],"
                + " \"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 2}");
        NotebookExecutor.normalize(notebook);
        assertEquals(List.of("cell-0", "keep-me"), notebook.cells().stream().map(c -> c.get("id")).toList());
        assertEquals(5L, notebook.document().get("nbformat_minor"));
        Map<?, ?> metadata = (Map<?, ?>) notebook.document().get("metadata");
        assertEquals(Map.of("display_name", "Java", "language", "java", "name", "java"), metadata.get("kernelspec"));
        assertEquals("java", ((Map<?, ?>) metadata.get("language_info")).get("name"));
    }
}
