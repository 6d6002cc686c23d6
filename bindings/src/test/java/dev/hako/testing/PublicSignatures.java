package dev.hako.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the public API of one Hako module names: every public or protected member (and
 * supertype, type bound, thrown exception) of the types in the packages its
 * {@code module-info} exports to everyone, and the ones among them that name a type a
 * module-path user of that module cannot read. Readable are the JDK's exported packages,
 * the module's own unqualified exports and those of the modules it requires transitively;
 * not readable is, e.g., {@code dev.hako.bindings} behind a plain {@code requires}, or an
 * unexported engine package.
 *
 * <p>The tests run on the class path, so the descriptors are read from the compiled
 * {@code module-info.class} of each class-path entry rather than from a module layer.
 *
 * @param members every member examined, as {@code Type.member}, so a test can show the check
 *                was not vacuous
 * @param leaks   one line per member that names an unreadable type, naming both
 */
public record PublicSignatures(List<String> members, List<String> leaks) {

    /** The public signatures of the module whose classes include {@code anyClass}. */
    public static PublicSignatures ofModuleOf(Class<?> anyClass) {
        Path location = location(anyClass);
        ModuleDescriptor module = descriptor(location);
        if (module == null) {
            throw new IllegalStateException(location + " has no module-info.class");
        }
        Map<String, ModuleDescriptor> onClassPath = classPathModules();
        Set<String> readable = new HashSet<>();
        collectReadable(module, onClassPath, readable, new HashSet<>());
        List<Class<?>> types = new ArrayList<>();
        for (ModuleDescriptor.Exports export : module.exports()) {
            if (!export.isQualified()) {
                types.addAll(classesIn(location, export.source(), anyClass.getClassLoader()));
            }
        }
        return of(types, type -> readable.contains(type.getPackageName()) || readableJdkType(type),
                module.name());
    }

    /**
     * The signatures of {@code types} (those of them that a user can see), with
     * {@code readable} deciding which named types are fine; {@code user} names the module in
     * the leak messages.
     */
    public static PublicSignatures of(List<Class<?>> types, Predicate<Class<?>> readable, String user) {
        List<String> members = new ArrayList<>();
        Set<String> leaks = new TreeSet<>();
        for (Class<?> type : types) {
            if (!visible(type)) {
                continue;
            }
            String owner = type.getName();
            Map<String, List<Type>> named = new HashMap<>();
            List<Type> header = new ArrayList<>();
            if (type.getGenericSuperclass() != null) {
                header.add(type.getGenericSuperclass());
            }
            header.addAll(Arrays.asList(type.getGenericInterfaces()));
            for (TypeVariable<?> variable : type.getTypeParameters()) {
                header.addAll(Arrays.asList(variable.getBounds()));
            }
            named.put(owner + " (its supertypes and type parameters)", header);
            for (Field field : type.getDeclaredFields()) {
                if (exposed(field.getModifiers()) && !field.isSynthetic()) {
                    named.put(owner + "." + field.getName(), List.of(field.getGenericType()));
                }
            }
            for (Constructor<?> constructor : type.getDeclaredConstructors()) {
                if (exposed(constructor.getModifiers()) && !constructor.isSynthetic()) {
                    named.put(owner + "." + signature(constructor), executableTypes(constructor));
                }
            }
            for (Method method : type.getDeclaredMethods()) {
                if (exposed(method.getModifiers()) && !method.isSynthetic() && !method.isBridge()) {
                    List<Type> used = new ArrayList<>(executableTypes(method));
                    used.add(method.getGenericReturnType());
                    named.put(owner + "." + signature(method), used);
                }
            }
            for (Map.Entry<String, List<Type>> member : named.entrySet()) {
                members.add(member.getKey());
                Set<Class<?>> classes = new HashSet<>();
                member.getValue().forEach(t -> collect(t, classes));
                for (Class<?> used : classes) {
                    if (!used.isPrimitive() && !readable.test(used)) {
                        leaks.add(member.getKey() + " names " + used.getName() + ", which a module-path user of "
                                + user + " cannot read");
                    }
                }
            }
        }
        members.sort(null);
        return new PublicSignatures(List.copyOf(members), List.copyOf(leaks));
    }

