/** See the module description of {@code dev.hako.cgroupfs}. */
package dev.hako.cgroupfs;
