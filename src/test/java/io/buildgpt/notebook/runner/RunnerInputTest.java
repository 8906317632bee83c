package io.buildgpt.notebook.runner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Careless input gets one clear message naming the file and the fix, and nothing runs or is written. */
class RunnerInputTest {
    @TempDir
    Path folder;

    @Test
    void aSourceThatIsNotTextIsRefusedNamingTheCell() throws Exception {
        Files.writeString(folder.resolve("number.ipynb"), "{\"cells\": [{\"cell_type\": \"code\", \"source\": \"int a;\","
                + " \"metadata\": {}, \"outputs\": []}, {\"cell_type\": \"code\", \"source\": 42, \"metadata\": {},"
                + " \"outputs\": []}], \"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 5}");
        TestFixtures.CliResult result = TestFixtures.runCli(folder, "number.ipynb");
        assertEquals(1, result.exitCode());
        assertEquals("notebook number.ipynb: " + folder.resolve("number.ipynb")
                + ": cell 2: source must be a string or a list of strings, not a number (was the file edited by hand?)\n",
                result.stderr());

        IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class, () -> Notebook.parse(
                "{\"cells\": [{\"cell_type\": \"markdown\", \"source\": [\"a\\n\", 7], \"metadata\": {}}]}"));
        assertEquals("cell 1: source must be a string or a list of strings, not a list holding a number"
                + " (was the file edited by hand?)", mixed.getMessage());
    }

    @Test
    void inPlaceRefusesAReadOnlyNotebookBeforeRunningIt() throws Exception {
        Path file = RunnerLimitsTest.notebook(folder, "ro.ipynb",
                "java.nio.file.Files.writeString(java.nio.file.Path.of(\"ran.txt\"), \"ran\");");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
        byte[] before = Files.readAllBytes(file);
        TestFixtures.CliResult result = TestFixtures.runCli(folder, "--in-place", "ro.ipynb");
        assertEquals(1, result.exitCode());
        assertEquals("notebook ro.ipynb: --in-place would replace ro.ipynb, but the file is read-only (r--r--r--);"
                + " make it writable (chmod u+w ro.ipynb) or write the result elsewhere with --out\n", result.stderr());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertFalse(Files.exists(folder.resolve("ran.txt")), "a notebook that cannot be written is not run");
    }

    @Test
    void aNotebookInUtf16OrUtf32WithoutAByteOrderMarkIsNamed() throws Exception {
        String json = Files.readString(RunnerLimitsTest.notebook(folder, "fr.ipynb", "String s = \"été\";"));
        Files.write(folder.resolve("le.ipynb"), json.getBytes(StandardCharsets.UTF_16LE));
        Files.write(folder.resolve("be.ipynb"), json.getBytes(StandardCharsets.UTF_16BE));
        Files.write(folder.resolve("utf32.ipynb"), json.getBytes(Charset.forName("UTF-32LE")));
        TestFixtures.CliResult result = TestFixtures.runCli(folder, "le.ipynb", "be.ipynb", "utf32.ipynb");
        assertEquals(1, result.exitCode());
        String fix = ", but notebooks are UTF-8: convert it, e.g. iconv -f %s -t UTF-8, or save it again from Jupyter";
        assertTrue(result.stderr().contains("le.ipynb is UTF-16LE without a byte-order mark (it has NUL bytes: every"
                + " other byte is 0)" + String.format(fix, "UTF-16LE")), result.stderr());
        assertTrue(result.stderr().contains("be.ipynb is UTF-16BE without a byte-order mark (it has NUL bytes: every"
                + " other byte is 0)" + String.format(fix, "UTF-16BE")), result.stderr());
        assertTrue(result.stderr().contains("utf32.ipynb is UTF-32LE without a byte-order mark (it has NUL bytes: three"
                + " bytes in four are 0)" + String.format(fix, "UTF-32LE")), result.stderr());
        assertFalse(result.stderr().contains("invalid JSON"), result.stderr());
    }

    @Test
    void aFileWithNulBytesIsNotTakenForJson() throws Exception {
        String json = Files.readString(RunnerLimitsTest.notebook(folder, "ok.ipynb", "int a = 1;"));
        Files.writeString(folder.resolve("nul.ipynb"), json.substring(0, 20) + "\0" + json.substring(20));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Notebook.read(folder.resolve("nul.ipynb")));
        assertEquals(folder.resolve("nul.ipynb") + " has a NUL byte at offset 20, so it is not UTF-8 text; notebooks are"
                + " UTF-8 JSON: is it a notebook at all?", e.getMessage());
    }

    @Test
    void aFolderGivenAsTheNotebookIsNamedAsAFolder() throws Exception {
        Files.createDirectories(folder.resolve("notebooks"));
        TestFixtures.CliResult result = TestFixtures.runCli(folder, "notebooks", "missing.ipynb");
        assertEquals(1, result.exitCode());
        assertEquals("notebook notebooks: is a folder, not a notebook; give the .ipynb files, e.g. notebooks/*.ipynb\n"
                + "notebook missing.ipynb: no such file\n", result.stderr());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Notebook.read(folder));
        assertEquals(folder + " is a folder, not a notebook; give a .ipynb file", e.getMessage());
    }
}
