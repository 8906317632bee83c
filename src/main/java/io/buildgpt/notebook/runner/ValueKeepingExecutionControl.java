package io.buildgpt.notebook.runner;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Map;
import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;
import jdk.jshell.spi.SPIResolutionException;

/**
 * Runs snippets in this JVM, on the calling thread, and keeps the last value and the last exception as
 * objects: JShell itself only passes strings back, but a notebook renders images and tables.
 *
 * <p>The thread context class loader is deliberately left alone (it stays the application loader): the
 * IJava and JJava kernels do not set it to the snippet loader either, and code that works here should
 * behave the same in JupyterLab, including code that looks resources up through the context loader.
 */
final class ValueKeepingExecutionControl extends DirectExecutionControl {
    private Object lastValue;
    private boolean hasValue;
    private Throwable lastThrown;

    ValueKeepingExecutionControl(SnippetLoaderDelegate loaderDelegate) {
        super(loaderDelegate);
    }

    /** Forgets the previous snippet's value and exception; call before each evaluation. */
    void reset() {
        lastValue = null;
        hasValue = false;
        lastThrown = null;
    }

    boolean hasValue() {
        return hasValue;
    }

    Object lastValue() {
        return lastValue;
    }

    /** The exception notebook code threw in the last snippet, or null. */
    Throwable lastThrown() {
        return lastThrown;
    }

    @Override
    protected String invoke(Method doitMethod) throws Exception {
        Object value = doitMethod.invoke(null);
        lastValue = value;
        hasValue = true;
        // JShell only shows this string in events, which the runner does not use; skipping toString()
        // avoids formatting a huge array just to throw the text away.
        return value == null ? "null" : value.getClass().getName();
    }

    /**
     * A bare variable name as a snippet is read here rather than through {@link #invoke(Method)}. Like
     * there, the value is kept and not formatted: the renderer formats it, once.
     */
    @Override
    public String varValue(String className, String varName) throws RunException, EngineTerminationException, InternalException {
        Field field;
        try {
            field = findClass(className).getDeclaredField(varName);
            field.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new InternalException("cannot find variable " + varName + ": " + e);
        }
        try {
            lastValue = field.get(null);
        } catch (IllegalAccessException e) {
            throw new InternalException("cannot read variable " + varName + ": " + e);
        } catch (ExceptionInInitializerError e) {
            return throwConvertedInvocationException(e.getCause() != null ? e.getCause() : e);
        }
        hasValue = true;
        return lastValue == null ? "null" : lastValue.getClass().getName();
    }

    @Override
    protected String throwConvertedInvocationException(Throwable cause) throws RunException, InternalException {
        if (!(cause instanceof SPIResolutionException)) {
            lastThrown = cause;
        }
        return super.throwConvertedInvocationException(cause);
    }

    @Override
    protected String throwConvertedOtherException(Throwable ex) throws RunException, InternalException {
        lastThrown = ex;
        return super.throwConvertedOtherException(ex);
    }

    /** Hands JShell the one control instance the kernel created, so the kernel can read its values. */
    record Provider(ValueKeepingExecutionControl control) implements ExecutionControlProvider {
        @Override
        public String name() {
            return "buildgpt-local";
        }

        @Override
        public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
            return control;
        }
    }
}
