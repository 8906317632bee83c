package io.buildgpt.notebook.runner;

import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Turns a value from notebook code into a Jupyter MIME bundle (the "data" of an output).
 *
 * <p>Library types are recognised by class name and called reflectively: the runner must not depend on
 * them, and the notebook's classes live in another class loader anyway.
 */
final class MimeRenderer {
    private static final String TABLESAW_TABLE = "tech.tablesaw.api.Table";
    private static final String TABLESAW_RELATION = "tech.tablesaw.table.Relation";

    private MimeRenderer() {
    }

    static Map<String, Object> render(Object value) {
        Map<String, Object> data = new LinkedHashMap<>();
        if (value instanceof RenderedImage image) {
            // java.awt classes come from the boot layer, so the notebook's BufferedImage is this one.
            data.put("image/png", png(image));
            data.put("text/plain", Outputs.lines(imageText(image)));
        } else if (isTablesaw(value)) {
            data.put("text/plain", Outputs.lines(printTable(value)));
        } else {
            data.put("text/plain", Outputs.lines(String.valueOf(value)));
        }
        return data;
    }

    /**
     * An image's own {@code toString()} where its class writes one (the project's charts say what they
     * show), as JJava does; otherwise "&lt;BufferedImage 7x5&gt;", since the JDK's text holds a hash code
     * that would differ on every run.
     */
    private static String imageText(RenderedImage image) {
        try {
            if (!image.getClass().getMethod("toString").getDeclaringClass().getName().startsWith("java.")) {
                return image.toString();
            }
        } catch (NoSuchMethodException e) {
            // every class has toString(): not reached
        }
        return "<%s %dx%d>".formatted(image.getClass().getSimpleName(), image.getWidth(), image.getHeight());
    }

    private static String png(RenderedImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", bytes)) {
                throw new IllegalStateException("ImageIO has no PNG writer for " + image);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode an image as PNG", e);
        }
        // Jupyter stores base64 PNGs as one string ending in a newline.
        return Base64.getEncoder().encodeToString(bytes.toByteArray()) + "\n";
    }

    private static boolean isTablesaw(Object value) {
        if (value == null) {
            return false;
        }
        for (Class<?> c = value.getClass(); c != null; c = c.getSuperclass()) {
            if (c.getName().equals(TABLESAW_TABLE) || c.getName().equals(TABLESAW_RELATION)) {
                return true;
            }
        }
        return false;
    }

    private static String printTable(Object table) {
        try {
            return String.valueOf(table.getClass().getMethod("print").invoke(table));
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("Tablesaw print() failed: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            // No public print(): fall back to what any object shows.
            return String.valueOf(table);
        }
    }
}
