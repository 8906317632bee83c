package io.buildgpt.data;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One phrase for why the data folder could not be written: access denied, a file where a folder should be, or the JDK's words. */
final class WriteFailures {
    private WriteFailures() {
    }

    static String describe(Path folder, IOException e) {
        if (e instanceof AccessDeniedException) {
            return "access denied: this user may not create files in " + folder;
        }
        for (Path p = folder.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p) && !Files.isDirectory(p)) {
                return p + " is a file, not a folder, so nothing can be saved under it";
            }
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason() + (f.getFile() != null ? " (" + f.getFile() + ")" : "");
        }
        return e.toString();
    }
}
