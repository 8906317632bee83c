/**
 * Writing files so that a reader never sees half of one: {@link io.buildgpt.files.AtomicFiles} (temporary
 * file beside the target, fsync, rename keeping the previous file's permissions, stale temporaries of the
 * same target cleaned up) and the messages for folders that cannot be written. JDK only.
 */
package io.buildgpt.files;
