package dev.hako.bindings.generator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parsed declarative list ({@code bindings.list}): what the bindings contain.
 *
 * @param includes    headers for the probe, in order
 * @param constants   constant selections, in order (names or header-scoped patterns)
 * @param errno       the selection whose values also form the errno name table
 * @param syscalls    syscall names (numbers exported as {@code SYS_<name>})
 * @param structs     struct declarations
 * @param functions   function declarations
 * @param enums       typed enums over listed constants, written into the syscalls module
 */
record BindingsList(List<String> includes, List<Selection> constants, Selection errno,
                    List<String> syscalls, List<Struct> structs, List<Function> functions,
                    List<TypedEnum> enums) {

    /** Explicit names, or every object-like macro of {@code header} matching {@code pattern}. */
    record Selection(List<String> names, Pattern pattern, String header) {
        boolean isPattern() {
            return pattern != null;
        }
    }

    /** A struct class: Java name, C type spelling, and the exposed fields. */
    record Struct(String javaName, String cType, List<Field> fields) {
    }

    /** Field kinds, as the list marks them. */
    enum FieldKind { INTEGER, ARRAY, POINTER }

    /** A struct field: the Java name, the C member path, and its kind. */
    record Field(String javaName, String cPath, FieldKind kind) {
    }

    /** A C function: return type, name, parameter types, first variadic index or -1. */
    record Function(String returnType, String name, List<String> parameterTypes, int firstVariadic) {
    }

    /**
     * A Java enum whose constants stand for C constants: a flag enum ({@code implements Flag},
     * with {@code bits()} and {@code cName()}) or a value enum (an {@code int} accessor named
     * {@code valueAccessor}, and {@code cName()}).
     *
     * @param javaName      the enum's simple name
     * @param valueAccessor null for a flag enum; else the name of the int accessor
     * @param valueDoc      Javadoc of the int accessor (value enums only)
     * @param prefix        what a constant's Java name is appended to, to give its C name
     * @param manPage       the man page the type links to, as {@code name(section)}
     * @param doc           the type's Javadoc, one line each
     * @param constants     the constants, in order
     */
    record TypedEnum(String javaName, String valueAccessor, String valueDoc, String prefix, String manPage,
                     List<String> doc, List<EnumConstant> constants) {
        boolean isFlag() {
            return valueAccessor == null;
        }
    }

    /** One constant of a typed enum: its Java name, the C name it stands for, a short description. */
    record EnumConstant(String javaName, String cName, String doc) {
    }

    private static final Pattern ENUM_HEAD = Pattern.compile(
            "([A-Z]\\w*)\\s+(?:implements\\s+Flag|int\\s+([a-z]\\w*))\\s*:\\s*(\\w*)\\*\\s+see\\s+([\\w.-]+\\(\\d\\w*\\))");
    private static final Pattern ENUM_CONSTANT = Pattern.compile("([A-Z_][A-Z0-9_]*)(?:=(\\w+))?\\s+(\\S.*)");
    private static final Pattern SELECTION = Pattern.compile("/([^/]+)/\\s+in\\s+(<[^>]+>)");
    private static final Pattern FUNCTION = Pattern.compile(
            "(\\w+)\\s+(\\w+)\\s*\\(([^)]*)\\)\\s*(?:variadic\\s+(\\d+))?");
    private static final List<String> C_TYPES = List.of("int", "long", "pointer", "void");

    /** Reads and validates a list file; errors name the line. */
    static BindingsList read(Path file) throws IOException {
        List<String> logical = joinContinuations(Files.readAllLines(file));
        List<String> includes = new ArrayList<>();
        List<Selection> constants = new ArrayList<>();
        Selection errno = null;
        List<String> syscalls = new ArrayList<>();
        List<Struct> structs = new ArrayList<>();
        List<Function> functions = new ArrayList<>();
        List<TypedEnum> enums = new ArrayList<>();
        for (String line : logical) {
            String[] split = line.split("\\s+", 2);
            String directive = split[0];
            String rest = split.length < 2 ? "" : split[1].trim();
            switch (directive) {
                case "include" -> includes.add(rest);
                case "const" -> constants.addAll(selections(rest, line));
                case "errno" -> {
                    List<Selection> found = selections(rest, line);
                    if (found.size() != 1 || !found.getFirst().isPattern() || errno != null) {
                        throw new IllegalArgumentException("one 'errno /REGEX/ in <header>' line expected: " + line);
                    }
                    errno = found.getFirst();
                }
                case "syscall" -> syscalls.addAll(List.of(rest.split("\\s+")));
                case "struct" -> structs.add(struct(rest, line));
                case "function" -> functions.add(function(rest, line));
                case SyscallTableEmitter.DIRECTIVE -> { } // read by SyscallTableEmitter
                case "enum" -> enums.add(typedEnum(rest, line));
                default -> throw new IllegalArgumentException("unknown directive '" + directive + "' in: " + line);
            }
        }
        if (errno == null) {
            throw new IllegalArgumentException("the list has no 'errno' line");
        }
        return new BindingsList(List.copyOf(includes), List.copyOf(constants), errno,
                List.copyOf(syscalls), List.copyOf(structs), List.copyOf(functions), List.copyOf(enums));
    }

    /**
     * Drops comments and blank lines and appends indented lines to the line above, keeping
     * the line break: most directives treat it as white space, {@code enum} reads one
     * constant per line.
     */
    private static List<String> joinContinuations(List<String> lines) {
        List<String> logical = new ArrayList<>();
        for (String raw : lines) {
            int hash = raw.indexOf('#');
            // '#' starts a comment only at the start of a line or after white space, so
            // that "#include" never appears here by accident.
            String text = hash == 0 || (hash > 0 && Character.isWhitespace(raw.charAt(hash - 1)))
                    ? raw.substring(0, hash) : raw;
            if (text.isBlank()) {
                continue;
            }
            if (Character.isWhitespace(text.charAt(0))) {
                if (logical.isEmpty()) {
                    throw new IllegalArgumentException("continuation line with nothing to continue: " + raw);
                }
                logical.set(logical.size() - 1, logical.getLast() + "\n" + text.trim());
            } else {
                logical.add(text.trim());
            }
        }
        return logical;
    }

    private static List<Selection> selections(String text, String line) {
        List<Selection> result = new ArrayList<>();
        Matcher matcher = SELECTION.matcher(text);
        int last = 0;
        while (matcher.find()) {
            addNames(text.substring(last, matcher.start()), result);
            result.add(new Selection(List.of(), Pattern.compile(matcher.group(1)), matcher.group(2)));
            last = matcher.end();
        }
        addNames(text.substring(last), result);
        if (result.isEmpty()) {
            throw new IllegalArgumentException("no names in: " + line);
        }
        return result;
    }

    private static void addNames(String text, List<Selection> into) {
        if (!text.isBlank()) {
            into.add(new Selection(List.of(text.trim().split("\\s+")), null, null));
        }
    }

    private static Struct struct(String text, String line) {
        int eq = text.indexOf('=');
        int colon = text.indexOf(':');
        if (eq < 0 || colon < eq) {
            throw new IllegalArgumentException("expected 'struct JAVA = C-TYPE : FIELD...': " + line);
        }
        List<Field> fields = new ArrayList<>();
        for (String token : text.substring(colon + 1).trim().split("\\s+")) {
            FieldKind kind = FieldKind.INTEGER;
            String name = token;
            if (name.startsWith("*")) {
                kind = FieldKind.POINTER;
                name = name.substring(1);
            } else if (name.endsWith("[]")) {
                kind = FieldKind.ARRAY;
                name = name.substring(0, name.length() - 2);
            }
            String javaName = name;
            String cPath = name;
            int rename = name.indexOf('=');
            if (rename > 0) {
                javaName = name.substring(0, rename);
                cPath = name.substring(rename + 1);
            }
            fields.add(new Field(javaName, cPath, kind));
        }
        return new Struct(text.substring(0, eq).trim(), text.substring(eq + 1, colon).trim(), List.copyOf(fields));
    }

    private static TypedEnum typedEnum(String text, String line) {
        String[] lines = text.split("\n");
        String head = line.split("\n")[0];
        Matcher matcher = ENUM_HEAD.matcher(lines[0]);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("expected 'enum JAVA implements Flag : PREFIX_* see PAGE(N)' or"
                    + " 'enum JAVA int ACCESSOR : PREFIX_* see PAGE(N)': " + head);
        }
        String javaName = matcher.group(1);
        String accessor = matcher.group(2);
        String prefix = matcher.group(3);
        List<String> doc = new ArrayList<>();
        String valueDoc = null;
        List<EnumConstant> constants = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String entry = lines[i];
            if (entry.equals("doc") || entry.startsWith("doc ")) {
                doc.add(entry.substring(3).trim());
                continue;
            }
            if (entry.startsWith("value ")) {
                if (accessor == null) {
                    throw new IllegalArgumentException("enum " + javaName + ": a flag enum has no 'value' line: " + entry);
                }
                valueDoc = entry.substring(6).trim();
                continue;
            }
            Matcher constant = ENUM_CONSTANT.matcher(entry);
            if (!constant.matches()) {
                throw new IllegalArgumentException("enum " + javaName + ": expected 'NAME[=C_NAME] description',"
                        + " 'doc TEXT' or 'value TEXT': " + entry);
            }
            String name = constant.group(1);
            String description = constant.group(3).trim();
            if (seen.contains(name)) {
                throw new IllegalArgumentException("enum " + javaName + ": constant " + name + " twice");
            }
            if (description.endsWith(".")) {
                throw new IllegalArgumentException("enum " + javaName + ": end the description of " + name
                        + " without a period; the generator appends \" ({@code C_NAME}).\"");
            }
            seen.add(name);
            constants.add(new EnumConstant(name, constant.group(2) != null ? constant.group(2) : prefix + name,
                    description));
        }
        if (constants.isEmpty()) {
            throw new IllegalArgumentException("enum " + javaName + " has no constants: " + head);
        }
        if (doc.isEmpty()) {
            throw new IllegalArgumentException("enum " + javaName + " has no 'doc' line: " + head);
        }
        if (accessor != null && valueDoc == null) {
            throw new IllegalArgumentException("enum " + javaName + " has no 'value' line documenting " + accessor
                    + "(): " + head);
        }
        return new TypedEnum(javaName, accessor, valueDoc, prefix, matcher.group(4), List.copyOf(doc),
                List.copyOf(constants));
    }

    private static Function function(String text, String line) {
        Matcher matcher = FUNCTION.matcher(text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("expected 'function RET NAME(TYPE, ...) [variadic N]': " + line);
        }
        List<String> parameters = matcher.group(3).isBlank() ? List.of()
                : List.of(matcher.group(3).trim().split("\\s*,\\s*"));
        for (String type : concat(matcher.group(1), parameters)) {
            if (!C_TYPES.contains(type)) {
                throw new IllegalArgumentException("unknown type '" + type + "' (use " + C_TYPES + "): " + line);
            }
        }
        int variadic = matcher.group(4) == null ? -1 : Integer.parseInt(matcher.group(4));
        return new Function(matcher.group(1), matcher.group(2), parameters, variadic);
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>(rest);
        all.add(first);
        return all;
    }
}
