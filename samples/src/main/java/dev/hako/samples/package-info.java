/** Small programs on Hako's public API. */
package dev.hako.samples;
