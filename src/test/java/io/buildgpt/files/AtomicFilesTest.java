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
}
