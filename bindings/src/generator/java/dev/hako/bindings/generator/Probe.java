package dev.hako.bindings.generator;

import dev.hako.bindings.generator.BindingsList.Field;
import dev.hako.bindings.generator.BindingsList.FieldKind;
import dev.hako.bindings.generator.BindingsList.Selection;
import dev.hako.bindings.generator.BindingsList.Struct;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks a C compiler for one architecture what the listed names mean, without running
 * anything it builds: the probe is compiled to assembly and the initialised data read back.
 * That is what makes aarch64 values obtainable with a cross compiler on x86_64.
 */
final class Probe {

    /** A probed integer constant: its value and the size in bytes of its C type. */
    record Constant(String name, long value, int size) {
    }

    /** A probed struct field. */
    record FieldInfo(Field field, long offset, long size, long align, boolean signed, long elementSize) {
        long count() {
            return size / elementSize;
        }
    }

    /** A probed struct. */
    record StructInfo(Struct struct, long size, long align, List<FieldInfo> fields) {
    }

    /** Everything one architecture's compiler said. */
    record Result(String arch, String compilerVersion, String kernelHeaders, String glibc,
                  List<Constant> constants, Map<Integer, String> errnoNames,
                  Map<String, Long> syscalls, List<StructInfo> structs) {
    }

    private static final Pattern DEFINE = Pattern.compile("^#define ([A-Za-z_][A-Za-z0-9_]*) (.*)$");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern LABEL = Pattern.compile("^(hako_[A-Za-z0-9_]+):$");

    private final String arch;
    private final String compiler;
    private final Path workDir;

    Probe(String arch, String compiler, Path workDir) {
        this.arch = arch;
        this.compiler = compiler;
        this.workDir = workDir;
    }

    Result run(BindingsList list) throws IOException {
        Map<String, String> aliasOf = new LinkedHashMap<>();
        List<String> constantNames = constantNames(list, aliasOf);
        List<String> errnoNames = expand(list.errno(), aliasOf);

        StringBuilder c = new StringBuilder();
        c.append("/* Hako bindings probe: compiled to assembly, never run. */\n");
        c.append("#define _GNU_SOURCE\n#include <stddef.h>\n#include <linux/version.h>\n");
        for (String include : list.includes()) {
            c.append("#include ").append(include).append('\n');
        }
        c.append("""
                #ifdef LINUX_VERSION_SUBLEVEL
                const long long hako_version[] = { LINUX_VERSION_MAJOR, LINUX_VERSION_PATCHLEVEL, LINUX_VERSION_SUBLEVEL, __GLIBC__, __GLIBC_MINOR__ };
                #else
                const long long hako_version[] = { LINUX_VERSION_CODE >> 16, (LINUX_VERSION_CODE >> 8) & 255, LINUX_VERSION_CODE & 255, __GLIBC__, __GLIBC_MINOR__ };
                #endif
                const char hako_compiler[] = __VERSION__;
                """);
        for (String name : constantNames) {
            c.append("const long long hako_c_").append(name).append("[] = { (long long)(").append(name)
                    .append("), sizeof(").append(name).append(") };\n");
        }
        for (String name : list.syscalls()) {
            c.append("const long long hako_n_").append(name).append("[] = { SYS_").append(name).append(" };\n");
        }
        for (Struct struct : list.structs()) {
            String t = struct.cType();
            c.append("const long long hako_s_").append(struct.javaName()).append("[] = { sizeof(").append(t)
                    .append("), _Alignof(").append(t).append(")");
            for (Field field : struct.fields()) {
                String member = "((" + t + "*)0)->" + field.cPath();
                String element = field.kind() == FieldKind.ARRAY ? member + "[0]" : member;
                String signed = field.kind() == FieldKind.POINTER ? "0" : "((__typeof__(" + element + "))-1 < 0)";
                c.append(",\n    offsetof(").append(t).append(", ").append(field.cPath()).append("), sizeof(")
                        .append(member).append("), __alignof__(").append(member).append("), ").append(signed)
                        .append(", sizeof(").append(element).append(")");
            }
            c.append(" };\n");
        }
        Map<String, List<String>> data = compile(c.toString(), "probe");

        List<Long> version = numbers(data, "hako_version");
        String kernelHeaders = version.get(0) + "." + version.get(1) + "." + version.get(2);
        String glibc = version.get(3) + "." + version.get(4);
        String compilerVersion = string(data, "hako_compiler");

        List<Constant> constants = new ArrayList<>();
        for (String name : constantNames) {
            List<Long> pair = numbers(data, "hako_c_" + name);
            constants.add(new Constant(name, pair.get(0), pair.get(1).intValue()));
        }
        Map<Integer, String> errno = new TreeMap<>();
        for (String name : errnoNames) {
            if (aliasOf.containsKey(name)) {
                continue;
            }
            int value = numbers(data, "hako_c_" + name).get(0).intValue();
            String previous = errno.putIfAbsent(value, name);
            if (previous != null) {
                throw new IllegalStateException(arch + ": errno " + value + " is both " + previous + " and " + name
                        + " and neither is defined as the other; mark one as an alias in the headers' terms");
            }
        }
        Map<String, Long> syscalls = new LinkedHashMap<>();
        for (String name : list.syscalls()) {
            syscalls.put(name, numbers(data, "hako_n_" + name).get(0));
        }
        List<StructInfo> structs = new ArrayList<>();
        for (Struct struct : list.structs()) {
            List<Long> n = numbers(data, "hako_s_" + struct.javaName());
            List<FieldInfo> fields = new ArrayList<>();
            for (int i = 0; i < struct.fields().size(); i++) {
                int base = 2 + i * 5;
                long offset = n.get(base);
                fields.add(new FieldInfo(struct.fields().get(i), offset, n.get(base + 1),
                        effectiveAlignment(n.get(base + 2), n.get(1), offset), n.get(base + 3) != 0, n.get(base + 4)));
            }
            structs.add(new StructInfo(struct, n.get(0), n.get(1), List.copyOf(fields)));
        }
        return new Result(arch, compilerVersion, kernelHeaders, glibc, List.copyOf(constants),
                errno, syscalls, List.copyOf(structs));
    }

