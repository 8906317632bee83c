package io.buildgpt.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusTest {

    @TempDir
    Path dir;

    @Test
    void fromFileGivesTextAndStats() throws IOException {
        Path file = dir.resolve("tiny.txt");
        Files.writeString(file, "hello world\n", StandardCharsets.UTF_8);
        Corpus corpus = Corpus.fromFile(file);
        assertEquals("tiny", corpus.name());
        assertEquals(12, corpus.length());
        assertEquals("\n dehlorw", corpus.distinctChars());
        assertEquals("hello", corpus.preview(5));
        assertEquals("hello world\n", corpus.preview(100));
        CorpusStats stats = corpus.stats();
        assertEquals(new CorpusStats("tiny", 12, 9, "from the file tiny.txt"), stats);
        assertEquals("tiny: 12 chars, 9 distinct (from the file tiny.txt)", stats.toString(), "no folder of this machine");
        assertEquals(file.toAbsolutePath().toString(), corpus.source(), "messages keep the full path");
        assertEquals(stats.toString(), corpus.toString());
    }

    @Test
    void lengthCountsJavaCharsAndPreviewKeepsSurrogatePairsWhole() {
        Corpus corpus = Corpus.fromText("emoji", "a\uD83D\uDE00b"); // a😀b
        assertEquals(4, corpus.length());
        assertEquals("a", corpus.preview(2));
        assertEquals("a\uD83D\uDE00", corpus.preview(3));
        assertThrows(IllegalArgumentException.class, () -> corpus.preview(-1));
    }

    @Test
    void statsPrintThousandsSeparators() {
        CorpusStats stats = new CorpusStats("tinyshakespeare", 1_115_394, 65, "tinyshakespeare.txt from the cache");
        assertEquals("tinyshakespeare: 1,115,394 chars, 65 distinct (tinyshakespeare.txt from the cache)",
                stats.toString());
    }

    @Test
    void byteOrderMarkIsDropped() throws IOException {
        Path file = dir.resolve("bom.txt");
        Files.write(file, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'h', 'i'});
        assertEquals("hi", Corpus.fromFile(file).text());
    }

    @Test
    void corruptUtf8NamesFileAndByteOffset() throws IOException {
        Path file = dir.resolve("latin1.txt");
        Files.write(file, "caf\u00e9 au lait".getBytes(StandardCharsets.ISO_8859_1)); // é = 0xE9 at offset 3
        CorpusException e = assertThrows(CorpusException.class, () -> Corpus.fromFile(file));
        String msg = e.getMessage();
        assertTrue(msg.contains(file.toAbsolutePath().toString()), msg);
        assertTrue(msg.contains("not valid UTF-8"), msg);
        assertTrue(msg.contains("byte offset 3"), msg);
        assertTrue(msg.contains("0xE9"), msg);
    }

    @Test
    void missingFileNamesPathAndFix() {
        Path file = dir.resolve("nope.txt");
        CorpusException e = assertThrows(CorpusException.class, () -> Corpus.fromFile(file));
        assertTrue(e.getMessage().startsWith("File not found: " + file.toAbsolutePath()), e.getMessage());
        assertTrue(e.getMessage().contains("place the file there"), e.getMessage());
    }

    @Test
    void folderGivenAsFilePointsToFromCodeFolder() {
        CorpusException e = assertThrows(CorpusException.class, () -> Corpus.fromFile(dir));
        assertTrue(e.getMessage().contains("fromCodeFolder"), e.getMessage());
    }

    @Test
    void emptyOrBlankFileIsRejected() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.txt"), "");
        Path blank = Files.writeString(dir.resolve("blank.txt"), " \n\t\n");
        assertTrue(assertThrows(CorpusException.class, () -> Corpus.fromFile(empty)).getMessage().contains("is empty"));
        assertTrue(assertThrows(CorpusException.class, () -> Corpus.fromFile(blank)).getMessage()
                .contains("only whitespace"));
    }

    @Test
    void unknownNameListsKnownNames() {
        CorpusOptions offline = new CorpusOptions(dir, dir, DownloadConfig.defaults());
        CorpusException e = assertThrows(CorpusException.class, () -> Corpus.named("shakespeare", offline));
        assertTrue(e.getMessage().contains("'shakespeare'"), e.getMessage());
        assertTrue(e.getMessage().contains("tinyshakespeare, gibran-the-prophet"), e.getMessage());
    }

    @Test
    void localDirIsUsedWithoutNetworkAndNamesAreCaseInsensitive() throws IOException {
        Files.writeString(dir.resolve("gibran-the-prophet.txt"), "THE PROPHET\n\nAlmustafa.\n");
        CorpusOptions offline = new CorpusOptions(dir.resolve("cache"), dir, DownloadConfig.defaults());
        Corpus corpus = Corpus.named(" Gibran-The-Prophet ", offline);
        assertEquals("gibran-the-prophet", corpus.name());
        assertEquals("THE PROPHET\n\nAlmustafa.\n", corpus.text());
        assertTrue(Files.notExists(dir.resolve("cache")), "the local folder must not trigger the cache");
    }

    @Test
    void localDirIsChecksumVerified() throws IOException {
        Files.writeString(dir.resolve("tinyshakespeare.txt"), "First Citizen:\nnot quite the original\n");
        CorpusOptions offline = new CorpusOptions(dir, dir, DownloadConfig.defaults());
        CorpusException e = assertThrows(CorpusException.class, () -> Corpus.named("tinyshakespeare", offline));
        assertTrue(e.getMessage().contains("Checksum mismatch"), e.getMessage());
        assertTrue(e.getMessage().contains(NamedCorpora.TINY_SHAKESPEARE.sha256()), e.getMessage());
    }

    @Test
    void localDirWithoutTheFileSaysWhereToPutIt() {
        CorpusOptions offline = new CorpusOptions(dir, dir, DownloadConfig.defaults());
        CorpusException e = assertThrows(CorpusException.class, () -> Corpus.named("gibran-the-prophet", offline));
        assertTrue(e.getMessage().contains(dir.resolve("gibran-the-prophet.txt").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("BUILDGPT_CORPUS_DIR"), e.getMessage());
    }

    @Test
    void optionsComeFromPropertyThenEnvironment() throws IOException {
        Path project = Files.createDirectories(dir.resolve("project"));
        Files.writeString(project.resolve("pom.xml"), "<project/>");
        Path notebooks = Files.createDirectories(project.resolve("notebooks"));
        Map<String, String> props = Map.of(CorpusOptions.DIR_PROPERTY, "../shared-a");
        Map<String, String> env = Map.of(CorpusOptions.DIR_ENV, "/elsewhere");

        CorpusOptions both = CorpusOptions.resolve(props::get, env::get, notebooks);
        assertEquals(project.resolve("data"), both.dataDir());
        assertEquals(project.resolve("shared-a"), both.localDir());

        CorpusOptions envOnly = CorpusOptions.resolve(k -> null, env::get, notebooks);
        assertEquals(Path.of("/elsewhere").toAbsolutePath(), envOnly.localDir());

        CorpusOptions none = CorpusOptions.resolve(k -> null, k -> null, notebooks);
        assertEquals(null, none.localDir());
    }

    @Test
    void dataDirFallsBackToWorkingDirWithoutPom() {
        Path noPom = dir.resolve("a/b");
        // A pom.xml could sit above the temp dir on some machines; then walking up is right too.
        Path found = CorpusOptions.findDataDir(noPom);
        assertTrue(found.equals(noPom.toAbsolutePath().resolve("data")) || found.getParent().resolve("pom.xml")
                .toFile().isFile(), found.toString());
    }

    @Test
    void configsRejectBadValuesNamingThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DownloadConfig.defaults().withMaxBytes(0));
        assertTrue(e.getMessage().contains("maxBytes") && e.getMessage().contains("got: 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> DownloadConfig.defaults().withReadTimeout(java.time.Duration.ZERO));
        assertTrue(e.getMessage().contains("readTimeout"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new CorpusSource("Bad Name",
                java.net.URI.create("https://example.org/x"), null, CorpusSource.Format.PLAIN));
        assertTrue(e.getMessage().contains("Bad Name"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new CorpusSource("ok",
                java.net.URI.create("ftp://example.org/x"), null, CorpusSource.Format.PLAIN));
        assertTrue(e.getMessage().contains("ftp://example.org/x"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new CorpusSource("ok",
                java.net.URI.create("https://example.org/x"), "abc", CorpusSource.Format.PLAIN));
        assertTrue(e.getMessage().contains("abc"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new CodeFile("a.java", 5, 2));
        assertTrue(e.getMessage().contains("start=5"), e.getMessage());
    }

    @Test
    void openTakesANameOrAPath() throws IOException {
        Path file = Files.writeString(dir.resolve("mine.txt"), "my own text\n", StandardCharsets.UTF_8);
        assertEquals("mine", Corpus.open(file.toString()).name());
        CorpusException e = assertThrows(CorpusException.class, () -> Corpus.open("shakespear"));
        assertTrue(e.getMessage().contains("tinyshakespeare"), e.getMessage());
        CorpusException missing = assertThrows(CorpusException.class, () -> Corpus.open(dir.resolve("nope.txt").toString()));
        assertTrue(missing.getMessage().contains("nope.txt"), missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Corpus.open(" "));
    }

    @Test
    void rarestCharsListsTheOddOnesOutWithTheirCounts() {
        Corpus corpus = Corpus.fromText("scan", "the the the\nth\u25A0 tbe");
        assertEquals("'\\n' (U+000A) x1, 'b' (U+0062) x1, '\u25A0' (U+25A0) x1, ' ' (U+0020) x3".replace("' '", "'space'"),
                corpus.rarestChars(4), "rarest first, ties in code point order");
        assertThrows(IllegalArgumentException.class, () -> corpus.rarestChars(0));
    }
}
