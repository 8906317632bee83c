/**
 * The headless notebook runner ({@link io.buildgpt.notebook.runner.NotebookRunner}): executes .ipynb files
 * in a JShell the way the JJava kernel does and writes their outputs back. Nothing in the model or data
 * packages depends on it; its JSON codec is the shared {@code io.buildgpt.json}.
 */
package io.buildgpt.notebook.runner;
