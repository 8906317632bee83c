/**
 * A JDK-only JSON reader and writer: {@link io.buildgpt.json.Json} parses to plain Java maps and lists and
 * writes the way Jupyter writes notebooks. Used by the notebook runner and by the tensor file headers; it
 * imports nothing from the rest of the project.
 */
package io.buildgpt.json;
