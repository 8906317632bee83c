package io.buildgpt;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Texts for tests: a small one written here, and the real corpora of ../shared/data when they are there. */
public final class TestTexts {
    private TestTexts() {}

    /** A few hundred characters of this project's own prose, so tests run anywhere without downloads. */
    public static final String SMALL = """
            A language model reads a stream of characters and learns which one tends to come next.
            The bigram model looks only at the current character; it is the simplest model that can
            be trained at all, and it already learns that a space is often followed by a capital letter
            in a play, that q is followed by u, and that lines end with a newline.
            Training repeats one step: take a batch of windows, predict, measure the surprise, and
            nudge every weight a little in the direction that would have made the surprise smaller.
            "What a good boy!" says the trainer when the loss goes down. Why? It generalises.
            """.repeat(4);

    /** {@code ../shared/data/<name>} beside the checkout, if present. */
    public static Optional<Path> shared(String name) {
        Path p = Path.of("").toAbsolutePath().resolve("../shared/data").resolve(name).normalize();
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }
}
