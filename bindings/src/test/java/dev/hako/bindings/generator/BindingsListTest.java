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
