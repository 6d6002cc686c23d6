/** See the module description of {@code dev.hako.syscalls}. */
package dev.hako.syscalls;