    /**
     * A member reached through a union inside a packed struct reports its type's alignment,
     * not the packed one (epoll_event.data on x86_64 sits at offset 4 but says 8); the
     * struct's own alignment and the member's offset bound what is really guaranteed.
     */
    private static long effectiveAlignment(long member, long struct, long offset) {
        long align = Math.min(member, struct);
        return offset == 0 ? align : Math.min(align, Long.lowestOneBit(offset));
    }

    /**
     * The constant names in list order, patterns expanded (sorted) and duplicates dropped;
     * then the errno names and the C names of enum constants not selected already.
     */
    private List<String> constantNames(BindingsList list, Map<String, String> aliasOf) throws IOException {
        Set<String> names = new LinkedHashSet<>();
        for (Selection selection : list.constants()) {
            names.addAll(expand(selection, aliasOf));
        }
        names.addAll(expand(list.errno(), aliasOf));
        // An enum's constants are read through Linux, so they are constants too.
        for (BindingsList.TypedEnum typed : list.enums()) {
            for (BindingsList.EnumConstant constant : typed.constants()) {
                names.add(constant.cName());
            }
        }
        return List.copyOf(names);
    }

    private List<String> expand(Selection selection, Map<String, String> aliasOf) throws IOException {
        if (!selection.isPattern()) {
            return selection.names();
        }
        String source = "#define _GNU_SOURCE\n#include " + selection.header() + "\n";
        Path file = workDir.resolve("macros.c");
        Files.writeString(file, source);
        String out = exec(List.of(compiler, "-dM", "-E", file.toString()), "listing macros of " + selection.header());
        List<String> names = new ArrayList<>();
        for (String line : out.split("\n")) {
            Matcher define = DEFINE.matcher(line);
            if (define.matches() && selection.pattern().matcher(define.group(1)).matches()) {
                String name = define.group(1);
                String body = define.group(2).trim();
                if (IDENTIFIER.matcher(body).matches() && !body.equals(name)) {
                    aliasOf.put(name, body);
                }
                names.add(name);
            }
        }
        if (names.isEmpty()) {
            throw new IllegalStateException(arch + ": no macro of " + selection.header() + " matches /"
                    + selection.pattern() + "/");
        }
        names.sort(null);
        return names;
    }

    /** Compiles C source to assembly and returns the data directives under each hako_ label. */
    private Map<String, List<String>> compile(String source, String name) throws IOException {
        Path c = workDir.resolve(name + "-" + arch + ".c");
        Path s = workDir.resolve(name + "-" + arch + ".s");
        Files.writeString(c, source);
        exec(List.of(compiler, "-S", "-O0", "-w", "-o", s.toString(), c.toString()), "compiling the probe " + c);
        Map<String, List<String>> data = new LinkedHashMap<>();
        List<String> current = null;
        for (String raw : Files.readAllLines(s)) {
            String line = raw.trim();
            Matcher label = LABEL.matcher(line);
            if (label.matches()) {
                current = new ArrayList<>();
                data.put(label.group(1), current);
            } else if (line.endsWith(":") || line.startsWith(".size") || line.startsWith(".globl") || line.startsWith(".global")
                    || line.startsWith(".section") || line.startsWith(".text") || line.startsWith(".ident")) {
                current = null;
            } else if (current != null && line.startsWith(".")) {
                current.add(line);
            }
        }
        return data;
    }

    private List<Long> numbers(Map<String, List<String>> data, String label) {
        List<String> directives = data.get(label);
        if (directives == null) {
            throw new IllegalStateException(arch + ": the probe's assembly has no data for " + label);
        }
        List<Long> values = new ArrayList<>();
        for (String directive : directives) {
            String[] parts = directive.split("\\s+", 2);
            switch (parts[0]) {
                case ".quad", ".xword", ".8byte", ".dword" -> values.add(parseLong(parts[1].trim()));
                case ".zero", ".skip", ".space" -> {
                    long bytes = Long.parseLong(parts[1].trim());
                    if (bytes % 8 != 0) {
                        throw new IllegalStateException(arch + ": odd zero fill in " + label + ": " + directive);
                    }
                    for (long i = 0; i < bytes / 8; i++) {
                        values.add(0L);
                    }
                }
                case ".align", ".p2align", ".balign", ".type" -> { }
                default -> throw new IllegalStateException(arch + ": unexpected directive in " + label + ": " + directive);
            }
        }
        return values;
    }

    private static long parseLong(String text) {
        return text.startsWith("-") ? Long.parseLong(text) : Long.parseUnsignedLong(text);
    }

    private String string(Map<String, List<String>> data, String label) {
        for (String directive : data.getOrDefault(label, List.of())) {
            if (directive.startsWith(".string") || directive.startsWith(".ascii")) {
                String quoted = directive.substring(directive.indexOf('"') + 1, directive.lastIndexOf('"'));
                return quoted.replace("\\000", "");
            }
        }
        throw new IllegalStateException(arch + ": the probe's assembly has no string " + label);
    }

    private String exec(List<String> command, String what) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        try {
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IOException(arch + ": " + what + " timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(arch + ": interrupted while " + what, e);
        }
        String text = new String(output, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IOException(arch + ": " + what + " failed (" + String.join(" ", command) + "):\n" + text);
        }
        return text;
    }
}
