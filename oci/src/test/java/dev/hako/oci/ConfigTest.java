package dev.hako.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config.json parsing, its refusals (JSON path and rule), and the mapping onto the builder. */
class ConfigTest {

    @TempDir
    Path temp;
    Path bundle;
    ObjectNode config;

    @BeforeEach
    void bundle() throws Exception {
        bundle = Files.createDirectories(temp.resolve("bundle"));
        Bundles.busyboxRootfs(bundle.resolve("rootfs"));
        config = Bundles.config("rootfs", "sh", "-c", "echo hi; exit 3");
    }

    private Config parse() {
        return Config.parse(config, bundle);
    }

    @Test
    void aCtrStyleConfigMapsOntoTheBuilder() {
        Config parsed = parse();
        assertThat(parsed.root()).isEqualTo(bundle.resolve("rootfs"));
        assertThat(parsed.process().args()).containsExactly("sh", "-c", "echo hi; exit 3");
        ConfigMapping.Mapped mapped = ConfigMapping.builder(parsed, bundle);
        String plan = mapped.builder().plan().describe();
        assertThat(plan).contains("sethostname(\"box\"").contains("pivot_root").contains("CLONE_NEWPID")
                .contains("CLONE_NEWNET").contains("execve(\"/bin/sh\"").doesNotContain("seccomp(");
        assertThat(mapped.notes()).isEmpty();
        assertThat(ConfigMapping.deviceRules(parsed.linux()).defaultAllow()).isFalse();
    }

    @Test
    void anUnknownNamespaceTypeIsRefusedWithItsPath() {
        ((ArrayNode) config.path("linux").path("namespaces")).insertObject(2).put("type", "foo");
        assertThatThrownBy(this::parse).isInstanceOf(InvalidConfigException.class)
                .hasMessage("linux.namespaces[2].type: \"foo\" is not a namespace type (pid, network, mount, ipc,"
                        + " uts, user, cgroup, time)");
    }

    @Test
    void overlappingIdMappingsAreRefused() {
        ObjectNode linux = (ObjectNode) config.get("linux");
        ((ArrayNode) linux.get("namespaces")).addObject().put("type", "user");
        ArrayNode uids = linux.putArray("uidMappings");
        uids.addObject().put("containerID", 0).put("hostID", 100000).put("size", 65536);
        uids.addObject().put("containerID", 1000).put("hostID", 300000).put("size", 10);
        linux.putArray("gidMappings").addObject().put("containerID", 0).put("hostID", 100000).put("size", 65536);
        assertThatThrownBy(this::parse).isInstanceOf(InvalidConfigException.class)
                .hasMessage("linux.uidMappings[1]: containerID range 1000..1009 overlaps linux.uidMappings[0]"
                        + " (0..65535)");
    }

    @Test
    void overlappingHostIdsAreRefusedToo() {
        ObjectNode linux = (ObjectNode) config.get("linux");
        ((ArrayNode) linux.get("namespaces")).addObject().put("type", "user");
        linux.putArray("uidMappings").addObject().put("containerID", 0).put("hostID", 100000).put("size", 1);
        ArrayNode gids = linux.putArray("gidMappings");
        gids.addObject().put("containerID", 0).put("hostID", 100000).put("size", 100);
        gids.addObject().put("containerID", 500).put("hostID", 100050).put("size", 100);
        assertThatThrownBy(this::parse).isInstanceOf(InvalidConfigException.class)
                .hasMessage("linux.gidMappings[1]: hostID range 100050..100149 overlaps linux.gidMappings[0]"
                        + " (100000..100099)");
    }

    @Test
    void aRelativeRootPathThatLeavesTheBundleIsRefused() {
        ((ObjectNode) config.get("root")).put("path", "rootfs/../../elsewhere");
        assertThatThrownBy(this::parse).isInstanceOf(InvalidConfigException.class)
                .hasMessage("root.path: \"rootfs/../../elsewhere\" leads outside the bundle " + bundle
                        + "; a relative root path must stay inside it");
    }

