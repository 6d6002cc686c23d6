package dev.hako.bindings.generator;

import dev.hako.bindings.generator.BindingsList.FieldKind;
import dev.hako.bindings.generator.BindingsList.Function;
import dev.hako.bindings.generator.Probe.Constant;
import dev.hako.bindings.generator.Probe.FieldInfo;
import dev.hako.bindings.generator.Probe.Result;
import dev.hako.bindings.generator.Probe.StructInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes Java in jextract's shape from probe results.
 *
 * <p>Three kinds of file: one architecture-neutral header class ({@code Linux}: constants,
 * syscall numbers, errno names, function holders), one class per struct, and one values
 * class per architecture ({@code Linux_x86_64}) holding only what differs between
 * architectures. A value every architecture agrees on is written once, in the neutral
 * class; the others are selected once, in static initialisers, so the JIT sees constants.
 *
 * <p>Nothing about the toolchain (compiler, glibc or header versions) is written: the
 * output depends only on the list and the values the headers give, so regenerating on a
 * newer point release of the same headers changes nothing.
 */
final class JavaEmitter {

    static final String PACKAGE = "dev.hako.bindings";
    static final String HEADER_CLASS = "Linux";
    static final String COMMAND = "bindings/generate";
    static final String LIST = "bindings/src/generator/bindings.list";
    static final List<String> ARCHES = List.of("x86_64", "aarch64");

    private JavaEmitter() {
    }

    /**
     * What every probed architecture agrees on, by name: such values are written once, in
     * the neutral classes, and left out of the per-architecture ones.
     */
    record Shared(Set<String> constants, Set<String> syscalls, boolean errnoNames, Set<String> structs) {

        static Shared of(List<Result> results) {
            Result first = results.getFirst();
            Set<String> constants = new HashSet<>();
            for (Constant constant : first.constants()) {
                if (results.stream().allMatch(r -> r.constants().contains(constant))) {
                    constants.add(constant.name());
                }
            }
            Set<String> syscalls = new HashSet<>();
            first.syscalls().forEach((name, number) -> {
                if (results.stream().allMatch(r -> number.equals(r.syscalls().get(name)))) {
                    syscalls.add(name);
                }
            });
            boolean errno = results.stream().allMatch(r -> r.errnoNames().equals(first.errnoNames()));
            Set<String> structs = new HashSet<>();
            for (int i = 0; i < first.structs().size(); i++) {
                int index = i;
                if (results.stream().allMatch(r -> sameLayout(r.structs().get(index), first.structs().get(index)))) {
                    structs.add(first.structs().get(i).struct().javaName());
                }
            }
            return new Shared(constants, syscalls, errno, structs);
        }

        /** Equal sizes, alignments and offsets; signedness (of char, say) does not change a layout. */
        private static boolean sameLayout(StructInfo a, StructInfo b) {
            if (a.size() != b.size() || a.align() != b.align()) {
                return false;
            }
            for (int f = 0; f < a.fields().size(); f++) {
                FieldInfo x = a.fields().get(f);
                FieldInfo y = b.fields().get(f);
                if (x.offset() != y.offset() || x.size() != y.size() || x.align() != y.align()
                        || x.elementSize() != y.elementSize()) {
                    return false;
                }
            }
            return true;
        }
    }

    static String archClassName(String arch) {
        return HEADER_CLASS + "_" + arch;
    }

    /** The per-architecture values class: only what differs from another architecture. */
    static String archClass(Result r, Shared shared) {
        StringBuilder out = new StringBuilder();
        stamp(out, "Values for " + r.arch() + " that differ on another architecture; the shared ones are in "
                + HEADER_CLASS + " and the struct classes.");
        out.append("package ").append(PACKAGE).append(";\n\n");
        out.append("import static java.lang.foreign.ValueLayout.*;\n\n");
        out.append("import java.lang.foreign.*;\n\n");
        out.append("/** Constants, syscall numbers and struct layouts that differ on ").append(r.arch())
                .append("; read through {@link ").append(HEADER_CLASS).append("}. */\n");
        out.append("final class ").append(archClassName(r.arch())).append(" {\n\n");
        out.append("    private ").append(archClassName(r.arch())).append("() {\n    }\n\n");
        for (Constant constant : r.constants()) {
            if (!shared.constants().contains(constant.name())) {
                out.append("    static final ").append(javaType(constant.size())).append(' ').append(constant.name())
                        .append(" = ").append(literal(constant.value(), constant.size())).append(";\n");
            }
        }
        out.append('\n');
        for (Map.Entry<String, Long> syscall : r.syscalls().entrySet()) {
            if (!shared.syscalls().contains(syscall.getKey())) {
                out.append("    static final int SYS_").append(syscall.getKey()).append(" = ").append(syscall.getValue())
                        .append(";\n");
            }
        }
        if (!shared.errnoNames()) {
            out.append('\n');
            errnoTable(out, "    static final String[] ERRNO_NAMES = ", r);
        }
        for (StructInfo struct : r.structs()) {
            if (!shared.structs().contains(struct.struct().javaName())) {
                out.append('\n');
                structLayout(out, struct, struct.struct().javaName() + "$", "    static final ");
            }
        }
        out.append("}\n");
        return out.toString();
    }

