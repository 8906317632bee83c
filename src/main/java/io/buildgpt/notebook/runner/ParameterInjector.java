package io.buildgpt.notebook.runner;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Papermill-style parameters: after the cell tagged {@code parameters} comes a cell tagged
 * {@code injected-parameters} that assigns the given Java expressions, so they override the defaults.
 * A cell injected by an earlier run is replaced, never duplicated.
 */
final class ParameterInjector {
    static final String PARAMETERS_TAG = "parameters";
    static final String INJECTED_TAG = "injected-parameters";
    static final String COMMENT = "// Parameters injected by the runner";

    private ParameterInjector() {
    }

    static void inject(Notebook notebook, Map<String, String> parameters) {
        if (parameters.isEmpty()) {
            return;
        }
        parameters.keySet().forEach(ParameterInjector::checkName);
        List<Map<String, Object>> cells = notebook.cells();
        String previousId = null;
        for (int i = cells.size() - 1; i >= 0; i--) {
            if (notebook.tags(i).contains(INJECTED_TAG)) {
                previousId = previousId != null ? previousId : (String) cells.get(i).get("id");
                cells.remove(i);
            }
        }
        int parametersCell = notebook.indexOfTagged(PARAMETERS_TAG);
        if (parametersCell < 0) {
            throw new IllegalArgumentException("parameters " + parameters.keySet()
                    + " were given, but no cell is tagged \"" + PARAMETERS_TAG + "\" to put them after");
        }
        cells.add(parametersCell + 1, injectedCell(parameters, previousId != null ? previousId : INJECTED_TAG));
    }

    private static Map<String, Object> injectedCell(Map<String, String> parameters, String id) {
        StringBuilder source = new StringBuilder(COMMENT);
        parameters.forEach((name, expression) -> source.append('\n').append(name).append(" = ")
                .append(expression.strip().replaceAll(";+$", "")).append(';'));
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("tags", new ArrayList<Object>(List.of(INJECTED_TAG)));
        Map<String, Object> cell = new LinkedHashMap<>();
        cell.put("cell_type", "code");
        cell.put("execution_count", null);
        cell.put("id", id);
        cell.put("metadata", metadata);
        cell.put("outputs", new ArrayList<>());
        cell.put("source", Outputs.lines(source.toString()));
        return cell;
    }

    private static void checkName(String name) {
        boolean valid = !name.isEmpty() && Character.isJavaIdentifierStart(name.charAt(0))
                && name.chars().allMatch(Character::isJavaIdentifierPart);
        if (!valid) {
            throw new IllegalArgumentException("parameter name \"" + name + "\" is not a Java identifier");
        }
    }
}
