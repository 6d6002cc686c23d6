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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Generates Hako's bindings: reads {@code bindings.list}, probes each architecture's C
 * compiler and writes Java sources. Run through {@code bindings/generate}.
 *
 * <pre>
 * Generator [--list FILE] [--out DIR] [--arch x86_64,aarch64] [--work DIR]
 * </pre>
 *
 * <p>Without {@code --arch} it generates every architecture whose compiler is installed
 * and says which it skipped. The architecture-neutral classes come from the first probed
 * architecture; when several are probed, their field and constant types must agree.
 */
public final class Generator {

    private Generator() {
    }

    /** What to generate. */
    public record Options(Path list, Path out, List<String> arches, Path work) {
    }

    /** Entry point for {@code bindings/generate}. */
    public static void main(String[] args) throws IOException {
        Path list = Path.of(JavaEmitter.LIST);
        Path out = Path.of("bindings/src/generated/java");
        List<String> arches = null;
        Path work = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--list" -> list = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--arch" -> arches = List.of(args[++i].split(","));
                case "--work" -> work = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: Generator [--list FILE] [--out DIR] [--arch x86_64,aarch64] [--work DIR]");
                    System.exit(2);
                }
            }
        }
        if (arches == null) {
            arches = new ArrayList<>();
            for (String arch : JavaEmitter.ARCHES) {
                if (compilerFor(arch).isPresent()) {
                    arches.add(arch);
                } else {
                    System.err.println("skipping " + arch + ": no compiler found (" + compilerNames(arch)
                            + "); on Debian install gcc-" + arch.replace('_', '-') + "-linux-gnu");
                }
            }
        }
        for (Map.Entry<Path, String> file : generate(new Options(list, out, arches, work)).entrySet()) {
            System.out.println("wrote " + file.getKey());
        }
    }

    /**
     * Generates the sources and writes them under {@code options.out()}.
     *
     * @return the files written, with their contents
     */
    public static Map<Path, String> generate(Options options) throws IOException {
        Map<Path, String> files = render(options);
        for (Map.Entry<Path, String> file : files.entrySet()) {
            Files.createDirectories(file.getKey().getParent());
            Files.writeString(file.getKey(), file.getValue());
        }
        return files;
    }

    /** Renders the sources without writing them: path under {@code options.out()} to content. */
    public static Map<Path, String> render(Options options) throws IOException {
        if (options.arches().isEmpty()) {
            throw new IllegalStateException("no architecture to generate: no C compiler found");
        }
        BindingsList list = BindingsList.read(options.list());
        Path work = options.work() != null ? options.work() : Files.createTempDirectory("hako-bindings-");
        Files.createDirectories(work);
        List<Result> results = new ArrayList<>();
        for (String arch : options.arches()) {
            String compiler = compilerFor(arch).orElseThrow(() -> new IllegalStateException(
                    "no C compiler for " + arch + " (looked for " + compilerNames(arch) + ")"));
            results.add(new Probe(arch, compiler, work).run(list));
        }
        for (Result other : results.subList(1, results.size())) {
            checkAgreement(results.getFirst(), other);
        }
        Path dir = options.out().resolve(JavaEmitter.PACKAGE.replace('.', '/'));
        Map<Path, String> files = new LinkedHashMap<>();
        for (Result result : results) {
            files.put(dir.resolve(JavaEmitter.archClassName(result.arch()) + ".java"), JavaEmitter.archClass(result));
        }
        Result first = results.getFirst();
        files.put(dir.resolve(JavaEmitter.HEADER_CLASS + ".java"), JavaEmitter.headerClass(first, list.functions()));
        for (StructInfo struct : first.structs()) {
            files.put(dir.resolve(struct.struct().javaName() + ".java"), JavaEmitter.structClass(struct));
        }
        files.putAll(SyscallTableEmitter.render(options.list(), options.arches(), work, dir));
        return files;
    }

    /** The neutral classes are written once, so every architecture must give the same Java types. */
    private static void checkAgreement(Result a, Result b) {
        List<String> problems = new ArrayList<>();
        Map<String, Integer> sizes = new LinkedHashMap<>();
        for (Constant constant : a.constants()) {
            sizes.put(constant.name(), constant.size() == 8 ? 8 : 4);
        }
        for (Constant constant : b.constants()) {
            Integer size = sizes.get(constant.name());
            if (size == null || size != (constant.size() == 8 ? 8 : 4)) {
                problems.add("constant " + constant.name());
            }
        }
        for (int s = 0; s < a.structs().size(); s++) {
            StructInfo x = a.structs().get(s);
            StructInfo y = b.structs().get(s);
            for (int f = 0; f < x.fields().size(); f++) {
                FieldInfo fx = x.fields().get(f);
                FieldInfo fy = y.fields().get(f);
                if (fx.size() != fy.size() || fx.elementSize() != fy.elementSize()) {
                    problems.add(x.struct().javaName() + "." + fx.field().javaName());
                }
            }
        }
        if (!a.errnoNames().equals(b.errnoNames())) {
            problems.add("errno names");
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException(a.arch() + " and " + b.arch() + " disagree on Java types of " + problems);
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
