package io.buildgpt.notebook.runner;

import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jdk.jshell.execution.LoaderDelegate;
import jdk.jshell.spi.ExecutionControl.ClassBytecodes;
import jdk.jshell.spi.ExecutionControl.ClassInstallException;
import jdk.jshell.spi.ExecutionControl.InternalException;

/**
 * Loads snippet classes and %classpath jars into one loader whose parent is the PLATFORM class loader.
 * Like a Jupyter kernel, notebook code sees the JDK and what the notebook adds, never the runner's own
 * class path.
 */
final class SnippetLoaderDelegate implements LoaderDelegate, AutoCloseable {
    private final SnippetClassLoader loader = new SnippetClassLoader();

    ClassLoader classLoader() {
        return loader;
    }

    @Override
    public void load(ClassBytecodes[] classes) throws ClassInstallException {
        for (ClassBytecodes c : classes) {
            loader.declare(c.name(), c.bytecodes());
        }
        boolean[] installed = new boolean[classes.length];
        for (int i = 0; i < classes.length; i++) {
            try {
                loader.loadClass(classes[i].name());
                installed[i] = true;
            } catch (ClassNotFoundException | LinkageError e) {
                throw new ClassInstallException("cannot load snippet class " + classes[i].name() + ": " + e, installed);
            }
        }
    }

    @Override
    public void classesRedefined(ClassBytecodes[] classes) {
        // Keep the newest bytes so a class loaded later gets the redefined version.
        for (ClassBytecodes c : classes) {
            loader.declare(c.name(), c.bytecodes());
        }
    }

    @Override
    public void addToClasspath(String path) throws InternalException {
        for (String element : path.split(File.pathSeparator)) {
            if (element.isBlank()) {
                continue;
            }
            try {
                loader.addURL(Path.of(element).toAbsolutePath().toUri().toURL());
            } catch (MalformedURLException e) {
                throw new InternalException("bad class path element " + element + ": " + e.getMessage());
            }
        }
    }

    @Override
    public Class<?> findClass(String name) throws ClassNotFoundException {
        return Class.forName(name, false, loader);
    }

    @Override
    public void close() throws IOException {
        loader.close();
    }

    /** A URLClassLoader that also defines the in-memory classes JShell compiles. */
    private static final class SnippetClassLoader extends URLClassLoader {
        static {
            registerAsParallelCapable();
        }

        private final Map<String, byte[]> snippetClasses = new ConcurrentHashMap<>();

        SnippetClassLoader() {
            super("notebook", new URL[0], ClassLoader.getPlatformClassLoader());
        }

        void declare(String name, byte[] bytes) {
            snippetClasses.put(name, bytes);
        }

        @Override
        protected void addURL(URL url) {
            super.addURL(url);
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] bytes = snippetClasses.get(name);
            if (bytes != null) {
                return defineClass(name, bytes, 0, bytes.length);
            }
            return super.findClass(name);
        }
    }
}
