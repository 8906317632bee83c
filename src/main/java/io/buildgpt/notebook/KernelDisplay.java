package io.buildgpt.notebook;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The kernel's {@code display(value)} and {@code updateDisplay(id, value)}, reachable from module code,
 * so that a live plot can be one call in a notebook cell. Looks, in this order, for the headless
 * runner of this project, JJava 1.0-a6 and later, older JJava builds and IJava 1.3; outside a running
 * kernel (a plain JVM, a test) nothing is shown and {@link #available()} is false.
 *
 * <p>The kernels are found by class name and called reflectively, so the module needs none of them to
 * compile or run. A kernel counts only while it runs: its classes on the class path alone (as in a test)
 * are not enough, because its display functions fail when no kernel has started.
 */
public final class KernelDisplay {
    /** The keys under which this project's headless runner publishes its display functions. */
    static final String RUNNER_DISPLAY = "io.buildgpt.notebook.runner.display";
    static final String RUNNER_UPDATE = "io.buildgpt.notebook.runner.updateDisplay";

    /**
     * A kernel's static display helpers (the ones a notebook cell calls unqualified) and the static
     * method that says whether that kernel is running: it returns null or throws when none is.
     */
    record Kernel(String name, String displayClass, String runningClass, String runningMethod) {}

    /** The kernels tried, newest first. */
    static final List<Kernel> KERNELS = List.of(
            // JJava 1.0-a6 and later (PyPI's jjava 1.0a6 onwards): display helpers moved into jjava-jupyter.
            new Kernel("JJava", "org.dflib.jjava.jupyter.kernel.BaseNotebookStatics",
                    "org.dflib.jjava.jupyter.kernel.BaseKernel", "notebookKernel"),
            // JJava up to 1.0-a5 and its 2024 PyPI builds.
            new Kernel("JJava (before 1.0-a6)", "org.dflib.jjava.runtime.Display",
                    "org.dflib.jjava.runtime.Kernel", "getKernelInstance"),
            new Kernel("IJava", "io.github.spencerpark.ijava.runtime.Display",
                    "io.github.spencerpark.ijava.runtime.Kernel", "getKernelInstance"));

    private final String name;
    private final Function<Object, String> display;
    private final BiConsumer<String, Object> update;

    private KernelDisplay(String name, Function<Object, String> display, BiConsumer<String, Object> update) {
        this.name = name;
        this.display = display;
        this.update = update;
    }

    /** The display of the kernel this code runs in, or one that shows nothing when there is none. */
    public static KernelDisplay current() {
        KernelDisplay runner = runner();
        if (runner != null) return runner;
        for (Kernel kernel : KERNELS) {
            KernelDisplay found = resolve(kernel);
            if (found != null && isRunning(kernel)) return found;
        }
        return new KernelDisplay("none", null, null);
    }

    /**
     * The display functions of the given kernel if its classes can be loaded here, whether or not the
     * kernel runs; null when they cannot. {@link #current()} adds the check that the kernel runs.
     */
    static KernelDisplay resolve(Kernel kernel) {
        Class<?> type = load(kernel.displayClass());
        if (type == null) return null;
        try {
            Method show = type.getMethod("display", Object.class);
            Method update = type.getMethod("updateDisplay", String.class, Object.class);
            return new KernelDisplay(kernel.name() + " (" + kernel.displayClass() + ")",
                    value -> (String) invoke(show, value), (id, value) -> invoke(update, id, value));
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    /** A display with the given functions, e.g. a test's recorder or another front end. */
    public static KernelDisplay of(Function<Object, String> display, BiConsumer<String, Object> update) {
        return new KernelDisplay("given functions", display, update);
    }

    /** Whether a kernel was found; when not, {@link #show} returns null and {@link #update} does nothing. */
    public boolean available() {
        return display != null;
    }

    /** Shows the value below the running cell; returns the id to update it with. */
    public String show(Object value) {
        return display == null ? null : display.apply(value);
    }

    /** Replaces what {@link #show} showed under {@code id}. */
    public void update(String id, Object value) {
        if (update != null && id != null) update.accept(id, value);
    }

    /** Which display this is, e.g. "JJava (org.dflib.jjava.jupyter.kernel.BaseNotebookStatics)" or "none". */
    @Override
    public String toString() {
        return name;
    }

    @SuppressWarnings("unchecked")
    private static KernelDisplay runner() {
        Object show = System.getProperties().get(RUNNER_DISPLAY);
        Object update = System.getProperties().get(RUNNER_UPDATE);
        if (!(show instanceof Function<?, ?> f) || !(update instanceof BiConsumer<?, ?> u)) return null;
        Function<Object, Object> showing = (Function<Object, Object>) f;
        BiConsumer<Object, Object> updating = (BiConsumer<Object, Object>) u;
        return new KernelDisplay("the notebook runner", value -> String.valueOf(showing.apply(value)), updating::accept);
    }

    private static boolean isRunning(Kernel kernel) {
        Class<?> type = load(kernel.runningClass());
        if (type == null) return false;
        try {
            return type.getMethod(kernel.runningMethod()).invoke(null) != null;
        } catch (InvocationTargetException e) {
            return false; // JJava 1.0-a6+ throws "No kernel running" outside the notebook lifecycle
        } catch (ReflectiveOperationException | LinkageError e) {
            return false;
        }
    }

    private static Class<?> load(String className) {
        for (ClassLoader loader : new ClassLoader[]{KernelDisplay.class.getClassLoader(),
                Thread.currentThread().getContextClassLoader(), ClassLoader.getSystemClassLoader()}) {
            if (loader == null) continue;
            try {
                return Class.forName(className, true, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                // not this kernel, or not visible from this loader: try the next
            }
        }
        return null;
    }

    private static Object invoke(Method method, Object... args) {
        try {
            return method.invoke(null, args);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot call the kernel's " + method.getName() + ": " + e.getMessage(), e);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof Error err) throw err;
            throw new IllegalStateException("the kernel's " + method.getName() + " failed: " + cause, cause);
        }
    }
}
