package dev.hako.cgroupfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.bindings.Linux;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The v2 program against the v1 controller's matching rules: every program is run, for a
 * grid of requests, by a small eBPF interpreter written for this test, and its verdict
 * compared with a direct implementation of the devices controller's rule (default deny:
 * some rule matches the device and covers every requested access; default allow: no rule
 * matches the device and any requested access).
 */
class DeviceProgramTest {
    private static final int BLOCK = 1;
    private static final int CHAR = 2;

    @Test
    void containerDefaultsProgramIsSmallAndReadable() {
        DeviceProgram program = DevicesSpec.containerDefaults().program();
        assertThat(program.instructionCount()).isEqualTo(60);
        assertThat(program.listing()).hasSize(60);
        assertThat(program.listing().subList(0, 12)).containsExactly(
                " 0: r2 = *(u32 *)(r1 +0)                 ; access_type",
                " 1: w3 = w2                              ; device type: low 16 bits",
                " 2: w3 &= 0xffff",
                " 3: w2 >>= 16                            ; requested access: high 16 bits",
                " 4: r4 = *(u32 *)(r1 +4)                 ; major",
                " 5: r5 = *(u32 *)(r1 +8)                 ; minor",
                " 6: if r3 != 2 goto pc+2 <9>             ; allow c *:* m",
                " 7: if r2 & 0xfffffffe goto pc+1 <9>",
                " 8: goto pc+49 <58>",
                " 9: if r3 != 1 goto pc+2 <12>            ; allow b *:* m",
                "10: if r2 & 0xfffffffe goto pc+1 <12>",
                "11: goto pc+46 <58>");
        assertThat(program.listing().subList(12, 17)).containsExactly(
                "12: if r3 != 2 goto pc+4 <17>            ; allow c 1:3 rw",
                "13: if r4 != 1 goto pc+3 <17>",
                "14: if r5 != 3 goto pc+2 <17>",
                "15: if r2 & 0xfffffff9 goto pc+1 <17>",
                "16: goto pc+41 <58>");
        assertThat(program.listing().subList(56, 60)).containsExactly(
                "56: r0 = 0                               ; no rule matched: deny",
                "57: exit",
                "58: r0 = 1                               ; a rule matched: allow",
                "59: exit");
        assertThat(program.toString()).startsWith("eBPF BPF_PROG_TYPE_CGROUP_DEVICE program 'hako_devices', 60 instructions,"
                + " default deny (returns 1 to allow, 0 to deny):\n 0: ");
        assertThat(program.encode()).hasSize(60 * 8);
    }

    @Test
    void containerDefaultsAllowTheirNodesAndMknodOnly() {
        DeviceProgram program = DevicesSpec.containerDefaults().program();
        int read = Linux.BPF_DEVCG_ACC_READ();
        int write = Linux.BPF_DEVCG_ACC_WRITE();
        int mknod = Linux.BPF_DEVCG_ACC_MKNOD();
        assertThat(run(program, CHAR, read | write, 1, 3)).isTrue();          // /dev/null
        assertThat(run(program, CHAR, read, 136, 7)).isTrue();                // a pty
        assertThat(run(program, CHAR, mknod, 1, 3)).isTrue();
        assertThat(run(program, BLOCK, mknod, 254, 0)).isTrue();              // making a disk node
        assertThat(run(program, BLOCK, read, 254, 0)).isFalse();              // opening it
        assertThat(run(program, CHAR, read, 1, 1)).isFalse();                 // /dev/mem
        assertThat(run(program, CHAR, read | mknod, 1, 1)).isFalse();
        assertThat(run(program, CHAR, read | 8, 1, 3)).isFalse();             // an access bit unknown today
    }

    @Test
    void everySpecAgreesWithTheControllersMatchingRule() {
        List<DevicesSpec> specs = List.of(
                DevicesSpec.denyAll(),
                DevicesSpec.allowAll(),
                DevicesSpec.containerDefaults(),
                DevicesSpec.denyAll().allow(DeviceRule.parse("c *:3 r"), DeviceRule.parse("b 8:* rwm"),
                        DeviceRule.parse("c 10:200 w")),
                DevicesSpec.allowAll().deny(DeviceRule.parse("b *:* rw"), DeviceRule.parse("c 1:1 rwm"),
                        DeviceRule.parse("c *:7 m"), DeviceRule.parse("c 5:* w")));
        int[] numbers = {0, 1, 3, 5, 7, 8, 10, 136, 200, 254};
        int checked = 0;
        for (DevicesSpec spec : specs) {
            for (int type : new int[] {BLOCK, CHAR}) {
                for (int access = 1; access < 8; access++) {
                    for (int major : numbers) {
                        for (int minor : numbers) {
                            assertThat(run(spec.program(), type, access, major, minor))
                                    .as("%s for type %d access %d device %d:%d", spec, type, access, major, minor)
                                    .isEqualTo(reference(spec, type, access, major, minor));
                            checked++;
                        }
                    }
                }
            }
        }
        assertThat(checked).isEqualTo(5 * 2 * 7 * 10 * 10);
    }

