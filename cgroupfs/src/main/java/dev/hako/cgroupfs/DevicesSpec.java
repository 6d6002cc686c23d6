package dev.hako.cgroupfs;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which device nodes the processes of a group may open (read, write) and create (mknod):
 * a default, allow or deny, and rules that make exceptions to it.
 *
 * <p>Build one with {@link #denyAll()} and {@link #allow}, or {@link #allowAll()} and
 * {@link #deny}; {@link #containerDefaults()} is the policy of a container's private /dev.
 * The exceptions always go against the default, as in the v1 controller's model (a default
 * behaviour and an exception list), so the same spec means the same thing in both versions:
 * <ul>
 *   <li>cgroup v1: the {@code devices} controller's files, {@code devices.deny} (or
 *       {@code .allow}) with {@code a} first, then one write per rule to the other file; see
 *       <a href="https://docs.kernel.org/admin-guide/cgroup-v1/devices.html">Device Whitelist
 *       Controller</a>. {@link #render} returns those writes.</li>
 *   <li>cgroup v2: no files; an eBPF program of type {@code BPF_PROG_TYPE_CGROUP_DEVICE},
 *       assembled in Java ({@link #program()}), which {@link Cgroup#apply} loads with bpf(2)
 *       and attaches to the group's directory with {@code BPF_F_ALLOW_MULTI}, replacing the
 *       program it attached before; see the
 *       <a href="https://docs.kernel.org/admin-guide/cgroup-v2.html#device-controller">Device
 *       controller</a>. The kernel releases the program when the group is removed. Needs a
 *       kernel with {@code CONFIG_CGROUP_BPF}.</li>
 * </ul>
 * A group is never granted more than its parent: v1 refuses such an exception, and on v2 the
 * programs of every ancestor must allow too.
 */
public final class DevicesSpec implements ControllerSpec {
    /** At most this many rules: keeps the program far below the kernel's 16-bit jump range and v1 lists short. */
    public static final int MAX_RULES = 1000;

    private final boolean defaultAllow;
    private final List<DeviceRule> rules;
    private final DeviceProgram program;

    private DevicesSpec(boolean defaultAllow, List<DeviceRule> rules) {
        this.defaultAllow = defaultAllow;
        this.rules = List.copyOf(rules);
        this.program = DeviceProgram.compile(defaultAllow, this.rules);
    }

    /** {@return a spec denying every device; add exceptions with {@link #allow}} */
    public static DevicesSpec denyAll() {
        return new DevicesSpec(false, List.of());
    }

    /** {@return a spec allowing every device; add exceptions with {@link #deny}} */
    public static DevicesSpec allowAll() {
        return new DevicesSpec(true, List.of());
    }

    /**
     * What a container's private /dev needs, and nothing more: deny all, then allow
     * <ul>
     *   <li>{@code c *:* m} and {@code b *:* m}: making nodes, not opening them, as Docker allows;</li>
     *   <li>{@code rw} of null 1:3, zero 1:5, full 1:7, random 1:8, urandom 1:9, tty 5:0,
     *       console 5:1, ptmx 5:2, and the devpts terminals 136:*.</li>
     * </ul>
     * A disk node made with mknod inside can therefore not be opened.
     *
     * @return the spec
     */
    public static DevicesSpec containerDefaults() {
        return denyAll().allow(
                DeviceRule.character(DeviceRule.ANY, DeviceRule.ANY, "m"),
                DeviceRule.block(DeviceRule.ANY, DeviceRule.ANY, "m"),
                DeviceRule.character(1, 3, "rw"),
                DeviceRule.character(1, 5, "rw"),
                DeviceRule.character(1, 7, "rw"),
                DeviceRule.character(1, 8, "rw"),
                DeviceRule.character(1, 9, "rw"),
                DeviceRule.character(5, 0, "rw"),
                DeviceRule.character(5, 1, "rw"),
                DeviceRule.character(5, 2, "rw"),
                DeviceRule.character(136, DeviceRule.ANY, "rw"));
    }

    /**
     * This spec with more devices allowed; only on a spec that denies by default.
     *
     * @param more the rules, e.g. {@code DeviceRule.parse("c 10:200 rw")} for /dev/net/tun
     * @return a new spec
     * @throws InvalidSpecException on an allow-all spec, for an {@code a} rule, or past {@link #MAX_RULES}
     */
    public DevicesSpec allow(DeviceRule... more) {
        return with(false, more);
    }

    /**
     * This spec with devices denied; only on a spec that allows by default.
     *
     * @param more the rules, e.g. {@code DeviceRule.parse("b 8:* rwm")}
     * @return a new spec
     * @throws InvalidSpecException on a deny-all spec, for an {@code a} rule, or past {@link #MAX_RULES}
     */
    public DevicesSpec deny(DeviceRule... more) {
        return with(true, more);
    }

    private DevicesSpec with(boolean denying, DeviceRule... more) {
        List<DeviceRule> all = new ArrayList<>(rules);
        for (DeviceRule rule : more) {
            Objects.requireNonNull(rule, "rule");
            String verb = denying ? "denies" : "allows";
            if (defaultAllow != denying) {
                throw new InvalidSpecException("device rule '" + rule + "' " + verb + ", but the spec " + verb
                        + " every device by default; rules are exceptions to the default: start from DevicesSpec."
                        + (denying ? "allowAll()" : "denyAll()"));
            }
            if (rule.type() == DeviceRule.Type.ALL) {
                throw new InvalidSpecException("device rule 'a' covers every device and access; use DevicesSpec."
                        + (denying ? "denyAll()" : "allowAll()") + " instead of a rule");
            }
            all.add(rule);
        }
        if (all.size() > MAX_RULES) {
            throw new InvalidSpecException("device rules: " + all.size() + " rules are more than the limit of "
                    + MAX_RULES);
        }
        return new DevicesSpec(defaultAllow, all);
    }

    /** {@return true if devices no rule names are allowed, false if they are denied} */
    public boolean defaultAllow() {
        return defaultAllow;
    }

    /** {@return the exceptions to the default, in order} */
    public List<DeviceRule> rules() {
        return rules;
    }

    /** {@return the eBPF program this spec compiles to for cgroup v2} */
    public DeviceProgram program() {
        return program;
    }

    @Override
    public Controller controller() {
        return Controller.DEVICES;
    }

    /**
     * The control-file writes: on v1, the default ({@code a} to {@code devices.deny} or
     * {@code devices.allow}) and then one line per rule to the other file. On v2 there are
     * no files and the list is empty: {@link Cgroup#apply} loads {@link #program()} instead.
     *
     * @param version the interface of the hierarchy
     * @return the writes (empty on v2)
     */
    @Override
    public List<Setting> render(CgroupVersion version) {
        if (version == CgroupVersion.V2) {
            return List.of();
        }
        String reset = defaultAllow ? "devices.allow" : "devices.deny";
        String exceptions = defaultAllow ? "devices.deny" : "devices.allow";
        List<Setting> out = new ArrayList<>();
        out.add(new Setting(Controller.DEVICES, reset, "a"));
        for (DeviceRule rule : rules) {
            out.add(new Setting(Controller.DEVICES, exceptions, rule.toString()));
        }
        return out;
    }

    /**
     * The policy as it will be enforced in a layout: the v1 writes, one a line, where the
     * devices controller is mounted; otherwise the v2 program's header and listing.
     *
     * @param layout the layout the group lives in
     * @return readable text for a plan or a dry run
     */
    public String describe(CgroupLayout layout) {
        if (DeviceFilters.usesProgram(layout)) {
            return program.toString();
        }
        StringBuilder out = new StringBuilder("cgroup v1 devices controller, " + (rules.size() + 1) + " writes:");
        for (Setting s : render(CgroupVersion.V1)) {
            out.append('\n').append(s);
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DevicesSpec d && d.defaultAllow == defaultAllow && d.rules.equals(rules);
    }

    @Override
    public int hashCode() {
        return Objects.hash(defaultAllow, rules);
    }

    @Override
    public String toString() {
        return "devices: " + (defaultAllow ? "allow all, deny " : "deny all, allow ") + rules;
    }
}
