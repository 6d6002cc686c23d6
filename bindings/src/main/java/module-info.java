/**
 * Generated FFM bindings to the Linux kernel UAPI and glibc: constants, struct layouts,
 * syscall numbers and downcall handles, for x86_64 and aarch64, chosen at run time.
 */
module dev.hako.bindings {
    exports dev.hako.bindings;
}
