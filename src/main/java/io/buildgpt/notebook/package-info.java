/**
 * What the module needs to live inside a notebook kernel: {@link io.buildgpt.nd4j.Nd4jLoader}
 * (ND4J's backend found from jars added with {@code %classpath}) and
 * {@link io.buildgpt.notebook.KernelDisplay} (the kernel's display functions, for live plots). The
 * headless notebook runner is in {@code io.buildgpt.notebook.runner}.
 */
package io.buildgpt.notebook;
