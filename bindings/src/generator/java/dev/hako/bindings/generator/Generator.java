package dev.hako.bindings.generator;

import dev.hako.bindings.generator.Probe.Constant;
import dev.hako.bindings.generator.Probe.FieldInfo;
import dev.hako.bindings.generator.Probe.Result;
import dev.hako.bindings.generator.Probe.StructInfo;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Generates Hako's bindings: reads {@code bindings.list}, probes each architecture's C
 * compiler and writes Java sources. Run through {@code bindings/generate}.
 *
 * <pre>
 * Generator [--list FILE] [--out DIR] [--typed-out DIR] [--work DIR]
 * </pre>
 *
 * <p>Every supported architecture is probed, so a compiler for each must be installed:
 * which values are shared and which differ is only known from all of them. The
 * architecture-neutral classes take their names and types from the first architecture;
 * every other one must agree on names and Java types.
 */
public final class Generator {

    private Generator() {
    }

    /**
     * What to generate.
     *
     * @param list     the bindings list
     * @param out      source root for the bindings module ({@code dev.hako.bindings})
     * @param typedOut source root for the typed enums of the syscalls module ({@code dev.hako.syscalls})
     * @param arches   the architectures to probe (all of {@link JavaEmitter#ARCHES})
     * @param work     directory for the probe's files, or null for a temporary one
     */
    public record Options(Path list, Path out, Path typedOut, List<String> arches, Path work) {
    }

