package dev.hako.samples;

import dev.hako.syscalls.KernelFeatures;

/**
 * Prints which container features this kernel offers, as a table: the first thing to run
 * on a new machine.
 */
public final class Features {

    private Features() {
    }

    /** Probes the kernel and prints the report. */
    public static void main(String[] args) {
        System.out.print(KernelFeatures.probe().describe());
    }
}