    @Test
    void aMountDestinationWithDotDotIsRefused() {
        ((ArrayNode) config.get("mounts")).addObject().put("destination", "/tmp/../etc").put("type", "tmpfs");
        assertThatThrownBy(this::parse).isInstanceOf(InvalidConfigException.class)
                .hasMessage("mounts[7].destination: \"/tmp/../etc\" has a \"..\" component; a destination must not"
                        + " walk out of the root");
    }

    @Test
    void missingProcessArgsAreRefused() {
        ((ObjectNode) config.get("process")).remove("args");
        assertThatThrownBy(this::parse).isInstanceOf(InvalidConfigException.class)
                .hasMessage("process.args: missing; give the program to run and its arguments");
        ((ObjectNode) config.get("process")).putArray("args");
        assertThatThrownBy(this::parse).isInstanceOf(InvalidConfigException.class)
                .hasMessage("process.args: is empty; give the program to run and its arguments");
    }

    @Test
    void wrongTypesNameTheirPath() {
        ((ObjectNode) config.get("process").get("user")).put("uid", "root");
        assertThatThrownBy(this::parse).isInstanceOf(InvalidConfigException.class)
                .hasMessage("process.user.uid: must be an integer, not the string \"root\"");
    }

    @Test
    void anUnknownCapabilityNamesItsIndex() {
        ((ArrayNode) config.get("process").get("capabilities").get("bounding")).add("CAP_FLY");
        assertThatThrownBy(this::parse).isInstanceOf(InvalidConfigException.class)
                .hasMessage("process.capabilities.bounding[14]: \"CAP_FLY\" is not a capability this kernel's"
                        + " bindings know");
    }

    @Test
    void effectiveCapabilitiesOutsidePermittedAreRefusedAtMapping() {
        ((ArrayNode) config.get("process").get("capabilities").get("effective")).add("CAP_SYS_ADMIN");
        Config parsed = parse();
        assertThatThrownBy(() -> ConfigMapping.builder(parsed, bundle)).isInstanceOf(InvalidConfigException.class)
                .hasMessage("process.capabilities: the effective set must be within the permitted set, but has"
                        + " [SYS_ADMIN] that it lacks");
    }

    @Test
    void aSeccompErrorNamesItsPath() {
        ObjectNode seccomp = ((ObjectNode) config.get("linux")).putObject("seccomp");
        seccomp.put("defaultAction", "SCMP_ACT_ERRNO");
        seccomp.putArray("syscalls").addObject().put("action", "SCMP_ACT_DANCE").putArray("names").add("read");
        Config parsed = parse();
        assertThatThrownBy(() -> ConfigMapping.builder(parsed, bundle)).isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("linux.seccomp.syscalls[0].action: \"SCMP_ACT_DANCE\" is not a seccomp action");
    }

    @Test
    void aSeccompProfileBecomesTheFilter() {
        ObjectNode seccomp = ((ObjectNode) config.get("linux")).putObject("seccomp");
        seccomp.put("defaultAction", "SCMP_ACT_ALLOW");
        seccomp.putArray("syscalls").addObject().put("action", "SCMP_ACT_ERRNO").putArray("names").add("mkdir");
        String plan = ConfigMapping.builder(parse(), bundle).builder().plan().describe();
        assertThat(plan).contains("seccomp(SECCOMP_SET_MODE_FILTER");
    }

    @Test
    void anUnsupportedMountTypeIsRefusedByName() {
        ((ArrayNode) config.get("mounts")).addObject().put("destination", "/mnt").put("type", "nfs")
                .put("source", "server:/x");
        Config parsed = parse();
        assertThatThrownBy(() -> ConfigMapping.builder(parsed, bundle)).isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("mounts[7].type: \"nfs\" on /mnt is not supported by hako-oci");
    }

    @Test
    void aHostnameWithoutAUtsNamespaceIsRefused() {
        ArrayNode namespaces = (ArrayNode) config.get("linux").get("namespaces");
        namespaces.remove(2);
        assertThatThrownBy(this::parse).isInstanceOf(InvalidConfigException.class)
                .hasMessage("hostname: set, but linux.namespaces has no uts namespace to hold it");
    }

