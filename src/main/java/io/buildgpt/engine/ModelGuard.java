package io.buildgpt.engine;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * Guards a model's public entry points: after {@link #close()} every use throws an
 * {@link IllegalStateException} saying the model was closed (instead of waiting forever on stopped
 * helper threads), and a second thread entering while one is inside throws too (a model keeps its
 * activations in fields, so two threads at once would silently mix their results). The thread that is
 * inside may re-enter (e.g. {@code generate} calling the forward pass).
 */
final class ModelGuard {
    private final String what;
    private final AtomicReference<Thread> owner = new AtomicReference<>();
    private volatile boolean closed;
    private int depth; // re-entries of the owner thread; only the owner touches it

    ModelGuard(String what) {
        this.what = what;
    }

    /** Enters {@code operation}; pair with {@link #exit()} in a finally block. */
    void enter(String operation) {
        if (closed) {
            throw new IllegalStateException(what + " was closed, so " + operation + " cannot run: its worker threads are stopped;"
                    + " make a new model (or do not close it while it is still needed)");
        }
        Thread me = Thread.currentThread();
        if (!owner.compareAndSet(null, me) && owner.get() != me) {
            Thread other = owner.get();
            throw new IllegalStateException(what + " is in use by thread '" + (other == null ? "?" : other.getName()) + "', so "
                    + operation + " cannot run on thread '" + me.getName() + "' at the same time: a model holds its activations"
                    + " in its own buffers; use one model per thread (e.g. a copy loaded from the same weights)");
        }
        depth++;
    }

    void exit() {
        if (--depth == 0) owner.set(null);
    }

    /** {@code body} inside {@code operation}: {@link #enter}, then {@link #exit} however the body ends. */
    <T> T call(String operation, Supplier<T> body) {
        enter(operation);
        try {
            return body.get();
        } finally {
            exit();
        }
    }

    /** {@link #call} for a {@code double} result. */
    double callDouble(String operation, DoubleSupplier body) {
        enter(operation);
        try {
            return body.getAsDouble();
        } finally {
            exit();
        }
    }

    /** Marks the model closed; a use in progress on another thread is allowed to finish. */
    void close() {
        closed = true;
    }

    boolean isClosed() {
        return closed;
    }
}
