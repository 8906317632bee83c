package io.buildgpt.notebook;

import io.buildgpt.notebook.runner.Notebook;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The committed outputs come from a clean state: no output says it resumed from a checkpoint, which a fresh
 * clone (with no checkpoint in data/) would never print; the README's refresh command removes the
 * notebooks' checkpoint folder first.
 */
class CleanStateOutputsTest {
    static final Pattern RESUMED = Pattern.compile("resum(ed|ing) from", Pattern.CASE_INSENSITIVE);
    private static final Path ROOT = Path.of("").toAbsolutePath();

    @Test
    void noCommittedOutputMentionsResuming() throws IOException {
        List<String> problems = new ArrayList<>();
        try (Stream<Path> files = Files.list(ROOT.resolve("notebooks"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".ipynb")).sorted().toList()) {
                Notebook nb = Notebook.read(file);
                for (int i = 0; i < nb.cells().size(); i++) {
                    if (!"code".equals(nb.cellType(i))) continue;
                    Matcher m = RESUMED.matcher(nb.text(i));
                    if (m.find()) {
                        String text = nb.text(i);
                        int end = text.indexOf('\n', m.start());
                        problems.add(file.getFileName() + " cell " + (i + 1) + ": " + text.substring(m.start(), end < 0 ? text.length() : end));
                    }
                }
            }
        }
        assertTrue(problems.isEmpty(), "outputs made from a leftover checkpoint (a fresh clone prints something else);"
                + " refresh them with the README's command, which starts without data/checkpoints:\n" + String.join("\n", problems));
    }

    @Test
    void thePatternFindsBothFormsAndNothingElse() {
        assertTrue(RESUMED.matcher("resumed from step 9 of gpt-scaled.ckpt").find());
        assertTrue(RESUMED.matcher("Resuming from the checkpoint").find());
        assertFalse(RESUMED.matcher("no checkpoint yet: continuing the timed model from step 3").find());
    }

    @Test
    void theNotebooksKeepTheirCheckpointsInTheFolderTheRefreshCommandRemoves() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int section = readme.indexOf("## Refreshing the committed notebook outputs");
        assertTrue(section >= 0, "the README has the refresh section");
        String command = readme.substring(section, readme.indexOf("```", readme.indexOf("```bash", section) + 7));
        assertTrue(command.contains("rm -rf data/checkpoints"), "the refresh command starts without checkpoints:\n" + command);
        Pattern checkpointPath = Pattern.compile("\"(\\.\\./data/[^\"]*\\.ckpt)\"");
        try (Stream<Path> files = Files.list(ROOT.resolve("notebooks"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".ipynb")).toList()) {
                Matcher m = checkpointPath.matcher(Files.readString(file).replace("\\\"", "\""));
                while (m.find()) {
                    assertTrue(m.group(1).startsWith("../data/checkpoints/"), file.getFileName() + " saves " + m.group(1)
                            + " outside data/checkpoints/, which the refresh command does not remove");
                }
            }
        }
    }
}
