/** A user's module: needs only Hako's namespaces module (the rest comes transitively). */
module dev.hako.consumer {
    requires dev.hako.namespaces;
}
