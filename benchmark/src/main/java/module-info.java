/**
 * Benchmarks of Cairn's parts (JMH). Open, because JMH instantiates the generated benchmark
 * classes reflectively.
 */
open module io.cairn.benchmark {
    requires io.cairn.raft;
    requires io.cairn.spi.storage;
    requires jmh.core; // automatic module, name derived from jmh-core-<version>.jar

    exports io.cairn.benchmark.raft;
    exports io.cairn.benchmark.storage;
}
