package io.buildgpt.engine.kernels;

import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.systems.global.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Applies {@link BlasCore}'s choice once per process, before OpenBLAS loads: sets {@code OPENBLAS_CORETYPE}
 * in the process's own C environment (JavaCPP's {@code org.bytedeco:systems}, {@code setenv}), which is where
 * OpenBLAS reads it when its library loads. Java's {@code System.getenv} cannot change it.
 *
 * <p>Both doors to the library call {@link #apply()} first: the engine ({@link Blas}) and ND4J
 * ({@code io.buildgpt.nd4j.Nd4jLoader}); they share one native OpenBLAS, loaded by whichever comes first.
 * Only Linux on x86-64 is touched; elsewhere OpenBLAS decides alone.
 */
public final class BlasSetup {
    /** OpenBLAS 0.3.19's kernel tables, by the suffix of their symbol {@code gotoblas_<NAME>}, and their names. */
    private static final List<String[]> KERNELS = List.of(
            new String[] {"PRESCOTT", "Prescott"}, new String[] {"CORE2", "Core2"}, new String[] {"NEHALEM", "Nehalem"},
            new String[] {"SANDYBRIDGE", "Sandybridge"}, new String[] {"HASWELL", "Haswell"},
            new String[] {"SKYLAKEX", "SkylakeX"}, new String[] {"COOPERLAKE", "Cooperlake"},
            new String[] {"ATHLON", "Athlon"}, new String[] {"BARCELONA", "Barcelona"}, new String[] {"BULLDOZER", "Bulldozer"},
            new String[] {"PILEDRIVER", "Piledriver"}, new String[] {"STEAMROLLER", "Steamroller"},
            new String[] {"EXCAVATOR", "Excavator"}, new String[] {"ZEN", "Zen"}, new String[] {"KATMAI", "Katmai"},
            new String[] {"COPPERMINE", "Coppermine"}, new String[] {"NORTHWOOD", "Northwood"}, new String[] {"BANIAS", "Banias"});

    private static BlasCore.Choice choice;
    private static String applied;

    private BlasSetup() {}

    /** Decides and, where a kernel is chosen, sets the variable; the first call does the work. Returns the decision. */
    public static synchronized BlasCore.Choice apply() {
        if (choice != null) return choice;
        BlasCore.Choice decided = BlasCore.choose(linuxX86() ? cpuinfo() : null, System.getenv(BlasCore.VARIABLE));
        applied = "";
        if (decided.sets()) {
            try {
                Loader.load(linux.class);
                if (linux.setenv(BlasCore.VARIABLE, decided.kernel(), 1) != 0) applied = "setenv failed";
            } catch (Throwable e) { // the systems preset's native part is missing: run with OpenBLAS's own choice
                applied = "could not set " + BlasCore.VARIABLE + " (" + e + ")";
            }
        }
        choice = decided;
        return choice;
    }

    /**
     * The kernel OpenBLAS is running, read from the library itself (which of its kernel tables its pointer
     * {@code gotoblas} points to), or "unknown" where the symbols cannot be found. Loads the library.
     */
    public static String runningKernel() {
        Blas.load();
        try {
            Pointer current = Loader.addressof("gotoblas");
            if (current == null) return "unknown";
            long table = new LongPointer(current).get(0);
            for (String[] kernel : KERNELS) {
                Pointer candidate = Loader.addressof("gotoblas_" + kernel[0]);
                if (candidate != null && candidate.address() == table) return kernel[1];
            }
        } catch (Throwable e) {
            return "unknown";
        }
        return "unknown";
    }

    /** One line: the library, the kernel it runs, and why. */
    public static String describe() {
        BlasCore.Choice decided = apply();
        String running = runningKernel();
        String why;
        if (!applied.isEmpty()) why = applied + "; " + decided.reason();
        else if (decided.sets() && !running.equals("unknown") && !decided.kernel().equalsIgnoreCase(running))
            why = "chosen " + decided.kernel() + " for " + decided.cpu() + " (" + decided.reason()
                    + "), but OpenBLAS had loaded before the choice was applied";
        else if (decided.sets()) why = "chosen for " + decided.cpu() + ": " + decided.reason();
        else why = decided.reason() + ", on " + decided.cpu();
        String override = decided.reason().startsWith("set by") ? "" : "; set " + BlasCore.VARIABLE + " to override";
        return "OpenBLAS " + version() + ", kernel " + running + " (" + why + override + ")";
    }

    /** The OpenBLAS of the JavaCPP preset on the class path, e.g. "0.3.19", read at run time (not a compile-time constant). */
    private static String version() {
        try {
            String preset = Loader.getVersion("org.bytedeco", "openblas", org.bytedeco.openblas.global.openblas.class);
            return preset == null ? "(version unknown)" : preset.split("-")[0];
        } catch (Throwable e) {
            return "(version unknown)";
        }
    }

    private static boolean linuxX86() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return os.startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
    }

    private static String cpuinfo() {
        try {
            return Files.readString(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
