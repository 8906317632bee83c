package io.buildgpt.engine;

import java.io.IOException;

/**
 * A checkpoint file or folder that cannot be used as it is: a truncated or inconsistent safetensors file,
 * a missing key or file, a wrong dtype or shape, an architecture this project does not implement. The
 * message names the file (or folder) and the problem; nothing from such a file is kept.
 */
public final class CheckpointException extends IOException {
    public CheckpointException(String message) {
        super(message);
    }
}