    private static boolean exposed(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    /** A public top-level type, or a public/protected member type of a visible type. */
    private static boolean visible(Class<?> type) {
        if (type.isAnonymousClass() || type.isLocalClass() || type.isSynthetic()) {
            return false;
        }
        Class<?> enclosing = type.getDeclaringClass();
        return enclosing == null ? Modifier.isPublic(type.getModifiers())
                : exposed(type.getModifiers()) && visible(enclosing);
    }

    private static List<Type> executableTypes(Executable executable) {
        List<Type> types = new ArrayList<>(Arrays.asList(executable.getGenericParameterTypes()));
        types.addAll(Arrays.asList(executable.getGenericExceptionTypes()));
        for (TypeVariable<?> variable : executable.getTypeParameters()) {
            types.addAll(Arrays.asList(variable.getBounds()));
        }
        return types;
    }

    private static String signature(Executable executable) {
        String name = executable instanceof Constructor<?> ? "<init>" : executable.getName();
        return name + Arrays.stream(executable.getParameterTypes()).map(Class::getSimpleName)
                .collect(Collectors.joining(", ", "(", ")"));
    }

    private static void collect(Type type, Set<Class<?>> into) {
        switch (type) {
            case Class<?> c when c.isArray() -> collect(c.getComponentType(), into);
            case Class<?> c -> into.add(c);
            case ParameterizedType p -> {
                collect(p.getRawType(), into);
                if (p.getOwnerType() != null) {
                    collect(p.getOwnerType(), into);
                }
                for (Type argument : p.getActualTypeArguments()) {
                    collect(argument, into);
                }
            }
            case GenericArrayType a -> collect(a.getGenericComponentType(), into);
            case WildcardType w -> {
                Stream.of(w.getUpperBounds()).forEach(t -> collect(t, into));
                Stream.of(w.getLowerBounds()).forEach(t -> collect(t, into));
            }
            default -> { } // a type variable: its bounds are checked where it is declared
        }
    }

    private static boolean readableJdkType(Class<?> type) {
        Module module = type.getModule();
        return module.isNamed() && module.getLayer() == ModuleLayer.boot()
                && module.getName().startsWith("java.") && module.isExported(type.getPackageName());
    }

    /** The unqualified exports of {@code module} and, recursively, of what it requires transitively. */
    private static void collectReadable(ModuleDescriptor module, Map<String, ModuleDescriptor> onClassPath,
            Set<String> readable, Set<String> seen) {
        if (!seen.add(module.name())) {
            return;
        }
        module.exports().stream().filter(e -> !e.isQualified()).forEach(e -> readable.add(e.source()));
        for (ModuleDescriptor.Requires requires : module.requires()) {
            if (requires.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE)) {
                ModuleDescriptor required = onClassPath.get(requires.name());
                if (required != null) {
                    collectReadable(required, onClassPath, readable, seen);
                } else if (!requires.name().startsWith("java.")) {
                    throw new IllegalStateException(module.name() + " requires transitive " + requires.name()
                            + ", which is not on the test class path");
                }
            }
        }
    }

    private static Map<String, ModuleDescriptor> classPathModules() {
        Map<String, ModuleDescriptor> modules = new HashMap<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            ModuleDescriptor descriptor = descriptor(Path.of(entry));
            if (descriptor != null) {
                modules.putIfAbsent(descriptor.name(), descriptor);
            }
        }
        return modules;
    }

    private static ModuleDescriptor descriptor(Path entry) {
        try {
            if (Files.isDirectory(entry)) {
                Path info = entry.resolve("module-info.class");
                if (!Files.exists(info)) {
                    return null;
                }
                try (InputStream in = Files.newInputStream(info)) {
                    return ModuleDescriptor.read(in);
                }
            }
            if (Files.isRegularFile(entry) && entry.toString().endsWith(".jar")) {
                try (JarFile jar = new JarFile(entry.toFile())) {
                    var info = jar.getJarEntry("module-info.class");
                    if (info == null) {
                        return null;
                    }
                    try (InputStream in = jar.getInputStream(info)) {
                        return ModuleDescriptor.read(in);
                    }
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Class<?>> classesIn(Path location, String pkg, ClassLoader loader) {
        if (!Files.isDirectory(location)) {
            throw new IllegalStateException(location + ": expected the module's compiled classes directory");
        }
        Path directory = location.resolve(pkg.replace('.', '/'));
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(".class") && !name.equals("package-info.class")) {
                    String className = pkg + "." + name.substring(0, name.length() - ".class".length());
                    classes.add(Class.forName(className, false, loader));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        return classes;
    }
}
