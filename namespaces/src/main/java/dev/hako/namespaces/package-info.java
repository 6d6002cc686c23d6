/** See the module description of {@code dev.hako.namespaces}. */
package dev.hako.namespaces;
