package dev.hako.bindings.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BindingsListTest {

    @TempDir
    Path dir;

    private BindingsList parse(String text) throws IOException {
        Path file = dir.resolve("test.list");
        Files.writeString(file, text);
        return BindingsList.read(file);
    }

    @Test
    void readsEveryDirective() throws IOException {
        BindingsList list = parse("""
                # comment
                include <sched.h>
                const A B
                      C   # continued
                const D /^CLONE_.*$/ in <linux/sched.h>
                errno /^E[A-Z]+$/ in <errno.h>
                syscall getpid
                struct pollfd = struct pollfd : fd events *p arr[] data=u.x
                function long syscall(long, long) variadic 1
                """);
        assertThat(list.includes()).containsExactly("<sched.h>");
        assertThat(list.constants()).hasSize(3);
        assertThat(list.constants().get(0).names()).containsExactly("A", "B", "C");
        assertThat(list.constants().get(2).header()).isEqualTo("<linux/sched.h>");
        assertThat(list.syscalls()).containsExactly("getpid");
        BindingsList.Struct struct = list.structs().getFirst();
        assertThat(struct.fields()).extracting(BindingsList.Field::kind).containsExactly(
                BindingsList.FieldKind.INTEGER, BindingsList.FieldKind.INTEGER, BindingsList.FieldKind.POINTER,
                BindingsList.FieldKind.ARRAY, BindingsList.FieldKind.INTEGER);
        assertThat(struct.fields().get(4).cPath()).isEqualTo("u.x");
        assertThat(list.functions().getFirst().firstVariadic()).isEqualTo(1);
    }

    @Test
    void readsFlagAndIntEnumsOneConstantPerLine() throws IOException {
        BindingsList list = parse("""
                errno /^E$/ in <errno.h>
                enum OpenFlag implements Flag : O_* see open(2)
                    doc Flags of open(2).
                    doc
                    doc <p>Second paragraph.   # a comment
                    READ_ONLY=O_RDONLY   Open for reading only
                    APPEND      Write at the end
                enum Resource int number : RLIMIT_* see getrlimit(2)
                    doc Resources.
                    value The resource's number.
                    AS          Address space size in bytes
                """);
        BindingsList.TypedEnum flags = list.enums().get(0);
        assertThat(flags.javaName()).isEqualTo("OpenFlag");
        assertThat(flags.isFlag()).isTrue();
        assertThat(flags.manPage()).isEqualTo("open(2)");
        assertThat(flags.doc()).containsExactly("Flags of open(2).", "", "<p>Second paragraph.");
        assertThat(flags.constants()).containsExactly(
                new BindingsList.EnumConstant("READ_ONLY", "O_RDONLY", "Open for reading only"),
                new BindingsList.EnumConstant("APPEND", "O_APPEND", "Write at the end"));
        BindingsList.TypedEnum values = list.enums().get(1);
        assertThat(values.isFlag()).isFalse();
        assertThat(values.valueAccessor()).isEqualTo("number");
        assertThat(values.valueDoc()).isEqualTo("The resource's number.");
        assertThat(values.constants().getFirst().cName()).isEqualTo("RLIMIT_AS");
    }

    @Test
    void rejectsMalformedEnumsNamingTheProblem() {
        String errno = "errno /^E$/ in <errno.h>\n";
        assertThatThrownBy(() -> parse(errno + "enum OpenFlag : O_* see open(2)\n    doc D\n    A  a\n"))
                .hasMessage("expected 'enum JAVA implements Flag : PREFIX_* see PAGE(N)' or"
                        + " 'enum JAVA int ACCESSOR : PREFIX_* see PAGE(N)': enum OpenFlag : O_* see open(2)");
        assertThatThrownBy(() -> parse(errno + "enum F implements Flag : O_* see open(2)\n    doc D\n    APPEND\n"))
                .hasMessage("enum F: expected 'NAME[=C_NAME] description', 'doc TEXT' or 'value TEXT': APPEND");
        assertThatThrownBy(() -> parse(errno + "enum F implements Flag : O_* see open(2)\n    doc D\n"
                + "    A  a\n    A  b\n"))
                .hasMessage("enum F: constant A twice");
        assertThatThrownBy(() -> parse(errno + "enum F implements Flag : O_* see open(2)\n    doc D\n    A  Ends.\n"))
                .hasMessage("enum F: end the description of A without a period; the generator appends"
                        + " \" ({@code C_NAME}).\"");
        assertThatThrownBy(() -> parse(errno + "enum F implements Flag : O_* see open(2)\n    A  a\n"))
                .hasMessage("enum F has no 'doc' line: enum F implements Flag : O_* see open(2)");
        assertThatThrownBy(() -> parse(errno + "enum F int value : O_* see open(2)\n    doc D\n    A  a\n"))
                .hasMessage("enum F has no 'value' line documenting value(): enum F int value : O_* see open(2)");
        assertThatThrownBy(() -> parse(errno + "enum F implements Flag : O_* see open(2)\n    doc D\n    value V\n"))
                .hasMessage("enum F: a flag enum has no 'value' line: value V");
        assertThatThrownBy(() -> parse(errno + "enum F implements Flag : O_* see open(2)\n    doc D\n"))
                .hasMessage("enum F has no constants: enum F implements Flag : O_* see open(2)");
    }

    @Test
    void rejectsUnknownDirectiveNamingTheLine() {
        assertThatThrownBy(() -> parse("errno /^E$/ in <errno.h>\nconstant X\n"))
                .hasMessage("unknown directive 'constant' in: constant X");
    }

    @Test
    void rejectsUnknownFunctionType() {
        assertThatThrownBy(() -> parse("errno /^E$/ in <errno.h>\nfunction char f(int)\n"))
                .hasMessage("unknown type 'char' (use [int, long, pointer, void]): function char f(int)");
    }

    @Test
    void requiresAnErrnoLine() {
        assertThatThrownBy(() -> parse("const A\n")).hasMessage("the list has no 'errno' line");
    }
}
