package io.buildgpt.engine.kernels;

import java.util.concurrent.locks.LockSupport;

/**
 * A set of worker threads that split a loop {@code 0..n} into contiguous ranges, one per thread, the
 * caller taking the first. Created once per model; with one thread it is a plain call.
 *
 * <p>Why not a ForkJoinPool or an ExecutorService: a training step makes about sixty parallel
 * calls, each one product or one attention pass on small shapes, so a queue's hand-off would be a
 * visible share of each and the hand-off must cost microseconds (figures in BENCHMARKS.md). Helpers
 * spin briefly on a volatile flag before parking, and the caller spins while it waits for them.
 *
 * <p>Splits are by output rows (or by independent (batch, head) pairs), never across a sum, so each
 * value is computed by the same operations in the same order whatever the thread count: results
 * are bit-identical to one thread.
 *
 * <p>Threads live only while used: a helper starts at the first task it is given, and ends after
 * {@link #IDLE_MILLIS} without work (the next task starts it again: one thread start, not one per
 * task). So models that are never closed (made in a loop, or by re-running a notebook cell) leave no
 * threads behind. They are daemons; {@link #close} ends them at once and makes any later use fail with a message.
 */
public final class Parallel implements AutoCloseable {
    /** {@code run(worker, from, to)}: the body over indices {@code from..to-1}, with {@code worker} picking per-thread scratch. */
    public interface RangeTask {
        void run(int worker, int from, int to);
    }

    public static final Parallel SERIAL = new Parallel(1);
    /** How long an idle helper waits for work before its thread ends. */
    public static final long IDLE_MILLIS = 2000;
    private static final int SPINS = 20_000;
    private final Helper[] helpers;
    private volatile boolean closed;

    public Parallel(int threads) {
        if (threads < 1 || threads > 64) throw new IllegalArgumentException("threads = " + threads + " is out of range: it must be between 1 and 64");
        helpers = new Helper[threads - 1];
        for (int i = 0; i < helpers.length; i++) helpers[i] = new Helper(i + 1);
    }

    public int threads() {
        return helpers.length + 1;
    }

    /** Runs {@code task} over {@code 0..n-1} split into at most {@link #threads()} ranges; returns when all are done. */
    public void forRange(int n, RangeTask task) {
        if (closed) throw new IllegalStateException("this model was closed (close() stops its threads): make a new model, or load it from its checkpoint");
        int parts = Math.min(threads(), n);
        if (parts <= 1) {
            task.run(0, 0, n);
            return;
        }
        for (int w = 1; w < parts; w++) helpers[w - 1].submit(task, (int) ((long) n * w / parts), (int) ((long) n * (w + 1) / parts));
        Throwable failure = null;
        try {
            task.run(0, 0, n / parts);
        } catch (Throwable t) {
            failure = t;
        }
        for (int w = 1; w < parts; w++) {
            Throwable t = helpers[w - 1].await();
            if (failure == null) failure = t;
        }
        if (failure instanceof RuntimeException e) throw e;
        if (failure instanceof Error e) throw e;
        if (failure != null) throw new IllegalStateException(failure);
    }

    @Override
    public void close() {
        if (this == SERIAL) return;
        closed = true;
        for (Helper h : helpers) h.stop();
    }

    /**
     * One helper thread's hand-off. {@code running} says whether a thread is (or is about to be) serving
     * {@code pending}: a helper that times out sets it false and then looks at {@code pending} once more,
     * while {@link #submit} sets {@code pending} first and starts a thread only if it wins {@code running}
     * back; so a task is never left without a thread, and never taken by two.
     */
    private static final class Helper implements Runnable {
        private final int worker;
        private final java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean();
        private volatile Thread thread;
        private volatile boolean pending, stopped;
        private RangeTask task;          // written before pending is set, read after it is seen
        private int from, to;
        private Throwable failure;

        Helper(int worker) {
            this.worker = worker;
        }

        void submit(RangeTask task, int from, int to) {
            this.task = task;
            this.from = from;
            this.to = to;
            this.failure = null;
            pending = true;
            if (running.compareAndSet(false, true)) {
                Thread t = new Thread(this, "buildgpt-parallel-" + worker);
                t.setDaemon(true);
                thread = t;
                t.start();
            } else {
                LockSupport.unpark(thread);
            }
        }

        Throwable await() {
            for (int spins = 0; pending; spins++) {
                if (spins < SPINS) Thread.onSpinWait();
                else Thread.yield();
            }
            return failure;
        }

        void stop() {
            stopped = true;
            Thread t = thread;
            if (t != null) LockSupport.unpark(t);
        }

        @Override
        public void run() {
            while (!stopped) {
                long idleSince = System.nanoTime();
                for (int spins = 0; !pending && !stopped; spins++) {
                    if (spins < SPINS) {
                        Thread.onSpinWait();
                    } else if (System.nanoTime() - idleSince < IDLE_MILLIS * 1_000_000L) {
                        LockSupport.parkNanos(this, 100_000_000L);
                    } else {
                        running.set(false);                                       // give up the thread...
                        if (!pending || !running.compareAndSet(false, true)) return; // ...unless a task came in meanwhile
                    }
                }
                if (stopped) break;
                try {
                    task.run(worker, from, to);
                } catch (Throwable t) {
                    failure = t;
                }
                task = null;
                pending = false;
            }
            running.set(false);
        }
    }
}
