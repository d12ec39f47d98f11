/**
 * The {@code cairn} command: starts a member from etcd's command-line flags, environment variables
 * or YAML configuration file, and lists the plugins found. The storage and transport plugins are on
 * the module path (lib/ and plugins/ of the package) but not required here: service binding
 * resolves them because spi-storage and spi-transport declare {@code uses}, and the server picks
 * them by id. Logs go through SLF4J to logback (see {@code LogSetup}).
 */
module io.cairn.distribution {
    requires io.cairn.server;
    requires io.cairn.spi.storage;
    requires io.cairn.spi.transport;
    // sun.misc.Signal: SIGTERM/SIGINT end the run with exit code 0 after a graceful close
    requires jdk.unsupported;
    // --config-file: etcd's YAML configuration file
    requires org.yaml.snakeyaml;
    // logs: SLF4J to logback, configured from --log-level/--log-format; java.util.logging (grpc-java) bridged
    requires org.slf4j;
    requires ch.qos.logback.classic;
    requires ch.qos.logback.core;
    requires jul.to.slf4j;
    requires java.logging;

    // logback's configuration until the flags are read: text at info on stderr (its own default is debug on stdout)
    provides ch.qos.logback.classic.spi.Configurator with io.cairn.distribution.LogSetup.DefaultConfiguration;
}
