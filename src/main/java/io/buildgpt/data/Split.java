package io.buildgpt.data;

/** Which part of the data a batch comes from. */
public enum Split {
    /** The first part, the model learns from it. */
    TRAIN,
    /** The held-out end of the text, to see whether the model generalises or memorises. */
    VAL
}