    @Test
    void deviceRulesAfterTheFirstAreExceptions() {
        ArrayNode rules = (ArrayNode) config.get("linux").get("resources").get("devices");
        rules.addObject().put("allow", true).put("type", "c").put("major", 10).put("minor", 200).put("access", "rw");
        assertThat(ConfigMapping.deviceRules(parse().linux()).rules())
                .anySatisfy(rule -> assertThat(rule.toString()).isEqualTo("c 10:200 rw"));
        rules.addObject().put("allow", false).put("type", "b").put("access", "r");
        assertThatThrownBy(() -> ConfigMapping.deviceRules(parse().linux()))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("linux.resources.devices[2]: repeats the default (deny) of rule 0; hako-oci takes later"
                        + " rules as exceptions to it");
    }

    @Test
    void cpuSharesAreKeptAsSharesOnCgroupV1() {
        ((ObjectNode) config.get("linux").get("resources")).putObject("cpu").put("shares", 1024);
        dev.hako.cgroupfs.ControllerSpec cpu = ConfigMapping.limits(parse().linux().resources()).getFirst();
        assertThat(cpu.render(dev.hako.cgroupfs.CgroupVersion.V1)).extracting(Object::toString)
                .containsExactly("cpu.shares=1024");
        assertThat(cpu.render(dev.hako.cgroupfs.CgroupVersion.V2)).extracting(Object::toString)
                .containsExactly("cpu.weight=39");
    }

    @Test
    void devicesBecomeNodesAndAreAllowedByTheDeviceRules() {
        ArrayNode devices = ((ObjectNode) config.get("linux")).putArray("devices");
        devices.addObject().put("path", "/dev/test1").put("type", "c").put("major", 10).put("minor", 666)
                .put("fileMode", 0660).put("uid", 0).put("gid", 0);
        devices.addObject().put("path", "/dev/fifo").put("type", "p");
        devices.addObject().put("path", "/dev/null").put("type", "c").put("major", 1).put("minor", 3);
        Config parsed = parse();
        String plan = ConfigMapping.builder(parsed, bundle).builder().plan().describe();
        assertThat(plan).contains("mknodat(AT_FDCWD, \"test1\", S_IFCHR|0660, makedev(0xa, 0x29a))")
                .contains("fchmodat(AT_FDCWD, \"test1\", 0660)")
                .contains("fchownat(AT_FDCWD, \"test1\", 0, 0, AT_SYMLINK_NOFOLLOW)")
                .contains("mknodat(AT_FDCWD, \"fifo\", S_IFIFO|0666, 0)")
                // the private /dev has /dev/null already, bound from the host's
                .doesNotContain("\"null\", S_IFCHR");
        assertThat(ConfigMapping.deviceRules(parsed.linux()).rules())
                .anySatisfy(rule -> assertThat(rule.toString()).isEqualTo("c 10:666 rwm"));
    }

    @Test
    void badDevicesNameTheirPath() {
        ArrayNode devices = ((ObjectNode) config.get("linux")).putArray("devices");
        devices.addObject().put("path", "dev/x").put("type", "c").put("major", 1).put("minor", 1);
        assertThatThrownBy(this::parse).isInstanceOf(InvalidConfigException.class)
                .hasMessage("linux.devices[0].path: \"dev/x\" must be an absolute path");
        devices.removeAll().addObject().put("path", "/dev/x").put("type", "b").put("major", 8);
        assertThatThrownBy(this::parse).isInstanceOf(InvalidConfigException.class)
                .hasMessage("linux.devices[0].minor: missing; a block device needs its major and minor numbers");
        devices.removeAll().addObject().put("path", "/dev/x").put("type", "c").put("major", 5000).put("minor", 1);
        assertThatThrownBy(this::parse).isInstanceOf(InvalidConfigException.class)
                .hasMessage("linux.devices[0].major: 5000 is outside 0..4095");
        devices.removeAll().addObject().put("path", "/dev/../x").put("type", "p");
        Config parsed = parse();
        assertThatThrownBy(() -> ConfigMapping.builder(parsed, bundle)).isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("linux.devices[0]: device node path \"/dev/../x\" contains a \"..\" component");
    }

