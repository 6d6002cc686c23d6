/** See the module description of {@code dev.hako.bindings}. */
package dev.hako.bindings;
