package dev.hako.cgroupfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Device rules and specs: parsing, validation messages, and the v1 writes. */
class DevicesSpecTest {

    @Test
    void rulesParseAndPrintInTheControllersSyntax() {
        assertThat(DeviceRule.parse("c 1:3 rw")).hasToString("c 1:3 rw").isEqualTo(DeviceRule.character(1, 3, "wr"));
        assertThat(DeviceRule.parse("b *:* m")).hasToString("b *:* m");
        assertThat(DeviceRule.parse("  c 136:*   mrw ")).hasToString("c 136:* rwm");
        assertThat(DeviceRule.parse("c *:7 r").minor()).hasValue(7);
        assertThat(DeviceRule.parse("c *:7 r").major()).isEmpty();
        DeviceRule all = DeviceRule.parse("a");
        assertThat(all.type()).isEqualTo(DeviceRule.Type.ALL);
        assertThat(all.access()).containsExactlyInAnyOrder(DeviceRule.Access.values());
        assertThat(DeviceRule.parse("a *:* rwm")).isEqualTo(all).hasToString("a");
        assertThat(DeviceRule.of(DeviceRule.Type.BLOCK, 254, 0, EnumSet.of(DeviceRule.Access.READ)))
                .hasToString("b 254:0 r");
        assertThat(DeviceRule.character(DeviceRule.MAX_MAJOR, DeviceRule.MAX_MINOR, "m"))
                .hasToString("c 4095:1048575 m");
    }

    @Test
    void badRulesAreRefusedNamingTheRuleAndTheValue() {
        assertThatThrownBy(() -> DeviceRule.parse("x 1:3 rw")).isInstanceOf(InvalidSpecException.class)
                .hasMessage("device rule 'x 1:3 rw': type 'x' is not a (all), b (block) or c (character)");
        assertThatThrownBy(() -> DeviceRule.parse("c 1:3")).isInstanceOf(InvalidSpecException.class)
                .hasMessage("device rule 'c 1:3' is not 'TYPE MAJOR:MINOR ACCESS' (e.g. 'c 1:3 rw') or 'a'");
        assertThatThrownBy(() -> DeviceRule.parse("c 1-3 rw"))
                .hasMessage("device rule 'c 1-3 rw': '1-3' is not MAJOR:MINOR");
        assertThatThrownBy(() -> DeviceRule.parse("c -1:3 rw"))
                .hasMessage("device rule 'c -1:3 rw': major '-1' is not a number or *");
        assertThatThrownBy(() -> DeviceRule.parse("c 1: rw"))
                .hasMessage("device rule 'c 1: rw': minor '' is not a number or *");
        assertThatThrownBy(() -> DeviceRule.parse("c 4096:0 rw"))
                .hasMessage("device rule 'c 4096:0 rw': major 4096 is out of range (0 to 4095, or * for any)");
        assertThatThrownBy(() -> DeviceRule.parse("b 8:1048576 r"))
                .hasMessage("device rule 'b 8:1048576 r': minor 1048576 is out of range (0 to 1048575, or * for any)");
        assertThatThrownBy(() -> DeviceRule.parse("c 1:3 rx"))
                .hasMessage("device rule 'c 1:3 rx': access 'rx' has 'x'; use letters of r (read), w (write), m (mknod)");
        assertThatThrownBy(() -> DeviceRule.parse("a 1:3 rw")).hasMessage(
                "device rule 'a 1:3 rw': type a means every device and every access ('a'); use b or c to name numbers"
                        + " or fewer accesses");
        assertThatThrownBy(() -> DeviceRule.parse("a *:* m")).hasMessageStartingWith(
                "device rule 'a *:* m': type a means every device and every access");
        assertThatThrownBy(() -> DeviceRule.character(-2, 0, "r"))
                .hasMessage("device rule 'c -2:0 r': major -2 is out of range (0 to 4095, or * for any)");
        assertThatThrownBy(() -> DeviceRule.of(DeviceRule.Type.CHAR, 1, 3, Set.of())).hasMessage(
                "device rule 'c 1:3 ': no access given; a rule covers one or more of r (read), w (write), m (mknod)");
        assertThatThrownBy(() -> DeviceRule.block(8, 0, "")).isInstanceOf(InvalidSpecException.class)
                .hasMessageStartingWith("device rule 'b 8:0 ': no access given");
    }

