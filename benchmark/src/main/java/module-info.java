/**
 * Benchmarks of Cairn's parts (JMH). Open, because JMH instantiates the generated benchmark
 * classes reflectively.
 */
open module io.cairn.benchmark {
    requires io.cairn.raft;
    requires io.cairn.spi.storage;
    requires jmh.core; // automatic module, name derived from jmh-core-<version>.jar
    // the load generator: etcd's v3 stubs, Netty's HTTP/2 client, HdrHistogram (automatic module, named after its jar)
    requires io.cairn.etcd.protocol;
    requires io.grpc.netty.shaded;
    requires HdrHistogram;
    // the side-by-side runner draws its chart with Java2D
    requires java.desktop;

    exports io.cairn.benchmark.raft;
    exports io.cairn.benchmark.storage;
    exports io.cairn.benchmark.load;
}
