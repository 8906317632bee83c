package io.buildgpt.nd4j;

import io.buildgpt.engine.kernels.BlasSetup;
import org.nd4j.common.config.ND4JClassLoading;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Makes ND4J find its native backend when this module was added to a running JShell-based kernel
 * with {@code %classpath} (IJava issue #65, deeplearning4j issue #7937).
 *
 * <p>Why it fails without this: ND4J looks its backend up with a {@link java.util.ServiceLoader}
 * through the thread's context class loader. In a kernel that class loader is the kernel's own,
 * which has never heard of the jars added at run time, so the lookup finds nothing and
 * {@code Nd4j} fails to initialise. The fix is to point ND4J at the class loader that loaded
 * these jars (ours) before its first use. Every class of the module that touches ND4J calls
 * {@link #ensureLoaded()} first, so notebook code never has to.
 *
 * <p>It lives at the ND4J boundary, not in the notebook package: the data and model classes that
 * make ND4J arrays call it, and classes that never make one (the {@code float[]} GPT engine when
 * trained through {@code int[]} batches) never start ND4J's native backend ({@link #isLoaded()}).
 */
public final class Nd4jLoader {
    private static volatile boolean loaded;

    private Nd4jLoader() {}

    /** Initialises ND4J once, with the class loader that loaded this module. Cheap after the first call. */
    public static void ensureLoaded() {
        if (loaded) return;
        synchronized (Nd4jLoader.class) {
            if (loaded) return;
            ClassLoader ours = Nd4jLoader.class.getClassLoader();
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            try {
                thread.setContextClassLoader(ours);
                ND4JClassLoading.setNd4jClassloader(ours);
                BlasSetup.apply(); // ND4J loads the same OpenBLAS: its kernel is chosen for this CPU first
                Nd4j.getBackend(); // forces backend discovery and native library loading now
                loaded = true;
            } finally {
                thread.setContextClassLoader(previous);
            }
        }
    }

    /** Whether ND4J's backend has been started by this class. */
    public static boolean isLoaded() {
        return loaded;
    }

    /** One line for a notebook: which backend and BLAS ND4J is running on (the BLAS kernel, and why: {@link BlasSetup}). */
    public static String describe() {
        ensureLoaded();
        return "ND4J backend " + Nd4j.getBackend().getClass().getSimpleName()
                + ", data type " + Nd4j.dataType() + "; " + BlasSetup.describe();
    }
}
