package dev.hako.checkpoint.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.testing.Privileged;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The struct layouts the engine writes by hand equal what gcc says on this machine: every
 * field of {@code struct user_regs_struct} ({@code <sys/user.h>}, what NT_PRSTATUS holds)
 * at the offset {@link Registers} gives it, and the {@code struct rseq} and
 * {@code struct rseq_cs} offsets of {@link RseqSection} ({@code <linux/rseq.h>}).
 */
@Timeout(120)
@Privileged(value = {}, programs = "gcc")
@EnabledIfSystemProperty(named = "os.arch", matches = "amd64", disabledReason = "user_regs_struct is x86_64's")
class RegistersLayoutTest {

    /** "name offset size" lines of the probe, by name; "sizeof" gives the struct's size. */
    static Map<String, long[]> userRegs;
    static Map<String, long[]> rseq;

    @BeforeAll
    static void probe(@TempDir Path work) throws Exception {
        StringBuilder regs = new StringBuilder();
        for (String field : Registers.FIELDS) {
            regs.append(line("user_regs_struct", field));
        }
        userRegs = run(work, "regs", "#include <sys/user.h>\n", "struct user_regs_struct", regs.toString());
        rseq = run(work, "rseq", "#include <linux/rseq.h>\n", "struct rseq_cs",
                line("rseq", "rseq_cs") + line("rseq_cs", "version") + line("rseq_cs", "flags")
                        + line("rseq_cs", "start_ip") + line("rseq_cs", "post_commit_offset")
                        + line("rseq_cs", "abort_ip"));
    }

    private static String line(String struct, String field) {
        return "  printf(\"" + struct + "." + field + " %zu %zu\\n\", offsetof(struct " + struct + ", " + field
                + "), sizeof(((struct " + struct + " *) 0)->" + field + "));\n";
    }

    /** Compiles and runs a probe that prints sizeof({@code sized}) and then {@code lines}. */
    private static Map<String, long[]> run(Path work, String name, String include, String sized, String lines)
            throws Exception {
        Path source = work.resolve(name + ".c");
        Files.writeString(source, "#include <stddef.h>\n#include <stdio.h>\n" + include + "int main(void) {\n"
                + "  printf(\"sizeof %zu 0\\n\", sizeof(" + sized + "));\n" + lines + "  return 0;\n}\n");
        Path binary = work.resolve(name);
        Process gcc = new ProcessBuilder("gcc", "-Wall", "-o", binary.toString(), source.toString())
                .redirectErrorStream(true).start();
        String compiler = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue()).as(compiler).isZero();
        Process probe = new ProcessBuilder(binary.toString()).redirectErrorStream(true).start();
        List<String> output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(probe.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(probe.exitValue()).as("%s", output).isZero();
        Map<String, long[]> fields = new LinkedHashMap<>();
        for (String text : output) {
            String[] words = text.split(" ");
            fields.put(words[0], new long[] {Long.parseLong(words[1]), Long.parseLong(words[2])});
        }
        return fields;
    }

    @Test
    void everyRegisterSitsWhereUserRegsStructHasIt() {
        assertThat(userRegs.get("sizeof")[0]).as("sizeof(struct user_regs_struct)").isEqualTo(Registers.SIZE);
        for (int i = 0; i < Registers.FIELDS.size(); i++) {
            String field = Registers.FIELDS.get(i);
            assertThat(userRegs.get("user_regs_struct." + field)).as("offset and size of %s", field)
                    .containsExactly(8L * i, 8L);
        }
    }

    @Test
    void theNamedRegistersAreTheFieldsOfThatName() {
        Map<String, Integer> named = Map.of("r10", Registers.R10, "r9", Registers.R9, "r8", Registers.R8,
                "rax", Registers.RAX, "rdx", Registers.RDX, "rsi", Registers.RSI, "rdi", Registers.RDI,
                "orig_rax", Registers.ORIG_RAX, "rip", Registers.RIP, "rsp", Registers.RSP);
        named.forEach((name, index) -> assertThat(Registers.index(name)).as(name).isEqualTo(index));
    }

    @Test
    void rseqDescriptorOffsetsMatchLinuxRseqH() {
        assertThat(rseq.get("sizeof")[0]).as("sizeof(struct rseq_cs)").isEqualTo(RseqSection.SIZE);
        assertThat(rseq.get("rseq.rseq_cs")).containsExactly(RseqSection.RSEQ_CS_POINTER, 8L);
        assertThat(rseq.get("rseq_cs.version")).containsExactly(RseqSection.VERSION, 4L);
        assertThat(rseq.get("rseq_cs.flags")).containsExactly(RseqSection.FLAGS, 4L);
        assertThat(rseq.get("rseq_cs.start_ip")).containsExactly(RseqSection.START_IP, 8L);
        assertThat(rseq.get("rseq_cs.post_commit_offset")).containsExactly(RseqSection.POST_COMMIT_OFFSET, 8L);
        assertThat(rseq.get("rseq_cs.abort_ip")).containsExactly(RseqSection.ABORT_IP, 8L);
    }
}
