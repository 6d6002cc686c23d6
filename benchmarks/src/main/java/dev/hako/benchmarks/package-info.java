/** JMH benchmarks, each against a baseline measured in the same run. */
package dev.hako.benchmarks;
