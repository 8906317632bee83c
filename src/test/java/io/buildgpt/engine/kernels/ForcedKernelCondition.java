package io.buildgpt.engine.kernels;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * For the build's runs of the numeric tests under a forced OpenBLAS kernel (pom.xml, surefire executions
 * {@code kernel-*}, which set {@code OPENBLAS_CORETYPE} and the system property {@code buildgpt.forcedKernel}):
 * skips them where this CPU lacks the kernel's instructions (OpenBLAS would run it anyway and the JVM would die),
 * and fails them where the library runs another kernel than the one forced, so a pass really is that kernel's.
 * Registered through JUnit's extension auto-detection, which only those executions switch on.
 */
public final class ForcedKernelCondition implements ExecutionCondition {
    private static volatile String checked;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String forced = System.getProperty("buildgpt.forcedKernel");
        if (forced == null || forced.isBlank()) return ConditionEvaluationResult.enabled("no kernel forced");
        String cpuinfo;
        try {
            cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
        } catch (IOException | RuntimeException e) {
            return ConditionEvaluationResult.disabled("no /proc/cpuinfo: cannot tell whether kernel " + forced + " runs here");
        }
        if (!BlasCore.canRun(forced, cpuinfo))
            return ConditionEvaluationResult.disabled("this CPU lacks the instructions of OpenBLAS kernel " + forced);
        if (checked == null) {
            String running = BlasSetup.runningKernel();
            if (!running.equalsIgnoreCase(forced))
                throw new IllegalStateException("OpenBLAS runs kernel " + running + ", not the forced " + forced
                        + ": is " + BlasCore.VARIABLE + "=" + forced + " in this JVM's environment?");
            checked = running;
        }
        return ConditionEvaluationResult.enabled("OpenBLAS kernel " + checked);
    }
}
