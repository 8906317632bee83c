package io.buildgpt.notebook.runner;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Executes the code cells of one notebook top to bottom in one fresh {@link JavaKernel}, the way nbclient
 * does: outputs are replaced, execution counts run 1, 2, 3... over non-empty code cells, empty code cells
 * are skipped (no count, no outputs), markdown and raw cells are left alone, and the first failing cell
 * stops the run.
 */
final class NotebookExecutor {
    /** Told when each code cell starts and ends; the child JVM's {@link RunWatch} uses it for the time limits. */
    interface CellListener {
        CellListener NONE = new CellListener() { };

        default void cellStarted(int index, String source) {
        }

        default void cellFinished(int index) {
        }
    }

    private NotebookExecutor() {
    }

    /** Executes in place; returns the number of code cells executed. */
    static int execute(Notebook notebook, Path notebookDir, Map<String, String> parameters) {
        return execute(notebook, notebookDir, parameters, CellListener.NONE);
    }

    /** The same, telling {@code listener} when each non-empty code cell starts and ends. */
    static int execute(Notebook notebook, Path notebookDir, Map<String, String> parameters, CellListener listener) {
        ParameterInjector.inject(notebook, parameters);
        normalize(notebook);
        OutputRecorder recorder = new OutputRecorder();
        int executed = 0;
        try (JavaKernel kernel = new JavaKernel(notebookDir, recorder)) {
            List<Map<String, Object>> cells = notebook.cells();
            for (int i = 0; i < cells.size(); i++) {
                Map<String, Object> cell = cells.get(i);
                if (!"code".equals(cell.get("cell_type"))) {
                    continue;
                }
                List<Map<String, Object>> outputs = new ArrayList<>();
                cell.put("outputs", outputs);
                cell.put("execution_count", null);
                String source = notebook.source(i);
                if (source.isBlank()) {
                    continue;
                }
                int count = ++executed;
                cell.put("execution_count", (long) count);
                recorder.startCell(outputs);
                listener.cellStarted(i, source);
                try (OutputRecorder.Capture capture = recorder.capture()) {
                    JavaKernel.Result result = kernel.execute(source);
                    if (result != null) {
                        recorder.result(result.value(), count);
                    }
                } catch (CellFailure failure) {
                    recorder.error(failure);
                    throw new NotebookExecutionException(notebook, i, JavaKernel.firstLine(source), failure.summary(), failure);
                } catch (RuntimeException e) {
                    // e.g. a result that cannot be rendered: still the cell's fault, reported the same way
                    CellFailure failure = CellFailure.thrown(e);
                    recorder.error(failure);
                    throw new NotebookExecutionException(notebook, i, JavaKernel.firstLine(source), failure.summary(), e);
                } finally {
                    listener.cellFinished(i);
                    recorder.finishCell();
                }
            }
        }
        return executed;
    }

    /** Brings the document to nbformat 4.5 with the Java kernel's metadata; cells without ids get stable ones. */
    static void normalize(Notebook notebook) {
        Map<String, Object> document = notebook.document();
        document.put("nbformat", 4L);
        document.put("nbformat_minor", 5L);
        @SuppressWarnings("unchecked")
        Map<String, Object> metadata = document.get("metadata") instanceof Map<?, ?> m
                ? (Map<String, Object>) m : new LinkedHashMap<>();
        document.put("metadata", metadata);
        Map<String, Object> kernelspec = new LinkedHashMap<>();
        kernelspec.put("display_name", "Java");
        kernelspec.put("language", "java");
        kernelspec.put("name", "java");
        metadata.put("kernelspec", kernelspec);
        Map<String, Object> languageInfo = new LinkedHashMap<>();
        languageInfo.put("codemirror_mode", "java");
        languageInfo.put("file_extension", ".jshell");
        languageInfo.put("mimetype", "text/x-java-source");
        languageInfo.put("name", "java");
        languageInfo.put("pygments_lexer", "java");
        // The feature release only, so re-running on another update of the JDK does not change the file.
        languageInfo.put("version", String.valueOf(Runtime.version().feature()));
        metadata.put("language_info", languageInfo);

        Set<Object> ids = new HashSet<>();
        notebook.cells().forEach(cell -> ids.add(cell.get("id")));
        List<Map<String, Object>> cells = notebook.cells();
        for (int i = 0; i < cells.size(); i++) {
            Map<String, Object> cell = cells.get(i);
            if (!(cell.get("id") instanceof String id) || id.isEmpty()) {
                String fresh = "cell-" + i;
                for (int n = 2; ids.contains(fresh); n++) {
                    fresh = "cell-" + i + "-" + n;
                }
                ids.add(fresh);
                cell.put("id", fresh);
            }
            if (!cell.containsKey("metadata")) {
                cell.put("metadata", new LinkedHashMap<>());
            }
        }
    }
}
