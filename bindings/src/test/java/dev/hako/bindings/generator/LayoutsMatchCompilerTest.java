package dev.hako.bindings.generator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.bindings.Linux;
import dev.hako.bindings.generator.Probe.Constant;
import dev.hako.bindings.generator.Probe.FieldInfo;
import dev.hako.bindings.generator.Probe.Result;
import dev.hako.bindings.generator.Probe.StructInfo;
import dev.hako.testing.Privileged;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the running bindings say (sizes, alignments, offsets, constants, syscall numbers)
 * equals what the C compiler says on this machine, independently of the generated text.
 */
@Privileged(value = {}, programs = "gcc")
class LayoutsMatchCompilerTest {

    static Result compiler;

    @BeforeAll
    static void probe(@TempDir Path work) throws Exception {
        String arch = GeneratedSourcesTest.nativeArch();
        BindingsList list = BindingsList.read(GeneratedSourcesTest.LIST);
        compiler = new Probe(arch, Generator.compilerFor(arch).orElseThrow(), work).run(list);
    }

    @Test
    void structSizesAlignmentsAndOffsetsMatch() throws Exception {
        assertThat(compiler.structs()).hasSizeGreaterThanOrEqualTo(18);
        for (StructInfo struct : compiler.structs()) {
            Class<?> type = Class.forName("dev.hako.bindings." + struct.struct().javaName());
            GroupLayout layout = (GroupLayout) type.getMethod("layout").invoke(null);
            String name = struct.struct().cType();
            assertThat(layout.byteSize()).as("sizeof(%s)", name).isEqualTo(struct.size());
            assertThat(type.getMethod("sizeof").invoke(null)).as("sizeof() of %s", name).isEqualTo(struct.size());
            assertThat(layout.byteAlignment()).as("_Alignof(%s)", name).isEqualTo(struct.align());
            for (FieldInfo field : struct.fields()) {
                String f = field.field().javaName();
                long offset = (long) type.getMethod(f + "$offset").invoke(null);
                MemoryLayout fieldLayout = (MemoryLayout) type.getMethod(f + "$layout").invoke(null);
                assertThat(offset).as("offsetof(%s, %s)", name, field.field().cPath()).isEqualTo(field.offset());
                assertThat(fieldLayout.byteSize()).as("sizeof(%s.%s)", name, f).isEqualTo(field.size());
                assertThat(fieldLayout.byteAlignment()).as("alignment of %s.%s", name, f).isEqualTo(field.align());
                assertThat(offsetInLayout(layout, f)).as("offset of %s.%s inside LAYOUT", name, f).isEqualTo(field.offset());
            }
        }
    }

    /** Finds a field by name in the group layout, looking into the unions the generator made. */
    private static long offsetInLayout(GroupLayout layout, String field) {
        for (MemoryLayout member : layout.memberLayouts()) {
            if (member.name().orElse("").equals(field)) {
                return layout.byteOffset(PathElement.groupElement(field));
            }
            if (member instanceof GroupLayout union && member.name().orElse("").startsWith("$anon")) {
                for (MemoryLayout inner : union.memberLayouts()) {
                    if (inner.name().orElse("").equals(field)) {
                        return layout.byteOffset(PathElement.groupElement(member.name().get()),
                                PathElement.groupElement(field));
                    }
                }
            }
        }
        throw new AssertionError("no field " + field + " in " + layout);
    }

    @Test
    void constantsMatch() throws Exception {
        assertThat(compiler.constants()).hasSizeGreaterThan(500);
        for (Constant constant : compiler.constants()) {
            Method method = Linux.class.getMethod(constant.name());
            Object value = method.invoke(null);
            long expected = constant.size() == 8 ? constant.value() : (int) constant.value();
            assertThat(((Number) value).longValue()).as(constant.name()).isEqualTo(expected);
        }
    }

    @Test
    void syscallNumbersMatch() throws Exception {
        for (Map.Entry<String, Long> syscall : compiler.syscalls().entrySet()) {
            Object value = Linux.class.getMethod("SYS_" + syscall.getKey()).invoke(null);
            assertThat(((Number) value).longValue()).as("SYS_%s", syscall.getKey()).isEqualTo(syscall.getValue());
        }
    }

    @Test
    void errnoNamesMatch() {
        assertThat(compiler.errnoNames()).hasSizeGreaterThan(120);
        compiler.errnoNames().forEach((value, name) -> assertThat(Linux.errnoName(value)).isEqualTo(name));
        // Aliases never win: EAGAIN, not EWOULDBLOCK; EOPNOTSUPP, not ENOTSUP.
        assertThat(Linux.errnoName(Linux.EWOULDBLOCK())).isEqualTo("EAGAIN");
        assertThat(Linux.errnoName(Linux.ENOTSUP())).isEqualTo("EOPNOTSUPP");
    }
}
