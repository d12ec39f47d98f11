package io.cairn.server;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.GetResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The member's gRPC client endpoint, called by jetcd (an etcd client no one here wrote). */
class GrpcEndpointTest {

    @TempDir
    Path dir;

    private static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    @Test
    void jetcdWritesThroughRaftAndReadsBack() throws Exception {
        try (CairnServer server = CairnServer.builder().dataDir(dir)
                .clientUrls(List.of(URI.create("http://127.0.0.1:0"))).start()) {
            List<URI> urls = server.clientUrls();
            assertEquals(1, urls.size());
            assertNotEquals(0, urls.get(0).getPort(), "the real port is reported");
            try (Client client = Client.builder().endpoints(urls.toArray(URI[]::new))
                    .retryMaxDuration(Duration.ofSeconds(2)).build()) {
                java.util.concurrent.BlockingQueue<io.etcd.jetcd.watch.WatchEvent> watched = new java.util.concurrent.LinkedBlockingQueue<>();
                // from the next revision on, so the put is seen however late the watch is created
                long next = client.getKVClient().get(bs("jk")).get(10, TimeUnit.SECONDS).getHeader().getRevision() + 1;
                io.etcd.jetcd.Watch.Watcher watcher = client.getWatchClient().watch(bs("jk"),
                        io.etcd.jetcd.options.WatchOption.builder().withRevision(next).build(),
                        response -> watched.addAll(response.getEvents()));
                var put = client.getKVClient().put(bs("jk"), bs("jv")).get(10, TimeUnit.SECONDS);
                io.etcd.jetcd.watch.WatchEvent event = watched.poll(10, TimeUnit.SECONDS);
                assertTrue(event != null, "jetcd's watcher saw the put");
                assertEquals("jv", event.getKeyValue().getValue().toString(StandardCharsets.UTF_8));
                watcher.close();
                assertEquals(server.memberId(), put.getHeader().getMemberId());
                GetResponse got = client.getKVClient().get(bs("jk")).get(10, TimeUnit.SECONDS);
                assertEquals("jv", got.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8));
                assertEquals(put.getHeader().getRevision(), got.getKvs().get(0).getModRevision());
                // and the in-process view sees the same store
                assertEquals("jv", server.client().kv().get(io.cairn.api.Bytes.fromUtf8("jk")).get(10, TimeUnit.SECONDS)
                        .kvs().get(0).value().toUtf8());
                var members = client.getClusterClient().listMember().get(10, TimeUnit.SECONDS).getMembers();
                assertEquals(1, members.size());
                assertTrue(members.get(0).getClientURIs().contains(urls.get(0)), members.get(0).getClientURIs().toString());
                long lease = client.getLeaseClient().grant(30).get(10, TimeUnit.SECONDS).getID();
                assertEquals(30, client.getLeaseClient().timeToLive(lease, io.etcd.jetcd.options.LeaseOption.DEFAULT)
                        .get(10, TimeUnit.SECONDS).getGrantedTTL());
                assertEquals("3.5.0", client.getMaintenanceClient().statusMember(urls.get(0).toString())
                        .get(10, TimeUnit.SECONDS).getVersion());
            }
        }
    }

    @Test
    void aPortInUseIsNamedInTheError() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            URI url = URI.create("http://127.0.0.1:" + taken.getLocalPort());
            CairnServer.StartException e = org.junit.jupiter.api.Assertions.assertThrows(CairnServer.StartException.class,
                    () -> CairnServer.builder().dataDir(dir).clientUrls(List.of(url)).start());
            assertTrue(e.getMessage().contains(String.valueOf(taken.getLocalPort())), e.getMessage());
        }
    }
}
