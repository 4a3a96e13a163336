package com.parchchat.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Every JSON frame type registered under {@code com.parchchat.protocol}, found by scanning the class
 * path for sealed interfaces annotated with {@link JsonSubTypes}. New packages (e.g. SFU signalling)
 * are covered by the golden-file and documentation tests without being listed anywhere.
 */
public final class FrameRegistry {

    private static final String ROOT = "com/parchchat/protocol";

    /**
     * The module's base directory. Surefire runs tests there; sources are read from it directly (not
     * from the copied class path) so a deleted golden file cannot linger in a stale build directory.
     */
    public static final Path MODULE_DIR = Paths.get(System.getProperty("basedir", ".")).toAbsolutePath().normalize();

    /** Where the golden frame files live. */
    public static final Path GOLDEN_DIR = MODULE_DIR.resolve("src/test/resources/golden");

    /** One registered frame type: its sealed interface, wire name and record class. */
    public record Frame(Class<?> family, String name, Class<?> type) {
        /** {@code <last package segment>/<interface>}, e.g. {@code signal/ClientToRelay}. */
        public String group() {
            String pkg = family.getPackageName();
            return pkg.substring(pkg.lastIndexOf('.') + 1) + "/" + family.getSimpleName();
        }

        /** This frame's golden JSON, relative to {@link #GOLDEN_DIR}. */
        public String goldenFile() {
            return group() + "/" + name + ".json";
        }

        @Override
        public String toString() {
            return group() + " " + name;
        }
    }

    private FrameRegistry() {
    }

    /** The sealed frame interfaces, sorted by package and name. */
    public static List<Class<?>> families() {
        List<Class<?>> families = new ArrayList<>();
        for (String className : classNames()) {
            Class<?> type;
            try {
                type = Class.forName(className, false, FrameRegistry.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                throw new IllegalStateException("cannot load " + className, e);
            }
            if (type.isInterface() && type.isSealed() && type.isAnnotationPresent(JsonSubTypes.class)
                    && type.isAnnotationPresent(JsonTypeInfo.class)) {
                families.add(type);
            }
        }
        families.sort(Comparator.comparing(Class::getName));
        if (families.isEmpty()) {
            throw new IllegalStateException("no frame interfaces found under " + ROOT);
        }
        return families;
    }

    /** Every registered frame type of every family. */
    public static List<Frame> frames() {
        List<Frame> frames = new ArrayList<>();
        for (Class<?> family : families()) {
            for (JsonSubTypes.Type sub : family.getAnnotation(JsonSubTypes.class).value()) {
                frames.add(new Frame(family, sub.name(), sub.value()));
            }
        }
        return Collections.unmodifiableList(frames);
    }

    private static TreeSet<String> classNames() {
        TreeSet<String> names = new TreeSet<>();
        try {
            Enumeration<URL> roots = FrameRegistry.class.getClassLoader().getResources(ROOT);
            while (roots.hasMoreElements()) {
                URL url = roots.nextElement();
                if ("file".equals(url.getProtocol())) {
                    Path base = Paths.get(url.toURI());
                    Path classpathRoot = base;
                    for (int i = 0; i < ROOT.split("/").length; i++) {
                        classpathRoot = classpathRoot.getParent();
                    }
                    Path cpRoot = classpathRoot;
                    try (Stream<Path> files = Files.walk(base)) {
                        files.filter(p -> p.toString().endsWith(".class"))
                                .map(p -> cpRoot.relativize(p).toString().replace('\\', '/'))
                                .forEach(p -> addClassName(names, p));
                    }
                } else if ("jar".equals(url.getProtocol())) {
                    JarURLConnection connection = (JarURLConnection) url.openConnection();
                    try (JarFile jar = connection.getJarFile()) {
                        Enumeration<JarEntry> entries = jar.entries();
                        while (entries.hasMoreElements()) {
                            String entry = entries.nextElement().getName();
                            if (entry.startsWith(ROOT + "/") && entry.endsWith(".class")) {
                                addClassName(names, entry);
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return names;
    }

    private static void addClassName(TreeSet<String> names, String resourcePath) {
        if (resourcePath.endsWith("module-info.class") || resourcePath.endsWith("package-info.class")) {
            return;
        }
        names.add(resourcePath.substring(0, resourcePath.length() - ".class".length()).replace('/', '.'));
    }
}