    private static void errnoTable(StringBuilder out, String declaration, Result r) {
        out.append(declaration).append('{');
        int max = r.errnoNames().keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
        for (int value = 0; value <= max; value++) {
            out.append(value % 8 == 0 ? "\n        " : " ");
            String name = r.errnoNames().get(value);
            out.append(name == null ? "null" : '"' + name + '"').append(',');
        }
        out.append("\n    };\n");
    }

    /**
     * The field offsets and layouts of a struct and its group layout, as fields named
     * {@code <prefix>field$OFFSET}, {@code <prefix>field$LAYOUT} and {@code <prefix>$LAYOUT}.
     */
    private static void structLayout(StringBuilder out, StructInfo struct, String prefix, String modifiers) {
        String name = struct.struct().javaName();
        out.append("    // ").append(struct.struct().cType()).append(": ").append(struct.size()).append(" bytes, aligned to ")
                .append(struct.align()).append('\n');
        for (FieldInfo field : struct.fields()) {
            out.append(modifiers).append("long ").append(prefix).append(field.field().javaName())
                    .append("$OFFSET = ").append(field.offset()).append(";\n");
            out.append(modifiers).append(layoutType(field)).append(' ').append(prefix)
                    .append(field.field().javaName()).append("$LAYOUT = ").append(fieldLayout(field)).append(";\n");
        }
        String group = prefix.isEmpty() ? "$LAYOUT" : prefix + "LAYOUT";
        out.append(modifiers).append("GroupLayout ").append(group).append(" = ");
        List<String> members = members(struct, prefix);
        out.append("MemoryLayout.structLayout(\n");
        for (int i = 0; i < members.size(); i++) {
            out.append("        ").append(members.get(i)).append(i + 1 < members.size() ? ",\n" : "\n");
        }
        out.append("    ).withName(\"").append(name).append("\")");
        long computedAlign = struct.fields().stream().mapToLong(FieldInfo::align).max().orElse(1);
        if (struct.align() > computedAlign) {
            out.append(".withByteAlignment(").append(struct.align()).append(')');
        }
        out.append(";\n");
    }

    /** Member layouts with explicit padding; overlapping fields are grouped into unions. */
    private static List<String> members(StructInfo struct, String prefix) {
        List<FieldInfo> sorted = new ArrayList<>(struct.fields());
        sorted.sort((a, b) -> Long.compare(a.offset(), b.offset()));
        Map<Long, List<FieldInfo>> groups = new LinkedHashMap<>();
        long groupStart = -1;
        long groupEnd = -1;
        for (FieldInfo field : sorted) {
            if (field.offset() < groupEnd) {
                if (field.offset() != groupStart) {
                    throw new IllegalStateException(struct.struct().javaName() + "." + field.field().javaName()
                            + " overlaps another field without starting at the same offset");
                }
                groups.get(groupStart).add(field);
                groupEnd = Math.max(groupEnd, field.offset() + field.size());
            } else {
                groupStart = field.offset();
                groupEnd = field.offset() + field.size();
                groups.put(groupStart, new ArrayList<>(List.of(field)));
            }
        }
        List<String> members = new ArrayList<>();
        long position = 0;
        int unions = 0;
        for (Map.Entry<Long, List<FieldInfo>> group : groups.entrySet()) {
            if (group.getKey() > position) {
                members.add("MemoryLayout.paddingLayout(" + (group.getKey() - position) + ")");
            }
            List<FieldInfo> fields = group.getValue();
            long end = group.getKey();
            List<String> named = new ArrayList<>();
            for (FieldInfo field : fields) {
                named.add(prefix + field.field().javaName() + "$LAYOUT.withName(\""
                        + field.field().javaName() + "\")");
                end = Math.max(end, field.offset() + field.size());
            }
            if (named.size() == 1) {
                members.add(named.getFirst());
            } else {
                members.add("MemoryLayout.unionLayout(" + String.join(", ", named) + ").withName(\"$anon" + unions++ + "\")");
            }
            position = end;
        }
        if (struct.size() > position) {
            members.add("MemoryLayout.paddingLayout(" + (struct.size() - position) + ")");
        }
        return members;
    }

