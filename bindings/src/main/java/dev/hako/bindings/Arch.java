package dev.hako.bindings;

import java.util.Locale;

/**
 * The CPU architecture this JVM runs on, as far as the generated bindings care.
 *
 * <p>Constants, struct layouts and syscall numbers are generated per architecture; the
 * generated header class picks one set through {@link #CURRENT}. Older syscalls
 * (mount, unshare, setns, pivot_root...) have different numbers on x86_64 and aarch64,
 * and some flags ({@code O_DIRECTORY}, {@code O_NOFOLLOW}) differ too, so guessing is not
 * an option: an unsupported architecture fails on first use with a message naming it.
 */
public enum Arch {
    /** 64-bit x86 (Java {@code os.arch} "amd64" or "x86_64"). */
    X86_64,
    /** 64-bit ARM (Java {@code os.arch} "aarch64" or "arm64"). */
    AARCH64;

    /** The architecture of this JVM; throws {@link UnsupportedOperationException} on others. */
    public static final Arch CURRENT = detect(System.getProperty("os.arch", ""), System.getProperty("os.name", ""));

    /** True on x86_64; used by generated code to choose between the two value sets. */
    static final boolean IS_X86_64 = CURRENT == X86_64;

    /**
     * Maps Java's {@code os.name}/{@code os.arch} to a supported architecture.
     *
     * @throws UnsupportedOperationException for anything but Linux on x86_64 or aarch64
     */
    static Arch detect(String osArch, String osName) {
        if (!osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
            throw new UnsupportedOperationException("Hako runs on Linux only; this JVM reports os.name="
                    + osName + ". Containers need Linux namespaces and cgroups.");
        }
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64", "arm64" -> AARCH64;
            default -> throw new UnsupportedOperationException("Hako has bindings for x86_64 and aarch64 only;"
                    + " this JVM reports os.arch=" + osArch
                    + ". Generate bindings for it with bindings/generate (see bindings/README.md).");
        };
    }
}
