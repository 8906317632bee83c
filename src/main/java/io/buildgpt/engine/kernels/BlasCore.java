package io.buildgpt.engine.kernels;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which OpenBLAS kernel ({@code OPENBLAS_CORETYPE}) suits this CPU, decided from the text of Linux's
 * {@code /proc/cpuinfo} and the user's own setting: a pure function, so it can be tested on any CPU's text.
 *
 * <p>Why: the OpenBLAS that {@code nd4j-native} brings (0.3.19, JavaCPP 1.5.7) picks its kernel from a list of
 * CPU models it knew in 2021. A newer CPU is not on the list and gets an old, generic kernel that leaves its
 * wider vector units unused, so products run far slower (as on an Intel Xeon family 6 model 207 and an AMD
 * EPYC family 26; figures in BENCHMARKS.md), and an AMD Zen 4 gets its AVX2 kernel
 * although it has AVX-512. Deciding by the CPU's instruction sets instead of its model number keeps working
 * for CPUs released after the library:
 * <ul>
 *   <li>AVX-512 (F, CD, BW, DQ, VL) → {@code SkylakeX}, Intel and AMD alike;</li>
 *   <li>AVX2 and FMA → {@code Haswell} on Intel, {@code Zen} on AMD and Hygon;</li>
 *   <li>anything older, another vendor, or no feature list (not Linux, not x86) → no choice: OpenBLAS's own
 *       detection knows CPUs of that age.</li>
 * </ul>
 * A value the user set ({@code OPENBLAS_CORETYPE} in the environment, not blank) always wins.
 */
public final class BlasCore {
    /** The environment variable OpenBLAS reads when it loads. */
    public static final String VARIABLE = "OPENBLAS_CORETYPE";

    private static final Set<String> AVX512 = Set.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl");

    /**
     * The decision.
     *
     * @param kernel the value to set, or {@code null} to leave OpenBLAS alone (user's value, or its own detection)
     * @param cpu    the CPU as one phrase, e.g. "AMD EPYC (AuthenticAMD family 26 model 2)"; "unknown CPU" if unread
     * @param reason why, in a few words, e.g. "AVX-512" or "set by OPENBLAS_CORETYPE"
     */
    public record Choice(String kernel, String cpu, String reason) {
        /** Whether the variable should be set. */
        public boolean sets() {
            return kernel != null;
        }
    }

    private BlasCore() {}

    /**
     * The kernel for the CPU described by {@code cpuinfo} (the text of {@code /proc/cpuinfo}, or {@code null} where
     * there is none), given the user's value of {@link #VARIABLE} ({@code null} when unset).
     */
    public static Choice choose(String cpuinfo, String userValue) {
        Cpu cpu = Cpu.parse(cpuinfo == null ? "" : cpuinfo);
        if (userValue != null && !userValue.isBlank())
            return new Choice(null, cpu.describe(), "set by " + VARIABLE + "=" + userValue.trim());
        if (cpu.flags.isEmpty())
            return new Choice(null, cpu.describe(), "no CPU feature list: OpenBLAS detects the CPU itself");
        boolean amd = cpu.vendor.equals("AuthenticAMD") || cpu.vendor.equals("HygonGenuine");
        boolean intel = cpu.vendor.equals("GenuineIntel");
        if (!amd && !intel)
            return new Choice(null, cpu.describe(), "vendor " + cpu.vendor + ": OpenBLAS detects the CPU itself");
        if (cpu.flags.containsAll(AVX512))
            return new Choice("SkylakeX", cpu.describe(), "AVX-512");
        if (cpu.flags.contains("avx2") && cpu.flags.contains("fma"))
            return new Choice(amd ? "Zen" : "Haswell", cpu.describe(), "AVX2 + FMA");
        return new Choice(null, cpu.describe(), "no AVX2: OpenBLAS detects the CPU itself");
    }

    /**
     * Whether the CPU described by {@code cpuinfo} has the instructions kernel {@code kernel} uses (case-insensitive;
     * kernels of older CPUs than Sandy Bridge, and any CPU without a feature list, are taken as runnable). OpenBLAS runs a
     * forced kernel without checking, and an instruction the CPU lacks stops the process.
     */
    public static boolean canRun(String kernel, String cpuinfo) {
        Set<String> flags = Cpu.parse(cpuinfo == null ? "" : cpuinfo).flags;
        if (flags.isEmpty()) return true;
        return switch (kernel.trim().toLowerCase(Locale.ROOT)) {
            case "skylakex" -> flags.containsAll(AVX512);
            case "cooperlake" -> flags.containsAll(AVX512) && flags.contains("avx512_bf16");
            case "haswell", "zen" -> flags.contains("avx2") && flags.contains("fma");
            case "sandybridge", "bulldozer", "piledriver", "steamroller", "excavator" -> flags.contains("avx");
            default -> true;
        };
    }

    /** The first processor's fields of {@code /proc/cpuinfo} that the decision reads. */
    private record Cpu(String vendor, String family, String model, String name, Set<String> flags) {
        static Cpu parse(String cpuinfo) {
            String vendor = "", family = "", model = "", name = "";
            Set<String> flags = new HashSet<>();
            for (String line : cpuinfo.split("\n")) {
                if (line.isBlank()) {
                    if (!vendor.isEmpty() || !flags.isEmpty()) break; // end of the first processor's block
                    continue;
                }
                int colon = line.indexOf(':');
                if (colon < 0) continue;
                String key = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).trim();
                switch (key) {
                    case "vendor_id" -> vendor = value;
                    case "cpu family" -> family = value;
                    case "model" -> model = value;
                    case "model name" -> name = value;
                    case "flags" -> flags.addAll(Arrays.asList(value.toLowerCase(Locale.ROOT).split("\\s+")));
                    default -> { }
                }
            }
            return new Cpu(vendor, family, model, name, flags);
        }

        String describe() {
            if (vendor.isEmpty() && name.isEmpty()) return "unknown CPU";
            String id = vendor + (family.isEmpty() ? "" : " family " + family) + (model.isEmpty() ? "" : " model " + model);
            return name.isEmpty() ? id : name + " (" + id + ")";
        }
    }
}