    private static String fieldLayout(FieldInfo field) {
        if (field.field().kind() == FieldKind.ARRAY) {
            return "MemoryLayout.sequenceLayout(" + field.count() + ", " + scalarLayout(field.elementSize(), field.align()) + ")";
        }
        if (field.field().kind() == FieldKind.POINTER) {
            return field.align() == field.size() ? "ADDRESS" : "ADDRESS.withByteAlignment(" + field.align() + ")";
        }
        return scalarLayout(field.size(), field.align());
    }

    /** The Java view of a C integer of each size: carrier type, layout constant, layout type. */
    private enum Scalar {
        BYTE("byte", "JAVA_BYTE", "OfByte"),
        SHORT("short", "JAVA_SHORT", "OfShort"),
        INT("int", "JAVA_INT", "OfInt"),
        LONG("long", "JAVA_LONG", "OfLong");

        final String carrier;
        final String layout;
        final String layoutType;

        Scalar(String carrier, String layout, String layoutType) {
            this.carrier = carrier;
            this.layout = layout;
            this.layoutType = layoutType;
        }

        static Scalar ofSize(long size) {
            return switch ((int) size) {
                case 1 -> BYTE;
                case 2 -> SHORT;
                case 4 -> INT;
                case 8 -> LONG;
                default -> throw new IllegalStateException("no Java type for a " + size + "-byte integer");
            };
        }
    }

    private static String scalarLayout(long size, long align) {
        String base = Scalar.ofSize(size).layout;
        return align >= size ? base : base + ".withByteAlignment(" + align + ")";
    }

    private static String layoutType(FieldInfo field) {
        return switch (field.field().kind()) {
            case ARRAY -> "SequenceLayout";
            case POINTER -> "AddressLayout";
            case INTEGER -> Scalar.ofSize(field.size()).layoutType;
        };
    }

    private static String carrier(long size) {
        return Scalar.ofSize(size).carrier;
    }

    private static String javaType(int size) {
        return size == 8 ? "long" : "int";
    }

    private static String literal(long value, int size) {
        return size == 8 ? value + "L" : Integer.toString((int) value);
    }

    /** The architecture-neutral header class. */
    static String headerClass(Result r, Shared shared, List<Function> functions) {
        StringBuilder out = new StringBuilder();
        stamp(out, "Architecture-neutral: values that differ come from " + archClassName("<arch>")
                + " for the running CPU.");
        out.append("package ").append(PACKAGE).append(";\n\n");
        out.append("import static java.lang.foreign.ValueLayout.*;\n\n");
        out.append("import java.lang.foreign.*;\nimport java.lang.invoke.MethodHandle;\n\n");
        out.append("""
                /**
                 * Constants, syscall numbers, errno names and function holders from the Linux UAPI and
                 * glibc headers, in jextract's shape: one static method per constant, and per function a
                 * lazily initialised holder with {@code $descriptor()}, {@code $handle()} and
                 * {@code $address()}.
                 *
                 * <p>Some values differ between architectures (syscall numbers, some {@code O_*} flags);
                 * each of those is selected for the running CPU once, when this class initialises.
                 *
                 * @see <a href="https://man7.org/linux/man-pages/man2/syscall.2.html">syscall(2)</a>
                 */
                """);
        out.append("public final class ").append(HEADER_CLASS).append(" {\n\n");
        out.append("    private ").append(HEADER_CLASS).append("() {\n    }\n\n");
        for (Constant constant : r.constants()) {
            String type = javaType(constant.size());
            String n = constant.name();
            out.append("    private static final ").append(type).append(' ').append(n).append(" = ")
                    .append(shared.constants().contains(n) ? literal(constant.value(), constant.size())
                            : selection(n))
                    .append(";\n\n");
            out.append("    /** Returns {@code ").append(n).append("} for the running architecture. */\n");
            out.append("    public static ").append(type).append(' ').append(n).append("() {\n        return ").append(n)
                    .append(";\n    }\n\n");
        }
        for (String syscall : r.syscalls().keySet()) {
            String n = "SYS_" + syscall;
            out.append("    private static final int ").append(n).append(" = ")
                    .append(shared.syscalls().contains(syscall) ? r.syscalls().get(syscall).toString() : selection(n))
                    .append(";\n\n");
            out.append("    /** Returns the number of syscall {@code ").append(syscall)
                    .append("} on the running architecture. */\n");
            out.append("    public static int ").append(n).append("() {\n        return ").append(n).append(";\n    }\n\n");
        }
        if (shared.errnoNames()) {
            errnoTable(out, "    private static final String[] ERRNO_NAMES = ", r);
        } else {
            out.append("    private static final String[] ERRNO_NAMES = ").append(selection("ERRNO_NAMES")).append(";\n");
        }
        out.append("""

                    /**
                     * Returns the symbolic name of an errno value ({@code "ENOENT"} for 2), or
                     * {@code null} when the headers define no name for it.
                     */
                    public static String errnoName(int errno) {
                        return errno >= 0 && errno < ERRNO_NAMES.length ? ERRNO_NAMES[errno] : null;
                    }

                    private static final Linker LINKER = Linker.nativeLinker();
                    private static final SymbolLookup SYMBOLS = LINKER.defaultLookup();

                """);
        for (Function function : functions) {
            functionHolder(out, function);
        }
        out.append("}\n");
        return out.toString();
    }

