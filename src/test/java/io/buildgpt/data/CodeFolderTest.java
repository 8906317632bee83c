package io.buildgpt.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodeFolderTest {

    @TempDir
    Path root;

    @BeforeEach
    void writeTree() throws IOException {
        write("src/main/java/Foo.java", "class Foo {}\n");
        write("src/main/java/Bar.java", "class Bar {}"); // no final newline
        write("README.md", "# Demo\r\nline two\r\n");  // CRLF
        write("scripts/run.py", "print('hi')\n");
        write("image.png", "not really a png");
        write("big.txt", "x".repeat(500));
        write(".git/config", "[core]\n");
        write(".idea/notes.txt", "hidden folder\n");
        write(".hidden.java", "hidden file\n");
        write("target/Gen.java", "generated\n");
        write("sub/target/Gen2.java", "generated too\n");
    }

    private void write(String rel, String text) throws IOException {
        Path file = root.resolve(rel);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static List<String> paths(List<?> files) {
        return files.stream().map(f -> f instanceof CodeFile c ? c.path() : ((SkippedFile) f).path())
                .collect(Collectors.toList());
    }

    @Test
    void includesMatchingFilesInSortedOrderWithSeparators() {
        Corpus corpus = Corpus.fromCodeFolder(root, CodeFolderOptions.defaults().withMaxFileBytes(100));
        assertEquals(List.of("README.md", "scripts/run.py", "src/main/java/Bar.java", "src/main/java/Foo.java"),
                paths(corpus.files()));
        assertEquals(List.of("big.txt"), paths(corpus.skipped()));
        assertTrue(corpus.skipped().get(0).reason().contains("maxFileBytes=100"));
        assertEquals(String.join("\n",
                "// ===== README.md =====",
                "# Demo",
                "line two",
                "// ===== scripts/run.py =====",
                "print('hi')",
                "// ===== src/main/java/Bar.java =====",
                "class Bar {}",
                "// ===== src/main/java/Foo.java =====",
                "class Foo {}",
                ""), corpus.text());
        assertEquals(root.getFileName().toString(), corpus.name());
    }

    @Test
    void codeFileSpansTileTheTextAndStartAtTheirSeparator() {
        Corpus corpus = Corpus.fromCodeFolder(root, CodeFolderOptions.defaults().withMaxFileBytes(100));
        int expectedStart = 0;
        for (CodeFile f : corpus.files()) {
            assertEquals(expectedStart, f.start(), f.path());
            String span = corpus.text().substring(f.start(), f.end());
            assertTrue(span.startsWith(String.format(Corpus.FILE_SEPARATOR_FORMAT, f.path()) + "\n"), span);
            assertTrue(span.endsWith("\n"), span);
            expectedStart = f.end();
        }
        assertEquals(corpus.length(), expectedStart);
    }

    @Test
    void extensionFilterIsCaseAndDotInsensitive() {
        Corpus corpus = Corpus.fromCodeFolder(root, CodeFolderOptions.defaults().withExtensions(".JAVA"));
        assertEquals(List.of("src/main/java/Bar.java", "src/main/java/Foo.java"), paths(corpus.files()));
    }

    @Test
    void totalCapKeepsASortedPrefix() {
        // README.md is 18 bytes and run.py 12: the cap admits only the first file. Skipped files are
        // listed in the same sorted order ('R' sorts before 'b').
        Corpus corpus = Corpus.fromCodeFolder(root, CodeFolderOptions.defaults()
                .withMaxFileBytes(100).withMaxTotalBytes(25));
        assertEquals(List.of("README.md"), paths(corpus.files()));
        assertEquals(List.of("big.txt", "scripts/run.py", "src/main/java/Bar.java", "src/main/java/Foo.java"),
                paths(corpus.skipped()));
        assertTrue(corpus.skipped().get(1).reason().contains("maxTotalBytes=25 reached"));
    }

    @Test
    void nonUtf8FileIsSkippedNotFatal() throws IOException {
        Files.write(root.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9});
        Corpus corpus = Corpus.fromCodeFolder(root, CodeFolderOptions.defaults().withExtensions("txt"));
        assertEquals(List.of(), paths(corpus.files()).stream().filter(p -> p.equals("latin1.txt")).toList());
        SkippedFile skipped = corpus.skipped().stream().filter(s -> s.path().equals("latin1.txt")).findFirst()
                .orElseThrow();
        assertTrue(skipped.reason().contains("byte offset 3"), skipped.reason());
    }

    @Test
    void noMatchingFilesIsAnError() {
        CorpusException e = assertThrows(CorpusException.class,
                () -> Corpus.fromCodeFolder(root, CodeFolderOptions.defaults().withExtensions("rs")));
        assertTrue(e.getMessage().contains("No files with extensions [rs]"), e.getMessage());
        assertTrue(e.getMessage().contains("withExtensions"), e.getMessage());
    }

    @Test
    void missingFolderAndFileInsteadOfFolderAreErrors() {
        CorpusException missing = assertThrows(CorpusException.class, () -> Corpus.fromCodeFolder(root.resolve("nope")));
        assertTrue(missing.getMessage().startsWith("Folder not found: "), missing.getMessage());
        CorpusException file = assertThrows(CorpusException.class,
                () -> Corpus.fromCodeFolder(root.resolve("README.md")));
        assertTrue(file.getMessage().contains("Corpus.fromFile"), file.getMessage());
    }

    @Test
    void badOptionsNameTheBadValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CodeFolderOptions.defaults().withExtensions("ja va"));
        assertTrue(e.getMessage().contains("\"ja va\""), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CodeFolderOptions.defaults().withMaxFileBytes(0));
        assertTrue(e.getMessage().contains("maxFileBytes must be >= 1, got: 0"), e.getMessage());
    }

    @Test
    void aRootThatIsASymbolicLinkIsFollowedAndLinksInsideAreListedAsSkipped() throws IOException {
        Path link = root.resolveSibling(root.getFileName() + "-link");
        Files.createSymbolicLink(link, root);
        Files.createSymbolicLink(root.resolve("src/main/java/Linked.java"), root.resolve("src/main/java/Foo.java"));
        try {
            Corpus corpus = Corpus.fromCodeFolder(link);
            assertTrue(paths(corpus.files()).contains("src/main/java/Foo.java"), paths(corpus.files()).toString());
            SkippedFile linked = corpus.skipped().stream().filter(s -> s.path().equals("src/main/java/Linked.java")).findFirst()
                    .orElseThrow(() -> new AssertionError("the symbolic link is not in skipped(): " + corpus.skipped()));
            assertEquals("symbolic link, not followed (it may point outside the folder); copy the file into the folder if it"
                    + " belongs to the corpus", linked.reason());
        } finally {
            Files.deleteIfExists(link);
        }
    }
}
