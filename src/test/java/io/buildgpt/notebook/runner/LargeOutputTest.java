package io.buildgpt.notebook.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Output is collected in time linear in its size, and a cell's saved output keeps its first and last
 * characters with a note saying how much was left out between them.
 */
class LargeOutputTest {
    @TempDir
    Path folder;

    @Test
    @Timeout(180)
    void twentyMegabytesPrintedLineByLineFinishQuicklyAndAreSavedCutWithANote() throws Exception {
        RunnerLimitsTest.notebook(folder, "big.ipynb",
                "for (int i = 0; i < 200_000; i++) {\n    System.out.println(\"line \" + i + \" \" + \"x\".repeat(90));\n}",
                "System.out.println(\"after\");");
        long start = System.nanoTime();
        // the old code copied all earlier text for each line: minutes for this cell; the cell limit stops it
        TestFixtures.CliResult result = TestFixtures.runCli(folder, "--cell-timeout", "60", "--out", "out.ipynb", "big.ipynb");
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(0, result.exitCode(), result.stderr());
        assertTrue(seconds < 60, "took " + seconds + " s");

        StringBuilder full = new StringBuilder();
        for (int i = 0; i < 200_000; i++) {
            full.append("line ").append(i).append(' ').append("x".repeat(90)).append('\n');
        }
        assertTrue(full.length() > 20_000_000, "printed " + full.length());
        int head = OutputRecorder.HEAD_CHARS;
        int tail = OutputRecorder.TAIL_CHARS;
        String kept = full.substring(0, head);
        String expected = kept + (kept.endsWith("\n") ? "" : "\n")
                + String.format(java.util.Locale.ROOT, "[... output cut: %,d characters left out here; the saved notebook"
                        + " keeps the first %,d and the last %,d characters of a cell's output ...]\n",
                        full.length() - head - tail, head, tail)
                + full.substring(full.length() - tail);
        Notebook saved = Notebook.read(folder.resolve("out.ipynb"));
        assertEquals(expected, saved.stream(0, "stdout"));
        assertEquals("after\n", saved.text(1), "the limit is per cell");
        assertTrue(Files.size(folder.resolve("out.ipynb")) < 2 * (head + tail), "saved " + Files.size(folder.resolve("out.ipynb")));
    }

    @Test
    void theCutKeepsTheOrderOfStreamsAndStartsAgainAfterADisplay() {
        OutputRecorder recorder = new OutputRecorder(10, 8);
        List<Map<String, Object>> outputs = new ArrayList<>();
        recorder.startCell(outputs);
        recorder.stream("stdout", "0123456789abc\n"); // 10 kept, "abc\n" goes to the tail
        recorder.stream("stderr", "E1\n");
        recorder.stream("stdout", "tail!\n");         // the tail keeps "1\n" + "tail!\n": 5 characters left out
        recorder.display("shown");
        recorder.stream("stdout", "more text\n");     // after the display: a new tail, 2 left out
        recorder.finishCell();

        assertEquals(List.of("stream", "stream", "stream", "display_data", "stream"),
                outputs.stream().map(o -> o.get("output_type")).toList());
        assertEquals(List.of("0123456789\n", "[... output cut: 5 characters left out here; the saved notebook keeps the"
                + " first 10 and the last 8 characters of a cell's output ...]\n"), outputs.get(0).get("text"));
        assertEquals(Map.of("name", "stderr", "output_type", "stream", "text", List.of("1\n")), outputs.get(1));
        assertEquals(List.of("tail!\n"), outputs.get(2).get("text"));
        assertEquals(List.of("[... output cut: 2 characters left out here; the saved notebook keeps the first 10 and the"
                + " last 8 characters of a cell's output ...]\n", "re text\n"), outputs.get(4).get("text"));

        String note = "[... output cut: %d characters left out here; the saved notebook keeps the first 10 and the last 8"
                + " characters of a cell's output ...]\n";
        List<Map<String, Object>> next = new ArrayList<>();
        recorder.startCell(next);
        recorder.stream("stdout", "012345678\uD83D\uDE00bcdefghij"); // the emoji straddles the head's end: not split
        recorder.finishCell();
        assertEquals("012345678\n" + String.format(note, 3) + "cdefghij", Outputs.joined(next.get(0).get("text")));

        next = new ArrayList<>();
        recorder.startCell(next);
        recorder.stream("stdout", "0123456789");
        recorder.stream("stdout", "\uD83D\uDE00abcdefg"); // the emoji straddles the tail's start: not split
        recorder.finishCell();
        assertEquals("0123456789\n" + String.format(note, 2) + "abcdefg", Outputs.joined(next.get(0).get("text")));
    }
}