    /** The expression that picks the running architecture's value of {@code member}. */
    private static String selection(String member) {
        return "Arch.IS_X86_64 ? " + archClassName("x86_64") + "." + member + " : " + archClassName("aarch64") + "."
                + member;
    }

    private static void functionHolder(StringBuilder out, Function f) {
        String n = f.name();
        List<String> layouts = new ArrayList<>();
        for (String type : f.parameterTypes()) {
            layouts.add(cLayout(type));
        }
        String descriptor = f.returnType().equals("void")
                ? "FunctionDescriptor.ofVoid(" + String.join(", ", layouts) + ")"
                : "FunctionDescriptor.of(" + cLayout(f.returnType()) + (layouts.isEmpty() ? "" : ", ")
                + String.join(", ", layouts) + ")";
        String options = f.firstVariadic() >= 0 ? "Linker.Option.firstVariadicArg(" + f.firstVariadic() + ")" : null;
        String signature = cSignature(f);
        out.append("    private static final class ").append(n).append(" {\n");
        out.append("        static final FunctionDescriptor DESC = ").append(descriptor).append(";\n");
        out.append("        static final MemorySegment ADDR = SYMBOLS.findOrThrow(\"").append(n).append("\");\n");
        out.append("        static final Linker.Option[] OPTIONS = {").append(options == null ? "" : options).append("};\n");
        out.append("        static final MethodHandle HANDLE = LINKER.downcallHandle(ADDR, DESC, OPTIONS);\n");
        out.append("    }\n\n");
        out.append("    /** Function descriptor for {@code ").append(signature).append("}. */\n");
        out.append("    public static FunctionDescriptor ").append(n).append("$descriptor() {\n        return ").append(n)
                .append(".DESC;\n    }\n\n");
        out.append("    /** Downcall handle for {@code ").append(signature).append("}. */\n");
        out.append("    public static MethodHandle ").append(n).append("$handle() {\n        return ").append(n)
                .append(".HANDLE;\n    }\n\n");
        out.append("""
                    /**
                     * Links {@code %s} again with extra linker options (for example
                     * {@code captureCallState("errno")} or {@code critical(false)}) on top of its own.
                     */
                    public static MethodHandle %s$handle(Linker.Option... extraOptions) {
                        Linker.Option[] all = java.util.Arrays.copyOf(%s.OPTIONS, %s.OPTIONS.length + extraOptions.length);
                        System.arraycopy(extraOptions, 0, all, %s.OPTIONS.length, extraOptions.length);
                        return LINKER.downcallHandle(%s.ADDR, %s.DESC, all);
                    }

                """.formatted(signature, n, n, n, n, n, n));
        out.append("    /** Address of {@code ").append(n).append("}. */\n");
        out.append("    public static MemorySegment ").append(n).append("$address() {\n        return ").append(n)
                .append(".ADDR;\n    }\n\n");
        List<String> params = new ArrayList<>();
        List<String> args = new ArrayList<>();
        for (int i = 0; i < f.parameterTypes().size(); i++) {
            params.add(javaCarrier(f.parameterTypes().get(i)) + " x" + i);
            args.add("x" + i);
        }
        String ret = javaCarrier(f.returnType());
        out.append("    /** Calls {@code ").append(signature).append("}. */\n");
        out.append("    public static ").append(ret).append(' ').append(n).append('(').append(String.join(", ", params))
                .append(") {\n");
        out.append("        var mh$ = ").append(n).append(".HANDLE;\n");
        out.append("        try {\n            ").append(ret.equals("void") ? "" : "return (" + ret + ") ")
                .append("mh$.invokeExact(").append(String.join(", ", args)).append(");\n");
        out.append("        } catch (Error | RuntimeException ex) {\n            throw ex;\n");
        out.append("        } catch (Throwable ex$) {\n            throw new AssertionError(\"should not reach here\", ex$);\n");
        out.append("        }\n    }\n\n");
    }