    @Test
    void maskedAndReadOnlyPathsAreTheConfigsOwnAndAbsolute() {
        ((ArrayNode) config.get("linux").get("maskedPaths")).add("/secret");
        String plan = ConfigMapping.builder(parse(), bundle).builder().plan().describe();
        assertThat(plan).contains("openat2(<root>, \"secret\", {flags=O_DIRECTORY|O_PATH|O_CLOEXEC");
        ((ArrayNode) config.get("linux").get("readonlyPaths")).add("relative/path");
        assertThatThrownBy(this::parse).isInstanceOf(InvalidConfigException.class)
                .hasMessage("linux.readonlyPaths[2]: \"relative/path\" must be an absolute path inside the container");
    }

    @Test
    void aReadOnlyRootIsRemountedAfterPivotRoot() {
        ((ObjectNode) config.get("root")).put("readonly", true);
        String plan = ConfigMapping.builder(parse(), bundle).builder().plan().describe();
        assertThat(plan.indexOf("pivot_root")).isLessThan(plan.indexOf("mount_setattr(AT_FDCWD, \"/\", 0,"
                + " {attr_set=MOUNT_ATTR_RDONLY"));
    }

    @Test
    void joinedMountAndUtsNamespacesAreJoinedAndSetUp() {
        ArrayNode namespaces = (ArrayNode) config.get("linux").get("namespaces");
        for (int i = 0; i < namespaces.size(); i++) {
            String type = namespaces.get(i).get("type").asText();
            if (type.equals("mount") || type.equals("uts")) {
                ((ObjectNode) namespaces.get(i)).put("path", "/proc/self/ns/" + (type.equals("mount") ? "mnt" : "uts"));
            }
        }
        String plan = ConfigMapping.builder(parse(), bundle).builder().plan().describe();
        assertThat(plan).contains("setns(<mnt at /proc/self/ns/mnt>, CLONE_NEWNS)")
                .contains("sethostname(\"box\"").contains("pivot_root");
        String clone = plan.lines().filter(line -> line.contains("clone3(")).findFirst().orElseThrow();
        assertThat(clone).contains("CLONE_NEWPID").doesNotContain("CLONE_NEWUTS").doesNotContain("CLONE_NEWNS");
    }

    @Test
    void onlyNamespacedSysctlsOfTheContainersOwnNamespacesAreAccepted() {
        ObjectNode sysctl = ((ObjectNode) config.get("linux")).putObject("sysctl");
        sysctl.put("net.ipv4.ip_forward", "1").put("kernel.shmmax", "65536");
        Sysctls.check(parse().linux());
        sysctl.put("kernel.pid_max", "100");
        assertThatThrownBy(() -> Sysctls.check(parse().linux())).isInstanceOf(InvalidConfigException.class)
                .hasMessage("linux.sysctl.kernel.pid_max: is not kept per namespace; writing it would change the host");
        sysctl.remove("kernel.pid_max");
        ((ArrayNode) config.get("linux").get("namespaces")).remove(4); // network
        assertThatThrownBy(() -> Sysctls.check(parse().linux())).isInstanceOf(InvalidConfigException.class)
                .hasMessage("linux.sysctl.net.ipv4.ip_forward: needs a new net namespace in linux.namespaces;"
                        + " without one it would change the host's");
    }

    @Test
    void aRefusedConfigCreatesNothing() throws Exception {
        ((ArrayNode) config.path("linux").path("namespaces")).addObject().put("type", "foo");
        Bundles.write(bundle, config);
        Path root = temp.resolve("state");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Runtime runtime = new Runtime(root, new RuntimeLog(null, "text"), new PrintStream(out));
        String[] args = {"create", "--bundle", bundle.toString(), "--pid-file", temp.resolve("pid").toString(), "c1"};
        assertThatThrownBy(() -> runtime.run("create", args, 1)).isInstanceOf(InvalidConfigException.class)
                .hasMessage("linux.namespaces[5].type: \"foo\" is not a namespace type (pid, network, mount, ipc,"
                        + " uts, user, cgroup, time)");
        assertThat(root).doesNotExist();
        assertThat(temp.resolve("pid")).doesNotExist();
        assertThat(out.toString()).isEmpty();
    }
}
