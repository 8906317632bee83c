package io.buildgpt.data;

/**
 * The one exception type of the corpus layer. Its message always says two things: what went
 * wrong (naming the file, URL or value involved) and what to do about it, because notebook
 * users see only the message, not a stack trace they would have to read.
 */
public final class CorpusException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CorpusException(String message) {
        super(message);
    }

    public CorpusException(String message, Throwable cause) {
        super(message, cause);
    }
}