    /** Entry point for {@code bindings/generate}. */
    public static void main(String[] args) throws IOException {
        Path list = Path.of(JavaEmitter.LIST);
        Path out = Path.of("bindings/src/generated/java");
        Path typedOut = Path.of("syscalls/src/generated/java");
        Path work = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--list" -> list = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--typed-out" -> typedOut = Path.of(args[++i]);
                case "--work" -> work = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: Generator [--list FILE] [--out DIR] [--typed-out DIR] [--work DIR]");
                    System.exit(2);
                }
            }
        }
        List<String> missing = new ArrayList<>();
        for (String arch : JavaEmitter.ARCHES) {
            if (compilerFor(arch).isEmpty()) {
                missing.add(arch + " (looked for " + compilerNames(arch) + "; on Debian install gcc-"
                        + arch.replace('_', '-') + "-linux-gnu)");
            }
        }
        if (!missing.isEmpty()) {
            System.err.println("no C compiler for " + String.join(", ", missing)
                    + ": every architecture is probed, to know which values they share");
            System.exit(1);
        }
        Options options = new Options(list, out, typedOut, JavaEmitter.ARCHES, work);
        Map<Path, String> files = render(options, result -> System.out.println(result.arch() + ": Linux UAPI headers "
                + result.kernelHeaders() + ", glibc " + result.glibc() + ", gcc " + result.compilerVersion()));
        write(files);
        for (Path file : files.keySet()) {
            System.out.println("wrote " + file);
        }
    }

    /**
     * Generates the sources and writes them under {@code options.out()} and
     * {@code options.typedOut()}.
     *
     * @return the files written, with their contents
     */
    public static Map<Path, String> generate(Options options) throws IOException {
        Map<Path, String> files = render(options, result -> { });
        write(files);
        return files;
    }

    private static void write(Map<Path, String> files) throws IOException {
        for (Map.Entry<Path, String> file : files.entrySet()) {
            Files.createDirectories(file.getKey().getParent());
            Files.writeString(file.getKey(), file.getValue());
        }
    }

    /** Renders the sources without writing them: path to content. */
    public static Map<Path, String> render(Options options) throws IOException {
        return render(options, result -> { });
    }

    /**
     * Renders the sources; {@code toolchain} sees each architecture's probe result, so the
     * caller can report the compiler and header versions that the sources do not record.
     */
    static Map<Path, String> render(Options options, Consumer<Result> toolchain) throws IOException {
        if (!new HashSet<>(options.arches()).containsAll(JavaEmitter.ARCHES)) {
            throw new IllegalStateException("every architecture of " + JavaEmitter.ARCHES
                    + " must be probed to know which values they share; asked for " + options.arches());
        }
        if (options.work() != null) {
            Files.createDirectories(options.work());
            return render(options, toolchain, options.work());
        }
        // A work directory of our own holds only the probes' scratch files: remove it after.
        Path work = Files.createTempDirectory("hako-bindings-");
        try {
            return render(options, toolchain, work);
        } finally {
            try (var tree = Files.walk(work)) {
                for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    private static Map<Path, String> render(Options options, Consumer<Result> toolchain, Path work)
            throws IOException {
        BindingsList list = BindingsList.read(options.list());
        List<Result> results = new ArrayList<>();
        for (String arch : options.arches()) {
            String compiler = compilerFor(arch).orElseThrow(() -> new IllegalStateException(
                    "no C compiler for " + arch + " (looked for " + compilerNames(arch) + ")"));
            Result result = new Probe(arch, compiler, work).run(list);
            toolchain.accept(result);
            results.add(result);
        }
        for (Result other : results.subList(1, results.size())) {
            checkAgreement(results.getFirst(), other);
        }
        JavaEmitter.Shared shared = JavaEmitter.Shared.of(results);
        Path dir = options.out().resolve(JavaEmitter.PACKAGE.replace('.', '/'));
        Map<Path, String> files = new LinkedHashMap<>();
        for (Result result : results) {
            files.put(dir.resolve(JavaEmitter.archClassName(result.arch()) + ".java"), JavaEmitter.archClass(result, shared));
        }
        Result first = results.getFirst();
        files.put(dir.resolve(JavaEmitter.HEADER_CLASS + ".java"), JavaEmitter.headerClass(first, shared, list.functions()));
        for (int i = 0; i < first.structs().size(); i++) {
            int index = i;
            List<StructInfo> perArch = results.stream().map(r -> r.structs().get(index)).toList();
            String name = first.structs().get(i).struct().javaName();
            files.put(dir.resolve(name + ".java"), JavaEmitter.structClass(perArch, shared.structs().contains(name)));
        }
        Path typedDir = options.typedOut().resolve(EnumEmitter.PACKAGE.replace('.', '/'));
        for (BindingsList.TypedEnum typed : list.enums()) {
            files.put(typedDir.resolve(typed.javaName() + ".java"), EnumEmitter.enumClass(typed, first.constants()));
        }
        files.putAll(SyscallTableEmitter.render(options.list(), options.arches(), work, dir));
        return files;
    }

    /** The neutral classes are written once, so every architecture must give the same names and Java types. */
    private static void checkAgreement(Result a, Result b) {
        List<String> problems = new ArrayList<>();
        List<String> namesA = a.constants().stream().map(Constant::name).toList();
        List<String> namesB = b.constants().stream().map(Constant::name).toList();
        if (!namesA.equals(namesB)) {
            List<String> onlyA = new ArrayList<>(namesA);
            onlyA.removeAll(namesB);
            List<String> onlyB = new ArrayList<>(namesB);
            onlyB.removeAll(namesA);
            problems.add("the constants' names (only " + a.arch() + ": " + onlyA + ", only " + b.arch() + ": " + onlyB
                    + ")");
        }
        Map<String, Integer> sizes = new LinkedHashMap<>();
        for (Constant constant : a.constants()) {
            sizes.put(constant.name(), constant.size() == 8 ? 8 : 4);
        }
        for (Constant constant : b.constants()) {
            Integer size = sizes.get(constant.name());
            if (size == null || size != (constant.size() == 8 ? 8 : 4)) {
                problems.add("the Java type of constant " + constant.name());
            }
        }
        for (int s = 0; s < a.structs().size(); s++) {
            StructInfo x = a.structs().get(s);
            StructInfo y = b.structs().get(s);
            for (int f = 0; f < x.fields().size(); f++) {
                FieldInfo fx = x.fields().get(f);
                FieldInfo fy = y.fields().get(f);
                if (fx.size() != fy.size() || fx.elementSize() != fy.elementSize()) {
                    problems.add("the Java type of " + x.struct().javaName() + "." + fx.field().javaName());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException(a.arch() + " and " + b.arch() + " disagree on " + problems);
        }
    }

    /** The C compiler that targets {@code arch}, if one is installed. */
    public static Optional<String> compilerFor(String arch) {
        for (String name : compilerNames(arch)) {
            if (onPath(name)) {
                return Optional.of(name);
            }
        }
        return Optional.empty();
    }

    private static List<String> compilerNames(String arch) {
        List<String> names = new ArrayList<>(List.of(arch + "-linux-gnu-gcc"));
        String host = System.getProperty("os.arch");
        boolean native_ = arch.equals("x86_64") ? host.equals("amd64") || host.equals("x86_64")
                : host.equals("aarch64") || host.equals("arm64");
        if (native_) {
            names.add("gcc");
            names.add("cc");
        }
        return names;
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
