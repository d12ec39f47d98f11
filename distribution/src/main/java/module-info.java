/**
 * The {@code cairn} command: starts a member from etcd's command-line flags, and lists the plugins
 * found. The storage and transport plugins are on the module path (lib/ and plugins/ of the
 * package) but not required here: service binding resolves them because spi-storage and
 * spi-transport declare {@code uses}, and the server picks them by id.
 */
module io.cairn.distribution {
    requires io.cairn.server;
    requires io.cairn.spi.storage;
    requires io.cairn.spi.transport;
    // sun.misc.Signal: SIGTERM/SIGINT end the run with exit code 0 after a graceful close
    requires jdk.unsupported;
}
