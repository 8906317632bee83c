package io.buildgpt.notebook;

import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

import java.io.File;

/**
 * A stand-in for a JShell-based Jupyter kernel, run in its own JVM whose class path holds only
 * this class. Like IJava it runs snippets in-process and adds jars at run time with
 * {@code addToClasspath}, as the kernel's {@code %classpath} magic does; and like a kernel that
 * executes cells on its own threads, the thread's context class loader is the kernel's class loader,
 * which cannot see those jars. (JShell's stock loader delegate points the context class loader at
 * the snippet class loader, which hides the problem, so the probe sets it back after start-up.)
 *
 * <p>Usage: {@code KernelProbe <class path entries separated by File.pathSeparator> <snippet>...}.
 * Prints each snippet's value; exits with 1 at the first snippet that fails to compile or throws.
 */
public final class KernelProbe {
    public static void main(String[] args) {
        try (JShell shell = JShell.builder().executionEngine(new InProcess(), null).build()) {
            for (String entry : args[0].split(File.pathSeparator)) shell.addToClasspath(entry);
            for (int i = 1; i < args.length; i++) {
                for (SnippetEvent e : shell.eval(args[i])) {
                    if (e.exception() != null) {
                        System.out.println("EXCEPTION in snippet " + i + ": " + e.exception());
                        System.exit(1);
                    }
                    if (e.status() == Snippet.Status.REJECTED) {
                        shell.diagnostics(e.snippet()).forEach(d -> System.out.println("REJECTED: " + d.getMessage(null)));
                        System.exit(1);
                    }
                    if (e.value() != null) System.out.println("VALUE " + e.value());
                }
            }
        }
    }

    /** Snippets run directly on the calling thread, as in IJava. */
    static final class InProcess implements ExecutionControlProvider {
        @Override
        public String name() {
            return "in-process";
        }

        @Override
        public ExecutionControl generate(ExecutionEnv env, java.util.Map<String, String> parameters) {
            DirectExecutionControl control = new DirectExecutionControl();
            Thread.currentThread().setContextClassLoader(ClassLoader.getSystemClassLoader());
            return control;
        }
    }
}