    @Test
    void rulesAreExceptionsToTheDefault() {
        assertThatThrownBy(() -> DevicesSpec.allowAll().allow(DeviceRule.parse("c 1:3 rw")))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("device rule 'c 1:3 rw' allows, but the spec allows every device by default; rules are"
                        + " exceptions to the default: start from DevicesSpec.denyAll()");
        assertThatThrownBy(() -> DevicesSpec.containerDefaults().deny(DeviceRule.parse("b 8:0 r")))
                .hasMessage("device rule 'b 8:0 r' denies, but the spec denies every device by default; rules are"
                        + " exceptions to the default: start from DevicesSpec.allowAll()");
        assertThatThrownBy(() -> DevicesSpec.denyAll().allow(DeviceRule.parse("a"))).hasMessage(
                "device rule 'a' covers every device and access; use DevicesSpec.allowAll() instead of a rule");
        DeviceRule[] many = new DeviceRule[DevicesSpec.MAX_RULES + 1];
        for (int i = 0; i < many.length; i++) {
            many[i] = DeviceRule.character(i % 4096, i / 4096, "r");
        }
        assertThatThrownBy(() -> DevicesSpec.denyAll().allow(many))
                .hasMessage("device rules: 1001 rules are more than the limit of 1000");
    }

    @Test
    void containerDefaultsRenderToV1DenyAllThenAllows() {
        DevicesSpec spec = DevicesSpec.containerDefaults();
        assertThat(spec.controller()).isEqualTo(Controller.DEVICES);
        assertThat(spec.defaultAllow()).isFalse();
        assertThat(spec.render(CgroupVersion.V1)).allMatch(s -> s.controller() == Controller.DEVICES)
                .extracting(Setting::toString).containsExactly(
                        "devices.deny=a",
                        "devices.allow=c *:* m", "devices.allow=b *:* m",
                        "devices.allow=c 1:3 rw", "devices.allow=c 1:5 rw", "devices.allow=c 1:7 rw",
                        "devices.allow=c 1:8 rw", "devices.allow=c 1:9 rw", "devices.allow=c 5:0 rw",
                        "devices.allow=c 5:1 rw", "devices.allow=c 5:2 rw", "devices.allow=c 136:* rw");
        // v2 has no devices files: Cgroup.apply loads the program instead.
        assertThat(spec.render(CgroupVersion.V2)).isEmpty();
        assertThat(spec).isEqualTo(DevicesSpec.containerDefaults()).hasSameHashCodeAs(DevicesSpec.containerDefaults());
    }

    @Test
    void allowAllWithDenialsRendersTheOtherWayRound() {
        DevicesSpec spec = DevicesSpec.allowAll().deny(DeviceRule.parse("b 8:* rwm"), DeviceRule.parse("c 10:200 w"));
        assertThat(spec.render(CgroupVersion.V1)).extracting(Setting::toString)
                .containsExactly("devices.allow=a", "devices.deny=b 8:* rwm", "devices.deny=c 10:200 w");
        assertThat(DevicesSpec.allowAll().render(CgroupVersion.V1)).extracting(Setting::toString)
                .containsExactly("devices.allow=a");
        assertThat(spec).hasToString("devices: allow all, deny [b 8:* rwm, c 10:200 w]");
    }

    @Test
    void describeShowsTheWritesOnV1AndTheProgramOnV2() throws Exception {
        String hybrid = """
                30 22 0:27 / /sys/fs/cgroup rw - tmpfs tmpfs rw
                35 30 0:32 / /sys/fs/cgroup/devices rw - cgroup cgroup rw,devices
                40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
                """;
        String unified = "40 22 0:37 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
        CgroupLayout v1 = CgroupLayout.fromMountinfo(hybrid, p -> Set.of());
        CgroupLayout v2 = CgroupLayout.fromMountinfo(unified, p -> EnumSet.of(Controller.MEMORY));
        DevicesSpec spec = DevicesSpec.denyAll().allow(DeviceRule.parse("c 1:3 rw"));
        assertThat(spec.describe(v1)).isEqualTo("""
                cgroup v1 devices controller, 2 writes:
                devices.deny=a
                devices.allow=c 1:3 rw""");
        assertThat(spec.describe(v2)).startsWith(
                "eBPF BPF_PROG_TYPE_CGROUP_DEVICE program 'hako_devices', 15 instructions, default deny"
                        + " (returns 1 to allow, 0 to deny):\n 0: r2 = *(u32 *)(r1 +0)");
    }
}
