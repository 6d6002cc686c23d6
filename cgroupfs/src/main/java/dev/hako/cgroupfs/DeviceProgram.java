package dev.hako.cgroupfs;

import static dev.hako.cgroupfs.EbpfAssembler.Reg.R0;
import static dev.hako.cgroupfs.EbpfAssembler.Reg.R1;
import static dev.hako.cgroupfs.EbpfAssembler.Reg.R2;
import static dev.hako.cgroupfs.EbpfAssembler.Reg.R3;
import static dev.hako.cgroupfs.EbpfAssembler.Reg.R4;
import static dev.hako.cgroupfs.EbpfAssembler.Reg.R5;

import dev.hako.bindings.Linux;
import dev.hako.bindings.bpf_cgroup_dev_ctx;
import java.util.List;

/**
 * The eBPF program ({@code BPF_PROG_TYPE_CGROUP_DEVICE}) a {@link DevicesSpec} compiles to
 * for cgroup v2, which has no devices files: the kernel runs it on every open and mknod of
 * a device node by a process in the group, and denies the access when it returns 0.
 *
 * <p>The program reads {@code struct bpf_cgroup_dev_ctx} (type in the low 16 bits of
 * {@code access_type}, the requested accesses in the high 16, then major and minor),
 * tests the rules in order, and returns the exception's verdict at the first match, the
 * default otherwise. {@link #listing()} shows it in the kernel verifier's notation, each
 * rule's first instruction commented with the rule. See the kernel's
 * <a href="https://docs.kernel.org/admin-guide/cgroup-v2.html#device-controller">Device controller</a>.
 */
public final class DeviceProgram {
    /** The license the program is loaded under; it calls no helper, so any would do. */
    static final String LICENSE = "GPL";
    /** The name bpftool and /proc/PID/fdinfo show. */
    static final String NAME = "hako_devices";

    private final EbpfProgram program;
    private final boolean defaultAllow;

    private DeviceProgram(EbpfProgram program, boolean defaultAllow) {
        this.program = program;
        this.defaultAllow = defaultAllow;
    }

    /**
     * Compiles rules: each rule tests type, major and minor (skipping those it leaves open)
     * and then the requested accesses, jumping to the next rule on a mismatch.
     */
    static DeviceProgram compile(boolean defaultAllow, List<DeviceRule> rules) {
        EbpfAssembler a = new EbpfAssembler();
        EbpfAssembler.Label exception = new EbpfAssembler.Label("exception");
        a.comment("access_type").loadWord(R2, R1, (int) bpf_cgroup_dev_ctx.access_type$offset());
        a.comment("device type: low 16 bits").alu32(Linux.BPF_MOV(), R3, R2);
        a.alu32(Linux.BPF_AND(), R3, 0xffff);
        a.comment("requested access: high 16 bits").alu32(Linux.BPF_RSH(), R2, 16);
        a.comment("major").loadWord(R4, R1, (int) bpf_cgroup_dev_ctx.major$offset());
        a.comment("minor").loadWord(R5, R1, (int) bpf_cgroup_dev_ctx.minor$offset());
        for (int i = 0; i < rules.size(); i++) {
            DeviceRule rule = rules.get(i);
            EbpfAssembler.Label next = new EbpfAssembler.Label("rule" + (i + 1));
            a.comment((defaultAllow ? "deny " : "allow ") + rule);
            if (rule.type() != DeviceRule.Type.ALL) {
                a.jump(Linux.BPF_JNE(), R3, rule.type() == DeviceRule.Type.BLOCK
                        ? Linux.BPF_DEVCG_DEV_BLOCK() : Linux.BPF_DEVCG_DEV_CHAR(), next);
            }
            if (rule.rawMajor() != DeviceRule.ANY) {
                a.jump(Linux.BPF_JNE(), R4, rule.rawMajor(), next);
            }
            if (rule.rawMinor() != DeviceRule.ANY) {
                a.jump(Linux.BPF_JNE(), R5, rule.rawMinor(), next);
            }
            int bits = accessBits(rule);
            if (defaultAllow) {
                // A deny rule matches when any requested access is one it covers.
                a.jump(Linux.BPF_JSET(), R2, bits, exception);
            } else {
                // An allow rule matches when every requested access is one it covers; a bit
                // the kernel may add one day is never covered, so it is denied.
                a.jump(Linux.BPF_JSET(), R2, ~bits, next);
                a.jumpAlways(exception);
            }
            a.bind(next);
        }
        a.comment("no rule matched: " + (defaultAllow ? "allow" : "deny"))
                .alu64(Linux.BPF_MOV(), R0, defaultAllow ? 1 : 0).exit();
        if (!rules.isEmpty()) {
            // Only reachable through a rule: the verifier refuses unreachable instructions.
            a.bind(exception).comment("a rule matched: " + (defaultAllow ? "deny" : "allow"))
                    .alu64(Linux.BPF_MOV(), R0, defaultAllow ? 0 : 1).exit();
        }
        return new DeviceProgram(a.assemble(), defaultAllow);
    }

    private static int accessBits(DeviceRule rule) {
        int bits = 0;
        for (DeviceRule.Access access : rule.access()) {
            bits |= switch (access) {
                case READ -> Linux.BPF_DEVCG_ACC_READ();
                case WRITE -> Linux.BPF_DEVCG_ACC_WRITE();
                case MKNOD -> Linux.BPF_DEVCG_ACC_MKNOD();
            };
        }
        return bits;
    }

    /** {@return the number of eBPF instructions} */
    public int instructionCount() {
        return program.instructions().size();
    }

    /**
     * The program, one instruction a line: index, the instruction in the kernel verifier's
     * notation (jumps with their absolute target in angle brackets) and a comment.
     *
     * @return the lines
     */
    public List<String> listing() {
        return program.listing();
    }

    /** The encoded instructions for bpf(BPF_PROG_LOAD). */
    byte[] encode() {
        return program.encode();
    }

    /** The assembled program, for tests. */
    EbpfProgram assembled() {
        return program;
    }

    /** {@return a header line (type, instruction count, default) and the listing} */
    @Override
    public String toString() {
        return "eBPF BPF_PROG_TYPE_CGROUP_DEVICE program '" + NAME + "', " + instructionCount()
                + " instructions, default " + (defaultAllow ? "allow" : "deny") + " (returns 1 to allow, 0 to deny):\n"
                + String.join("\n", listing());
    }
}
