package dev.hako.bindings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ArchTest {

    @Test
    void mapsJavaArchitectureNames() {
        assertThat(Arch.detect("amd64", "Linux")).isEqualTo(Arch.X86_64);
        assertThat(Arch.detect("x86_64", "Linux")).isEqualTo(Arch.X86_64);
        assertThat(Arch.detect("aarch64", "Linux")).isEqualTo(Arch.AARCH64);
    }

    @Test
    void rejectsOtherArchitecturesByName() {
        assertThatThrownBy(() -> Arch.detect("riscv64", "Linux"))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessage("Hako has bindings for x86_64 and aarch64 only; this JVM reports os.arch=riscv64."
                        + " Generate bindings for it with bindings/generate (see bindings/README.md).");
    }

    @Test
    void rejectsOtherSystems() {
        assertThatThrownBy(() -> Arch.detect("amd64", "Mac OS X"))
                .hasMessageStartingWith("Hako runs on Linux only; this JVM reports os.name=Mac OS X.");
    }

    @Test
    void currentIsThisMachine() {
        assertThat(Arch.CURRENT.name().toLowerCase()).isEqualTo(
                System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch"));
    }
}
