package dev.hako.cgroupfs;

import static dev.hako.cgroupfs.EbpfAssembler.Reg.R0;
import static dev.hako.cgroupfs.EbpfAssembler.Reg.R1;
import static dev.hako.cgroupfs.EbpfAssembler.Reg.R2;
import static dev.hako.cgroupfs.EbpfAssembler.Reg.R3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.bindings.Linux;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The assembler's encoding, checked against bytes written out by hand from the eBPF
 * instruction set document (opcode, dst | src << 4, 16-bit offset, 32-bit immediate, all
 * little-endian), so a wrong constant in the bindings would show too.
 */
class EbpfAssemblerTest {

    @Test
    void encodesASmallProgramExactlyAndResolvesJumps() {
        EbpfAssembler.Label no = new EbpfAssembler.Label("no");
        EbpfAssembler.Label yes = new EbpfAssembler.Label("yes");
        EbpfProgram program = new EbpfAssembler()
                .loadWord(R2, R1, 4)                          // 0: r2 = *(u32 *)(r1 +4)
                .alu32(Linux.BPF_MOV(), R3, R2)               // 1: w3 = w2
                .alu32(Linux.BPF_AND(), R3, 0xffff)           // 2: w3 &= 0xffff
                .alu32(Linux.BPF_RSH(), R2, 16)               // 3: w2 >>= 16
                .jump(Linux.BPF_JNE(), R3, 2, no)             // 4: if r3 != 2 goto pc+3 <8>
                .jump(Linux.BPF_JSET(), R2, ~6, no)           // 5: if r2 & 0xfffffff9 goto pc+2 <8>
                .jumpAlways(yes)                              // 6: goto pc+3 <10>
                .exit()                                       // 7: (unreachable, for a gap)
                .bind(no).alu64(Linux.BPF_MOV(), R0, 0).exit() // 8, 9
                .bind(yes).alu64(Linux.BPF_MOV(), R0, 1).exit() // 10, 11
                .assemble();
        assertThat(HexFormat.of().formatHex(program.encode())).isEqualTo(String.join("",
                "6112040000000000",
                "bc23000000000000",
                "54030000ffff0000",
                "7402000010000000",
                "5503030002000000",
                "45020200f9ffffff",
                "0500030000000000",
                "9500000000000000",
                "b700000000000000",
                "9500000000000000",
                "b700000001000000",
                "9500000000000000"));
        assertThat(program.listing()).containsExactly(
                " 0: r2 = *(u32 *)(r1 +4)",
                " 1: w3 = w2",
                " 2: w3 &= 0xffff",
                " 3: w2 >>= 16",
                " 4: if r3 != 2 goto pc+3 <8>",
                " 5: if r2 & 0xfffffff9 goto pc+2 <8>",
                " 6: goto pc+3 <10>",
                " 7: exit",
                " 8: r0 = 0",
                " 9: exit",
                "10: r0 = 1",
                "11: exit");
    }

    @Test
    void backwardJumpsGetNegativeOffsetsAndCommentsGoToTheNextInstruction() {
        EbpfAssembler.Label top = new EbpfAssembler.Label("top");
        EbpfProgram program = new EbpfAssembler().bind(top).comment("start").comment("again")
                .alu64(Linux.BPF_MOV(), R0, 1).jump(Linux.BPF_JEQ(), R0, 0, top).exit().assemble();
        assertThat(program.instructions().get(1).offset()).isEqualTo((short) -2);
        assertThat(HexFormat.of().formatHex(program.encode(), 8, 16)).isEqualTo("1500feff00000000");
        assertThat(program.listing()).containsExactly(
                "0: r0 = 1                               ; start; again",
                "1: if r0 == 0 goto pc-2 <0>",
                "2: exit");
    }

    @Test
    void badProgramsAreRefusedWithTheReason() {
        EbpfAssembler.Label nowhere = new EbpfAssembler.Label("nowhere");
        assertThatThrownBy(() -> new EbpfAssembler().jumpAlways(nowhere).exit().assemble())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("jump at 0 to label nowhere, which is never bound");
        EbpfAssembler.Label end = new EbpfAssembler.Label("end");
        assertThatThrownBy(() -> new EbpfAssembler().jumpAlways(end).exit().bind(end).assemble())
                .hasMessage("label end is bound past the last instruction");
        assertThatThrownBy(() -> new EbpfAssembler().bind(end).bind(end)).hasMessage("label end is bound twice");
        assertThatThrownBy(() -> new EbpfAssembler().assemble())
                .hasMessage("an eBPF program needs at least one instruction");
        assertThatThrownBy(() -> new EbpfAssembler().alu64(Linux.BPF_MOV(), R0, 1).assemble())
                .hasMessage("an eBPF program must end in exit or goto, not r0 = 1");
        assertThatThrownBy(() -> new EbpfAssembler().loadWord(R2, R1, 40000))
                .hasMessage("eBPF memory offset 40000 does not fit 16 bits");
        assertThatThrownBy(() -> new EbpfInstruction(0x95, 11, 0, (short) 0, 0))
                .hasMessage("eBPF has registers r0 to r10, not r11");
        EbpfAssembler far = new EbpfAssembler();
        EbpfAssembler.Label distant = new EbpfAssembler.Label("distant");
        far.jumpAlways(distant);
        for (int i = 0; i < 40000; i++) {
            far.alu64(Linux.BPF_MOV(), R0, 0);
        }
        far.bind(distant).exit();
        assertThatThrownBy(far::assemble).hasMessage("jump at 0 to 40001 is out of 16-bit range");
    }
}
