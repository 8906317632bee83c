package io.buildgpt.engine.kernels;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link BlasCore}'s decision on the {@code /proc/cpuinfo} text of CPUs of each family (first lines of each). */
class BlasCoreTest {
    private static final String BASE = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat clflush mmx fxsr "
            + "sse sse2 ht syscall nx lm constant_tsc pni pclmulqdq ssse3 cx16 sse4_1 sse4_2 popcnt aes xsave ";
    private static final String AVX2 = BASE + "avx f16c rdrand fma movbe avx2 bmi1 bmi2 ";
    private static final String AVX512 = AVX2 + "avx512f avx512dq avx512cd avx512bw avx512vl ";

    private static String cpu(String vendor, int family, int model, String name, String flags) {
        return "processor\t: 0\nvendor_id\t: " + vendor + "\ncpu family\t: " + family + "\nmodel\t\t: " + model
                + "\nmodel name\t: " + name + "\nstepping\t: 4\nflags\t\t: " + flags + "\nbogomips\t: 4000.00\n\n";
    }

    private static String kernel(String cpuinfo) {
        return BlasCore.choose(cpuinfo, null).kernel();
    }

    @Test
    void intelWithAvx512GetsSkylakeX() {
        assertEquals("SkylakeX", kernel(cpu("GenuineIntel", 6, 85, "Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz", AVX512)));
        assertEquals("SkylakeX", kernel(cpu("GenuineIntel", 6, 143, "Intel(R) Xeon(R) Platinum 8480+",
                AVX512 + "avx512_bf16 amx_bf16 amx_tile amx_int8")));
        // the CPU OpenBLAS 0.3.19 does not know (its generic kernel ran at a quarter of SkylakeX's speed)
        assertEquals("SkylakeX", kernel(cpu("GenuineIntel", 6, 207, "INTEL(R) XEON(R) PLATINUM 8581C", AVX512 + "avx512_bf16")));
    }

    @Test
    void intelWithAvx2OnlyGetsHaswell() {
        assertEquals("Haswell", kernel(cpu("GenuineIntel", 6, 151, "12th Gen Intel(R) Core(TM) i7-12700", AVX2)));
        // Knights Landing: AVX-512 F and CD but not BW, DQ, VL, which SkylakeX's kernels use
        assertEquals("Haswell", kernel(cpu("GenuineIntel", 6, 87, "Intel(R) Xeon Phi(TM) CPU 7210",
                AVX2 + "avx512f avx512pf avx512er avx512cd")));
    }

    @Test
    void amdZen2And3GetZenAndZen4And5GetSkylakeX() {
        assertEquals("Zen", kernel(cpu("AuthenticAMD", 23, 49, "AMD EPYC 7742 64-Core Processor", AVX2)));
        assertEquals("Zen", kernel(cpu("AuthenticAMD", 25, 1, "AMD EPYC 7763 64-Core Processor", AVX2)));
        assertEquals("SkylakeX", kernel(cpu("AuthenticAMD", 25, 17, "AMD EPYC 9654 96-Core Processor", AVX512 + "avx512_bf16")));
        BlasCore.Choice zen5 = BlasCore.choose(cpu("AuthenticAMD", 26, 2, "AMD EPYC", AVX512 + "avx512_bf16 avx512_vp2intersect"), null);
        assertEquals("SkylakeX", zen5.kernel());
        assertEquals("AMD EPYC (AuthenticAMD family 26 model 2)", zen5.cpu());
        assertEquals("AVX-512", zen5.reason());
    }

    @Test
    void olderCpusAreLeftToOpenBlas() {
        BlasCore.Choice sandyBridge = BlasCore.choose(cpu("GenuineIntel", 6, 45, "Intel(R) Xeon(R) CPU E5-2670 0 @ 2.60GHz",
                BASE + "avx"), null);
        assertFalse(sandyBridge.sets());
        assertTrue(sandyBridge.reason().contains("no AVX2"), sandyBridge.reason());
        assertNull(kernel(cpu("CentaurHauls", 7, 59, "ZHAOXIN KaiXian KX-U6780A", AVX2)));
    }

    @Test
    void noFeatureListMeansNoChoice() {
        assertNull(kernel(null));
        assertEquals("unknown CPU", BlasCore.choose(null, null).cpu());
        assertNull(kernel("processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32\n"
                + "CPU implementer\t: 0x41\n\n"));
    }

    @Test
    void aValueTheUserSetWins() {
        String zen5 = cpu("AuthenticAMD", 26, 2, "AMD EPYC", AVX512);
        BlasCore.Choice user = BlasCore.choose(zen5, "Haswell");
        assertFalse(user.sets());
        assertEquals("set by OPENBLAS_CORETYPE=Haswell", user.reason());
        // an empty value is not a choice (OpenBLAS 0.3.19 would read "" as a kernel name and pick one by accident)
        assertEquals("SkylakeX", BlasCore.choose(zen5, " ").kernel());
    }

    @Test
    void aKernelNeedsTheInstructionsItUses() {
        String zen3 = cpu("AuthenticAMD", 25, 1, "AMD EPYC 7763 64-Core Processor", AVX2);
        assertTrue(BlasCore.canRun("Haswell", zen3));
        assertFalse(BlasCore.canRun("SkylakeX", zen3));
        String icelake = cpu("GenuineIntel", 6, 106, "Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz", AVX512);
        assertTrue(BlasCore.canRun("skylakex", icelake));
        assertFalse(BlasCore.canRun("Cooperlake", icelake));
        assertFalse(BlasCore.canRun("Haswell", cpu("GenuineIntel", 6, 45, "Intel(R) Xeon(R) CPU E5-2670", BASE + "avx")));
        assertTrue(BlasCore.canRun("Prescott", cpu("GenuineIntel", 6, 45, "Intel(R) Xeon(R) CPU E5-2670", BASE + "avx")));
    }

    @Test
    void onlyTheFirstProcessorIsRead() {
        String two = cpu("GenuineIntel", 6, 151, "first", AVX2) + cpu("GenuineIntel", 6, 85, "second", AVX512);
        BlasCore.Choice choice = BlasCore.choose(two, null);
        assertEquals("Haswell", choice.kernel());
        assertTrue(choice.cpu().startsWith("first"), choice.cpu());
    }
}
