/**
 * The launch engine behind {@link dev.hako.namespaces.ContainerBuilder}: the validated
 * {@link dev.hako.namespaces.launch.LaunchSpec}, the {@link dev.hako.namespaces.launch.Plan}
 * compiled from it, the child program and its compilers, the row interpreter that runs it
 * after clone3, the {@link dev.hako.namespaces.launch.Launcher} and the
 * {@link dev.hako.namespaces.launch.Reaper}. Not exported: its types are public only so
 * that the API package can use them, and may change with any release. What it needs of
 * the API's package-private state it reads through {@link dev.hako.namespaces.launch.ApiAccess}.
 */
package dev.hako.namespaces.launch;
