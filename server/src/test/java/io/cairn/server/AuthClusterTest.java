package io.cairn.server;

import io.cairn.api.Bytes;
import io.cairn.api.Cairn;
import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.KeyRange;
import io.cairn.api.auth.AuthRoleAddRequest;
import io.cairn.api.auth.AuthRoleGrantPermissionRequest;
import io.cairn.api.auth.AuthRoleRevokePermissionRequest;
import io.cairn.api.auth.AuthUserAddRequest;
import io.cairn.api.auth.AuthUserGrantRoleRequest;
import io.cairn.api.auth.AuthenticateRequest;
import io.cairn.api.auth.Permission;
import io.cairn.api.kv.PutRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Auth on three members: tokens from one member work on all, revocations take effect everywhere at once. */
class AuthClusterTest {

    @TempDir
    Path dir;

    private final InMemoryPeers network = new InMemoryPeers();
    private final List<CairnServer> servers = new ArrayList<>();

    @AfterEach
    void closeAll() {
        servers.forEach(CairnServer::close);
    }

    private static Bytes b(String s) {
        return Bytes.fromUtf8(s);
    }

    private static <T> T join(CompletableFuture<T> future) {
        return future.orTimeout(20, TimeUnit.SECONDS).join();
    }

    private List<CairnServer> startCluster(long snapshotCount) {
        Map<String, List<URI>> initial = new LinkedHashMap<>();
        for (int i = 1; i <= 3; i++) {
            initial.put("n" + i, List.of(URI.create("http://127.0.0.1:" + (23900 + i))));
        }
        List<CompletableFuture<CairnServer>> starting = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            CairnServer.Builder builder = CairnServer.builder().name("n" + i).dataDir(dir.resolve("n" + i))
                    .storage("rocksdb").peerUrls(initial.get("n" + i)).initialCluster(initial)
                    .snapshotCount(snapshotCount).peerEndpoints(network.factory()).passwordIterations(1000);
            starting.add(CompletableFuture.supplyAsync(builder::start, r -> Thread.ofPlatform().daemon().start(r)));
        }
        for (CompletableFuture<CairnServer> f : starting) {
            servers.add(f.join());
        }
        return servers;
    }

    private static CairnServer leader(List<CairnServer> members) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (members.stream().filter(CairnServer::isLeader).count() != 1) {
            if (System.nanoTime() > deadline) {
                fail("no leader");
            }
            Thread.onSpinWait();
        }
        return members.stream().filter(CairnServer::isLeader).findFirst().orElseThrow();
    }

    @Test
    void aTokenFromOneMemberWorksOnAllAndARevokeBindsEveryMemberAtOnce() {
        List<CairnServer> members = startCluster(10_000);
        CairnServer leader = leader(members);
        Cairn admin = leader.client();
        join(admin.auth().userAdd(AuthUserAddRequest.withPassword("root", "r")));
        join(admin.auth().userGrantRole(new AuthUserGrantRoleRequest("root", "root")));
        join(admin.auth().roleAdd(new AuthRoleAddRequest("app")));
        join(admin.auth().roleGrantPermission(new AuthRoleGrantPermissionRequest("app",
                Permission.of(Permission.Type.READWRITE, KeyRange.prefix(b("/app/"))))));
        join(admin.auth().userAdd(AuthUserAddRequest.withPassword("alice", "a")));
        join(admin.auth().userGrantRole(new AuthUserGrantRoleRequest("alice", "app")));
        join(admin.auth().authEnable());
        CairnServer follower = members.stream().filter(s -> s != leader).findFirst().orElseThrow();
        // a simple token handed out by a follower is recorded on every member through the log
        String token = join(follower.clientIdentities().anonymous().auth()
                .authenticate(new AuthenticateRequest("alice", "a"))).token();
        for (CairnServer member : members) {
            join(member.client().kv().get(b("barrier"))); // the member has applied the token's entry (a client would retry)
            join(member.clientIdentities().forToken(token).kv().put(b("/app/k"), b(member.name())));
        }
        join(admin.auth().roleRevokePermission(new AuthRoleRevokePermissionRequest("app", b("/app/"), b("/app0"))));
        for (CairnServer member : members) {
            // linearizable reads check after their barrier, so the revoke counts on every member at once
            CompletionException e = assertThrows(CompletionException.class,
                    () -> join(member.clientIdentities().forToken(token).kv().get(b("/app/k"))));
            assertTrue(assertInstanceOf(CairnException.class, e.getCause()).is(ErrorCode.PERMISSION_DENIED), member.name());
        }
    }

    @Test
    void theAuthStoreTravelsInSnapshots() {
        List<CairnServer> members = startCluster(20);
        CairnServer leader = leader(members);
        CairnServer lagging = members.stream().filter(s -> s != leader).findFirst().orElseThrow();
        network.isolate(lagging.memberId());
        CairnServer newLeader = leader(members.stream().filter(s -> s != lagging).toList());
        Cairn admin = newLeader.client();
        join(admin.auth().userAdd(AuthUserAddRequest.withPassword("root", "r")));
        join(admin.auth().userGrantRole(new AuthUserGrantRoleRequest("root", "root")));
        join(admin.auth().authEnable());
        for (int i = 0; i < 100; i++) {
            join(admin.kv().put(PutRequest.of(b("k" + i), b("v"))));
        }
        network.heal(lagging.memberId());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!join(lagging.client().auth().authStatus()).enabled()) {
            if (System.nanoTime() > deadline) {
                fail("the lagging member never learned that auth is enabled");
            }
            Thread.onSpinWait();
        }
        assertTrue(lagging.peerNetwork().snapshotsReceived() >= 1, "it needed a snapshot");
        String token = join(lagging.clientIdentities().anonymous().auth()
                .authenticate(new AuthenticateRequest("root", "r"))).token();
        assertEquals(100, join(lagging.clientIdentities().forToken(token).kv()
                .range(io.cairn.api.kv.RangeRequest.prefix(b("k")).withCountOnly(true))).count());
    }
}