    /** The v1 devices controller's decision, written from its documented rule. */
    private static boolean reference(DevicesSpec spec, int type, int access, int major, int minor) {
        for (DeviceRule rule : spec.rules()) {
            boolean device = (rule.type() == DeviceRule.Type.ALL
                    || (rule.type() == DeviceRule.Type.BLOCK ? BLOCK : CHAR) == type)
                    && (rule.major().isEmpty() || rule.major().getAsInt() == major)
                    && (rule.minor().isEmpty() || rule.minor().getAsInt() == minor);
            int covered = bits(rule.access());
            if (!device) {
                continue;
            }
            if (spec.defaultAllow() ? (access & covered) != 0 : (access & ~covered) == 0) {
                return !spec.defaultAllow();
            }
        }
        return spec.defaultAllow();
    }

    private static int bits(Set<DeviceRule.Access> access) {
        int bits = 0;
        for (DeviceRule.Access a : EnumSet.copyOf(access)) {
            bits |= switch (a) {
                case READ -> 2;
                case WRITE -> 4;
                case MKNOD -> 1;
            };
        }
        return bits;
    }

    private static boolean run(DeviceProgram program, int type, int access, int major, int minor) {
        long result = interpret(program.assembled().instructions(), new int[] {(access << 16) | type, major, minor});
        assertThat(result).isIn(0L, 1L);
        return result == 1;
    }

    /**
     * Runs the instructions the device programs use, on a context of three u32 fields
     * (access_type, major, minor) at offsets 0, 4, 8, as the kernel's interpreter would.
     */
    static long interpret(List<EbpfInstruction> program, int[] context) {
        long[] r = new long[11];
        r[1] = 0x1000; // a pretend context address; only loads relative to r1 are allowed
        List<Integer> visited = new ArrayList<>();
        int pc = 0;
        while (true) {
            assertThat(visited.size()).as("steps").isLessThan(10_000);
            visited.add(pc);
            EbpfInstruction i = program.get(pc);
            int cls = i.opcode() & 0x07;
            int op = i.opcode() & 0xf0;
            boolean x = (i.opcode() & 0x08) != 0;
            pc++;
            switch (cls) {
                case 0x01 -> { // LDX
                    assertThat(i.opcode()).as("only u32 loads").isEqualTo(0x61);
                    assertThat(i.src()).as("loads only from the context").isEqualTo(1);
                    assertThat(i.offset() % 4).isZero();
                    r[i.dst()] = Integer.toUnsignedLong(context[i.offset() / 4]);
                }
                case 0x04, 0x07 -> { // ALU, ALU64
                    long operand = x ? r[i.src()] : (long) i.imm();
                    long value = switch (op) {
                        case 0xb0 -> operand;
                        case 0x50 -> r[i.dst()] & operand;
                        case 0x70 -> cls == 0x04 ? (r[i.dst()] & 0xffffffffL) >>> (operand & 31) : r[i.dst()] >>> (operand & 63);
                        default -> throw new AssertionError("ALU op " + Integer.toHexString(op) + " not interpreted");
                    };
                    r[i.dst()] = cls == 0x04 ? value & 0xffffffffL : value;
                }
                case 0x05 -> { // JMP
                    if (op == 0x90) {
                        return r[0];
                    }
                    long operand = x ? r[i.src()] : (long) i.imm();
                    boolean taken = switch (op) {
                        case 0x00 -> true;
                        case 0x10 -> r[i.dst()] == operand;
                        case 0x50 -> r[i.dst()] != operand;
                        case 0x40 -> (r[i.dst()] & operand) != 0;
                        default -> throw new AssertionError("JMP op " + Integer.toHexString(op) + " not interpreted");
                    };
                    if (taken) {
                        pc += i.offset();
                    }
                }
                default -> throw new AssertionError("class " + cls + " not interpreted");
            }
        }
    }
}
