package dev.hako.bindings.generator;

import dev.hako.bindings.generator.BindingsList.Selection;
import dev.hako.bindings.generator.Probe.Constant;
import dev.hako.bindings.generator.Probe.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The {@code syscalltable} directive: every syscall a header defines for an architecture,
 * name and number, as one class per architecture ({@code SyscallTable_x86_64}), read
 * through the hand-written {@code SyscallTable}. A seccomp filter must know every number of
 * its architecture, not only the calls the project makes, which is what {@code syscall}
 * lists.
 *
 * <pre>
 * syscalltable &lt;asm/unistd.h&gt; [except NAME...]
 * </pre>
 *
 * <p>Every {@code __NR_name} macro of the header becomes an entry, except the names after
 * {@code except} (macros that are not syscalls, such as {@code __NR_syscalls}, a count).
 * The values come from the same probe as the constants: compiled to assembly for each
 * architecture, never run. The class also carries the architecture's
 * {@code AUDIT_ARCH_<ARCH>} value from {@code <linux/audit.h>}, which seccomp filters compare
 * with {@code seccomp_data.arch}.
 */
final class SyscallTableEmitter {

    static final String DIRECTIVE = "syscalltable";
    private static final String PREFIX = "__NR_";
    private static final Pattern MACRO = Pattern.compile("^__NR_[a-z0-9_]+$");

    private SyscallTableEmitter() {
    }

    /** The generated class for {@code arch}. */
    static String className(String arch) {
        return "SyscallTable_" + arch;
    }

    /** One {@code syscalltable} line: the header and the macro names that are not syscalls. */
    record Table(String header, Set<String> except) {
    }

    /** The {@code syscalltable} lines of the list (each on one line). */
    static List<Table> read(Path list) throws IOException {
        List<Table> tables = new ArrayList<>();
        for (String raw : Files.readAllLines(list)) {
            String line = raw.strip();
            if (!line.startsWith(DIRECTIVE + " ")) {
                continue;
            }
            String[] words = line.substring(DIRECTIVE.length()).strip().split("\\s+");
            if (!words[0].startsWith("<") || (words.length > 1 && !words[1].equals("except"))) {
                throw new IllegalArgumentException("expected 'syscalltable <header> [except NAME...]': " + line);
            }
            tables.add(new Table(words[0], Set.of(java.util.Arrays.copyOfRange(words, Math.min(2, words.length),
                    words.length))));
        }
        if (tables.size() > 1) {
            throw new IllegalArgumentException("the list has more than one 'syscalltable' line");
        }
        return tables;
    }

    /** Renders one class per architecture into {@code dir}, or nothing when the list has no table. */
    static Map<Path, String> render(Path list, List<String> arches, Path work, Path dir) throws IOException {
        Map<Path, String> files = new LinkedHashMap<>();
        for (Table table : read(list)) {
            for (String arch : arches) {
                String compiler = Generator.compilerFor(arch).orElseThrow();
                files.put(dir.resolve(className(arch) + ".java"), emit(arch, table, new Probe(arch, compiler, work)));
            }
        }
        return files;
    }

    private static String emit(String arch, Table table, Probe probe) throws IOException {
        String audit = "AUDIT_ARCH_" + arch.toUpperCase(Locale.ROOT);
        // The probe of the constants does the work: <unistd.h> brings glibc's version macros.
        BindingsList query = new BindingsList(List.of("<unistd.h>", table.header(), "<linux/audit.h>"),
                List.of(new Selection(List.of(), MACRO, table.header()), new Selection(List.of(audit), null, null)),
                new Selection(List.of(), null, null), List.of(), List.of(), List.of(), List.of());
        Result result = probe.run(query);
        TreeMap<Long, String> byNumber = new TreeMap<>();
        long auditArch = 0;
        for (Constant constant : result.constants()) {
            if (constant.name().equals(audit)) {
                auditArch = constant.value();
                continue;
            }
            String name = constant.name().substring(PREFIX.length());
            if (table.except().contains(name)) {
                continue;
            }
            String previous = byNumber.put(constant.value(), name);
            if (previous != null) {
                throw new IllegalStateException(arch + ": syscall number " + constant.value() + " is both " + previous
                        + " and " + name + "; add the one that is not a syscall to 'except'");
            }
        }
        StringBuilder out = new StringBuilder();
        out.append("// Generated by ").append(JavaEmitter.COMMAND).append(" from ").append(JavaEmitter.LIST)
                .append(". Do not edit.\n");
        // No header or compiler versions: the table itself says what the headers held.
        out.append("// Syscall table for ").append(arch).append(": every __NR_ macro of ").append(table.header())
                .append(".\n");
        out.append("package ").append(JavaEmitter.PACKAGE).append(";\n\n");
        out.append("/** Every syscall {@code ").append(table.header()).append("} defines for ").append(arch)
                .append(", in number order; read through {@link SyscallTable}. */\n");
        out.append("final class ").append(className(arch)).append(" {\n\n");
        out.append("    private ").append(className(arch)).append("() {\n    }\n\n");
        out.append("    static final String SOURCE = \"").append(table.header()).append(" of the Linux UAPI headers\";\n\n");
        out.append("    static final int AUDIT_ARCH = 0x").append(Long.toHexString(auditArch)).append(";\n\n");
        out.append("    static final String[] NAMES = {");
        int i = 0;
        for (String name : byNumber.values()) {
            out.append(i++ % 6 == 0 ? "\n        " : " ").append('"').append(name).append("\",");
        }
        out.append("\n    };\n\n    static final int[] NUMBERS = {");
        i = 0;
        for (long number : byNumber.keySet()) {
            out.append(i++ % 12 == 0 ? "\n        " : " ").append(number).append(',');
        }
        out.append("\n    };\n}\n");
        return out.toString();
    }
}
