package io.buildgpt.files;

import io.buildgpt.engine.GptConfig;
import io.buildgpt.engine.GptLanguageModel;
import io.buildgpt.engine.ParameterFile;
import io.buildgpt.train.AdamW;
import io.buildgpt.train.Checkpoint;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Saving where this user may not write says "access denied". Tests run as root here, where chmod does not
 * stop a write; sysfs refuses new files even to root, so {@code /sys} stands in for a read-only folder
 * (skipped where there is none).
 */
class AtomicFilesTest {
    private static final Path DENIED = Path.of("/sys");

    @Test
    void aFolderThatRefusesWritesSaysAccessDeniedEverywhere() {
        assumeTrue(Files.isDirectory(DENIED) && !Files.isWritable(DENIED.resolve("buildgpt-probe")), "no folder that refuses writes");
        Path target = DENIED.resolve("buildgpt-test.bin");
        AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> AtomicFiles.write(target, new byte[]{1}));
        assertTrue(e.getMessage().startsWith(target + ": access denied: this user may not create files in the folder /sys (read-only?)"), e.getMessage());
        assertTrue(e.getMessage().endsWith("choose a folder you can write, or change its permissions"), e.getMessage());

        GptLanguageModel model = new GptLanguageModel(new GptConfig(5, 4, 4, 1, 1, 0.0), 1);
        AccessDeniedException raw = assertThrows(AccessDeniedException.class,
                () -> ParameterFile.write(DENIED.resolve("p.params"), model.parameters()));
        assertTrue(raw.getMessage().contains("access denied: this user may not "), raw.getMessage());

        UncheckedIOException save = assertThrows(UncheckedIOException.class,
                () -> Checkpoint.save(DENIED.resolve("ckpt.bin"), model, new AdamW(model.parameters(), 1e-3), 0));
        assertTrue(save.getMessage().startsWith("could not save the checkpoint to /sys/ckpt.bin: "), save.getMessage());
        assertTrue(save.getMessage().contains("access denied: this user may not "), save.getMessage());
        assertFalse(save.getMessage().contains("check that the folder exists"), save.getMessage());
    }

    @Test
    @org.junit.jupiter.api.Timeout(120)
    void twoThreadsSavingOneCheckpointPathBothSucceedEveryRound(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("same.ckpt");
        GptLanguageModel[] models = {new GptLanguageModel(new GptConfig(5, 4, 8, 1, 1, 0.0), 1), new GptLanguageModel(new GptConfig(5, 4, 8, 1, 1, 0.0), 2)};
        AdamW[] optimizers = {new AdamW(models[0].parameters(), 1e-3), new AdamW(models[1].parameters(), 1e-3)};
        int rounds = 150;
        java.util.List<String> failures = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        for (int round = 0; round < rounds; round++) {
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
            Thread[] savers = new Thread[2];
            for (int t = 0; t < 2; t++) {
                int which = t, step = round;
                savers[t] = new Thread(() -> {
                    try {
                        start.await();
                        Checkpoint.save(file, models[which], optimizers[which], step);
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                });
                savers[t].start();
            }
            for (Thread t : savers) t.join();
            Checkpoint loaded = Checkpoint.load(file); // one of the two, whole
            assertEquals(round, loaded.step());
        }
        assertEquals(java.util.List.of(), failures.subList(0, Math.min(3, failures.size())),
                failures.size() + " of " + 2 * rounds + " saves failed");
        try (var left = Files.list(dir)) {
            assertEquals(java.util.List.of("same.ckpt"), left.map(p -> p.getFileName().toString()).toList(), "no temporary left behind");
        }
    }

    @Test
    void onlyTemporariesOfGoneProcessesAreSwept(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path target = dir.resolve("t.bin");
        long me = ProcessHandle.current().pid();
        Path mineInProgress = AtomicFiles.temporaryOf(target, me, 7);     // another thread of this process, writing now
        Path gone = AtomicFiles.temporaryOf(target, (1 << 22) + 12345, 3);  // above Linux's pid limit: no such process
        Path goneOld = AtomicFiles.temporaryOf(target, (1 << 22) + 12346); // the earlier one-per-process naming
        for (Path p : new Path[]{mineInProgress, gone, goneOld}) Files.write(p, new byte[3]);
        AtomicFiles.removeStaleTemporaries(target);
        assertTrue(Files.exists(mineInProgress), "a temporary of this (living) process is another thread's write in progress");
        assertFalse(Files.exists(gone));
        assertFalse(Files.exists(goneOld));
    }
}