    private static String cSignature(Function f) {
        List<String> params = new ArrayList<>();
        for (int i = 0; i < f.parameterTypes().size(); i++) {
            if (i == f.firstVariadic()) {
                params.add("...");
                break;
            }
            params.add(cType(f.parameterTypes().get(i)));
        }
        return cType(f.returnType()) + " " + f.name() + "(" + String.join(", ", params) + ")";
    }

    private static String cType(String type) {
        return type.equals("pointer") ? "void *" : type;
    }

    private static String cLayout(String type) {
        return switch (type) {
            case "int" -> "JAVA_INT";
            case "long" -> "JAVA_LONG";
            case "pointer" -> "ADDRESS";
            default -> throw new IllegalArgumentException(type);
        };
    }

    private static String javaCarrier(String type) {
        return switch (type) {
            case "int" -> "int";
            case "long" -> "long";
            case "pointer" -> "MemorySegment";
            case "void" -> "void";
            default -> throw new IllegalArgumentException(type);
        };
    }

    /** One class per struct, jextract style. */
    static String structClass(List<StructInfo> perArch, boolean shared) {
        StructInfo struct = perArch.getFirst();
        String name = struct.struct().javaName();
        StringBuilder out = new StringBuilder();
        stamp(out, shared ? "Architecture-neutral: every architecture has this layout."
                : "Architecture-neutral: layout from " + archClassName("<arch>") + " for the running CPU.");
        out.append("package ").append(PACKAGE).append(";\n\n");
        out.append("import static java.lang.foreign.ValueLayout.*;\n\n");
        out.append("import java.lang.foreign.*;\n\n");
        out.append("/**\n * Layout of {@code ").append(struct.struct().cType()).append("}.\n *\n * <p>Fields:\n * <ul>\n");
        for (int f = 0; f < struct.fields().size(); f++) {
            int index = f;
            FieldInfo field = struct.fields().get(f);
            boolean signedness = perArch.stream().allMatch(s -> s.fields().get(index).signed() == field.signed());
            out.append(" *   <li>{@code ").append(field.field().cPath()).append("}: ").append(describe(field, signedness))
                    .append("</li>\n");
        }
        out.append(" * </ul>\n */\n");
        out.append("public final class ").append(name).append(" {\n\n");
        out.append("    private ").append(name).append("() {\n    }\n\n");
        if (shared) {
            structLayout(out, struct, "", "    private static final ");
            out.append('\n');
        } else {
            out.append("    private static final GroupLayout $LAYOUT = ").append(selection(name + "$LAYOUT"))
                    .append(";\n\n");
        }
        out.append("    /** The layout of this struct on the running architecture. */\n");
        out.append("    public static final GroupLayout layout() {\n        return $LAYOUT;\n    }\n\n");
        for (FieldInfo field : struct.fields()) {
            structField(out, name, field, !shared);
        }
        out.append("""
                    /** Size of this struct in bytes on the running architecture. */
                    public static long sizeof() {
                        return layout().byteSize();
                    }

                    /** Allocates one zeroed struct. */
                    public static MemorySegment allocate(SegmentAllocator allocator) {
                        return allocator.allocate(layout());
                    }

                    /** Allocates an array of {@code elementCount} structs. */
                    public static MemorySegment allocateArray(long elementCount, SegmentAllocator allocator) {
                        return allocator.allocate(MemoryLayout.sequenceLayout(elementCount, layout()));
                    }

                    /** The element at {@code index} of an array of these structs. */
                    public static MemorySegment asSlice(MemorySegment array, long index) {
                        return array.asSlice(layout().byteSize() * index, layout().byteSize());
                    }
                }
                """);
        return out.toString();
    }

