package io.buildgpt.notebook;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The kernel's {@code display(value)} and {@code updateDisplay(id, value)}, reachable from module code,
 * so that a live plot can be one call in a notebook cell. Looks, in this order, for the headless
 * runner of this project, the JJava kernel and the IJava kernel; outside a kernel (a plain JVM, a
 * test) nothing is shown and {@link #available()} is false.
 */
public final class KernelDisplay {
    /** The keys under which this project's headless runner publishes its display functions. */
    static final String RUNNER_DISPLAY = "io.buildgpt.notebook.runner.display";
    static final String RUNNER_UPDATE = "io.buildgpt.notebook.runner.updateDisplay";
    /** JJava's and IJava's static display helpers, the ones a notebook cell calls. */
    private static final List<String> KERNEL_CLASSES = List.of(
            "org.dflib.jjava.runtime.Display", "io.github.spencerpark.ijava.runtime.Display");

    private final Function<Object, String> display;
    private final BiConsumer<String, Object> update;

    private KernelDisplay(Function<Object, String> display, BiConsumer<String, Object> update) {
        this.display = display;
        this.update = update;
    }

    /** The display of the kernel this code runs in, or one that shows nothing when there is none. */
    public static KernelDisplay current() {
        KernelDisplay runner = runner();
        if (runner != null) return runner;
        for (String name : KERNEL_CLASSES) {
            KernelDisplay kernel = kernel(name);
            if (kernel != null) return kernel;
        }
        return new KernelDisplay(null, null);
    }

    /** A display with the given functions, e.g. a test's recorder or another front end. */
    public static KernelDisplay of(Function<Object, String> display, BiConsumer<String, Object> update) {
        return new KernelDisplay(display, update);
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

    @SuppressWarnings("unchecked")
    private static KernelDisplay runner() {
        Object show = System.getProperties().get(RUNNER_DISPLAY);
        Object update = System.getProperties().get(RUNNER_UPDATE);
        if (!(show instanceof Function<?, ?> f) || !(update instanceof BiConsumer<?, ?> u)) return null;
        Function<Object, Object> showing = (Function<Object, Object>) f;
        BiConsumer<Object, Object> updating = (BiConsumer<Object, Object>) u;
        return new KernelDisplay(value -> String.valueOf(showing.apply(value)), updating::accept);
    }

    private static KernelDisplay kernel(String className) {
        Class<?> type = load(className);
        if (type == null) return null;
        try {
            Method show = type.getMethod("display", Object.class);
            Method update = type.getMethod("updateDisplay", String.class, Object.class);
            return new KernelDisplay(value -> (String) invoke(show, value), (id, value) -> invoke(update, id, value));
        } catch (NoSuchMethodException e) {
            return null;
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