    /** A field in words; {@code sameSign}: every architecture agrees on its signedness. */
    private static String describe(FieldInfo field, boolean sameSign) {
        String sign = !sameSign ? "" : field.signed() ? "signed " : "unsigned ";
        String note = sameSign ? "" : " (signedness differs by architecture)";
        return switch (field.field().kind()) {
            case POINTER -> "pointer";
            case ARRAY -> field.count() + " " + sign + field.elementSize() + "-byte integers" + note;
            case INTEGER -> sign + field.size() + "-byte integer" + note;
        };
    }

    /** A field's accessors; with {@code select}, also its layout and offset picked per architecture. */
    private static void structField(StringBuilder out, String struct, FieldInfo field, boolean select) {
        String f = field.field().javaName();
        String type = layoutType(field);
        String prefix = struct + "$" + f;
        if (select) {
            out.append("    private static final ").append(type).append(' ').append(f).append("$LAYOUT = ")
                    .append(selection(prefix + "$LAYOUT")).append(";\n\n");
        }
        out.append("    /** Layout of field {@code ").append(field.field().cPath()).append("}. */\n");
        out.append("    public static final ").append(type).append(' ').append(f).append("$layout() {\n        return ")
                .append(f).append("$LAYOUT;\n    }\n\n");
        if (select) {
            out.append("    private static final long ").append(f).append("$OFFSET = ")
                    .append(selection(prefix + "$OFFSET")).append(";\n\n");
        }
        out.append("    /** Offset of field {@code ").append(field.field().cPath()).append("}. */\n");
        out.append("    public static final long ").append(f).append("$offset() {\n        return ").append(f)
                .append("$OFFSET;\n    }\n\n");
        switch (field.field().kind()) {
            case INTEGER -> {
                String c = carrier(field.size());
                accessorPair(out, f, field, c, "struct.get(" + f + "$LAYOUT, " + f + "$OFFSET)",
                        "struct.set(" + f + "$LAYOUT, " + f + "$OFFSET, fieldValue);");
            }
            case POINTER -> accessorPair(out, f, field, "MemorySegment", "struct.get(" + f + "$LAYOUT, " + f + "$OFFSET)",
                    "struct.set(" + f + "$LAYOUT, " + f + "$OFFSET, fieldValue);");
            case ARRAY -> {
                String c = carrier(field.elementSize());
                String element = "((ValueLayout.Of" + Character.toUpperCase(c.charAt(0)) + c.substring(1) + ") " + f
                        + "$LAYOUT.elementLayout())";
                accessorPair(out, f, field, "MemorySegment", "struct.asSlice(" + f + "$OFFSET, " + f + "$LAYOUT.byteSize())",
                        "MemorySegment.copy(fieldValue, 0L, struct, " + f + "$OFFSET, " + f + "$LAYOUT.byteSize());");
                out.append("    /** Element {@code index} of array field {@code ").append(field.field().cPath())
                        .append("}. */\n");
                out.append("    public static ").append(c).append(' ').append(f)
                        .append("(MemorySegment struct, long index) {\n        return struct.get(").append(element)
                        .append(", ").append(f).append("$OFFSET + index * ").append(field.elementSize()).append(");\n    }\n\n");
                out.append("    /** Sets element {@code index} of array field {@code ").append(field.field().cPath())
                        .append("}. */\n");
                out.append("    public static void ").append(f).append("(MemorySegment struct, long index, ").append(c)
                        .append(" fieldValue) {\n        struct.set(").append(element).append(", ").append(f)
                        .append("$OFFSET + index * ").append(field.elementSize()).append(", fieldValue);\n    }\n\n");
            }
        }
    }

    private static void accessorPair(StringBuilder out, String f, FieldInfo field, String carrier, String get, String set) {
        out.append("    /** Reads field {@code ").append(field.field().cPath()).append("}. */\n");
        out.append("    public static ").append(carrier).append(' ').append(f).append("(MemorySegment struct) {\n        return ")
                .append(get).append(";\n    }\n\n");
        out.append("    /** Writes field {@code ").append(field.field().cPath()).append("}. */\n");
        out.append("    public static void ").append(f).append("(MemorySegment struct, ").append(carrier)
                .append(" fieldValue) {\n        ").append(set).append("\n    }\n\n");
    }

    private static void stamp(StringBuilder out, String detail) {
        out.append("// Generated by ").append(COMMAND).append(" from ").append(LIST).append(". Do not edit.\n");
        out.append("// ").append(detail).append('\n');
    }
}
