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
import io.cairn.api.auth.AuthUserChangePasswordRequest;
import io.cairn.api.auth.AuthUserGrantRoleRequest;
import io.cairn.api.auth.AuthenticateRequest;
import io.cairn.api.auth.Permission;
import io.cairn.api.kv.CompactionRequest;
import io.cairn.api.kv.Compare;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.lease.LeaseGrantRequest;
import io.cairn.api.lease.LeaseRevokeRequest;
import io.cairn.api.watch.WatchCreateRequest;
import io.cairn.api.watch.WatchResponse;
import io.cairn.api.watch.WatchStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** etcd's auth on an embedded member: the store through the log, tokens, and every check. */
class AuthTest {

    @TempDir
    Path dir;

    private CairnServer start() {
        return CairnServer.builder().name("n1").dataDir(dir).storage("rocksdb").passwordIterations(1000).start();
    }

    private static Bytes b(String s) {
        return Bytes.fromUtf8(s);
    }

    private static <T> T join(CompletableFuture<T> future) {
        return future.orTimeout(10, TimeUnit.SECONDS).join();
    }

    private static CairnException failure(CompletableFuture<?> future) {
        CompletionException e = assertThrows(CompletionException.class, () -> join(future));
        return assertInstanceOf(CairnException.class, e.getCause());
    }

    private static void refused(ErrorCode code, CompletableFuture<?> future) {
        CairnException e = failure(future);
        assertTrue(e.is(code), "expected " + code + ", got " + e);
        assertEquals(code.message(), e.getMessage());
    }

    /** root with the root role, and alice with READWRITE on the prefix /app/, as etcdctl sets them up. */
    private static void setUp(Cairn admin) {
        join(admin.auth().userAdd(AuthUserAddRequest.withPassword("root", "rootpw")));
        join(admin.auth().userGrantRole(new AuthUserGrantRoleRequest("root", "root")));
        join(admin.auth().roleAdd(new AuthRoleAddRequest("app")));
        join(admin.auth().roleGrantPermission(new AuthRoleGrantPermissionRequest("app",
                Permission.of(Permission.Type.READWRITE, KeyRange.prefix(b("/app/"))))));
        join(admin.auth().userAdd(AuthUserAddRequest.withPassword("alice", "alicepw")));
        join(admin.auth().userGrantRole(new AuthUserGrantRoleRequest("alice", "app")));
    }

    private static Cairn login(CairnServer server, String user, String password) {
        String token = join(server.clientIdentities().anonymous().auth()
                .authenticate(new AuthenticateRequest(user, password))).token();
        return server.clientIdentities().forToken(token);
    }

    @Test
    void enableNeedsRootUserWithRootRole() {
        try (CairnServer server = start()) {
            Cairn admin = server.client();
            refused(ErrorCode.ROOT_USER_NOT_EXIST, admin.auth().authEnable());
            join(admin.auth().userAdd(AuthUserAddRequest.withPassword("root", "pw")));
            refused(ErrorCode.ROOT_ROLE_NOT_EXIST, admin.auth().authEnable());
            join(admin.auth().userGrantRole(new AuthUserGrantRoleRequest("root", "root")));
            long before = join(admin.auth().authStatus()).authRevision();
            join(admin.auth().authEnable());
            var status = join(admin.auth().authStatus());
            assertTrue(status.enabled());
            assertEquals(before + 1, status.authRevision());
            refused(ErrorCode.INVALID_AUTH_MGMT, admin.auth().userDelete(new io.cairn.api.auth.AuthUserDeleteRequest("root")));
            refused(ErrorCode.USER_ALREADY_EXISTS, admin.auth().userAdd(AuthUserAddRequest.withPassword("root", "x")));
            refused(ErrorCode.ROLE_NOT_FOUND, admin.auth().userGrantRole(new AuthUserGrantRoleRequest("root", "nope")));
            refused(ErrorCode.USER_NOT_FOUND, admin.auth().userGet(new io.cairn.api.auth.AuthUserGetRequest("bob")));
        }
    }

    @Test
    void authenticateBeforeEnableIsRefusedAsEtcdDoes() {
        try (CairnServer server = start()) {
            join(server.client().auth().userAdd(AuthUserAddRequest.withPassword("alice", "pw")));
            refused(ErrorCode.AUTH_NOT_ENABLED, server.clientIdentities().anonymous().auth()
                    .authenticate(new AuthenticateRequest("alice", "pw")));
        }
    }

    @Test
    void prefixPermissionAllowsExactlyThereOnEveryKvCall() {
        try (CairnServer server = start()) {
            Cairn admin = server.client();
            setUp(admin);
            join(admin.kv().put(b("/other/x"), b("1")));
            join(admin.auth().authEnable());
            refused(ErrorCode.AUTH_FAILED, server.clientIdentities().anonymous().auth()
                    .authenticate(new AuthenticateRequest("alice", "wrong")));
            refused(ErrorCode.USER_EMPTY, server.clientIdentities().anonymous().kv().get(b("/app/a")));
            Cairn alice = login(server, "alice", "alicepw");

            join(alice.kv().put(b("/app/a"), b("1")));
            assertEquals("1", join(alice.kv().get(b("/app/a"))).kvs().get(0).value().toUtf8());
            join(alice.kv().range(RangeRequest.prefix(b("/app/")).withSerializable(true)));
            refused(ErrorCode.PERMISSION_DENIED, alice.kv().put(b("/other/x"), b("2")));
            refused(ErrorCode.PERMISSION_DENIED, alice.kv().get(b("/other/x")));
            refused(ErrorCode.PERMISSION_DENIED, alice.kv().range(RangeRequest.prefix(b("/ap"))));
            refused(ErrorCode.PERMISSION_DENIED, alice.kv().range(RangeRequest.all()));
            refused(ErrorCode.PERMISSION_DENIED, alice.kv().deleteRange(new DeleteRangeRequest(b("/app/"), b("/b"), false)));
            join(alice.kv().deleteRange(new DeleteRangeRequest(b("/app/"), b("/app0"), false)));

            // a txn is checked in its compares and both branches, nested ones included
            TxnRequest inside = new TxnRequest(List.of(Compare.version(b("/app/a"), Compare.Result.EQUAL, 0)),
                    List.of(PutRequest.of(b("/app/b"), b("2"))), List.of(RangeRequest.of(b("/app/c"))));
            assertTrue(join(alice.kv().txn(inside)).succeeded());
            for (TxnRequest outside : List.of(
                    new TxnRequest(List.of(Compare.version(b("/other/x"), Compare.Result.EQUAL, 0)), List.of(), List.of()),
                    new TxnRequest(List.of(), List.of(), List.of(PutRequest.of(b("/other/y"), b("1")))),
                    new TxnRequest(List.of(), List.of(RangeRequest.of(b("/other/x"))), List.of()),
                    new TxnRequest(List.of(), List.of(new TxnRequest(List.of(), List.of(),
                            List.of(new DeleteRangeRequest(b("/other/x"), Bytes.EMPTY, false)))), List.of()))) {
                refused(ErrorCode.PERMISSION_DENIED, alice.kv().txn(outside));
            }
            assertEquals("1", join(admin.kv().get(b("/other/x"))).kvs().get(0).value().toUtf8(), "nothing outside changed");

            // compaction, cluster and maintenance are root's
            refused(ErrorCode.PERMISSION_DENIED, alice.kv().compact(new CompactionRequest(1, false)));
            refused(ErrorCode.PERMISSION_DENIED, alice.maintenance().hashKV(new io.cairn.api.maintenance.HashKVRequest(0)));
            refused(ErrorCode.PERMISSION_DENIED, alice.maintenance().hash());
            refused(ErrorCode.PERMISSION_DENIED, alice.maintenance().defragment());
            refused(ErrorCode.PERMISSION_DENIED, alice.maintenance().moveLeader(new io.cairn.api.maintenance.MoveLeaderRequest(42)));
            // etcd 3.4 checks neither status nor alarm
            join(alice.maintenance().status());
            assertEquals(List.of(), join(alice.maintenance().alarm(new io.cairn.api.maintenance.AlarmRequest(
                    io.cairn.api.maintenance.AlarmRequest.Action.GET, 0, io.cairn.api.maintenance.AlarmType.NONE))).alarms());
            refused(ErrorCode.PERMISSION_DENIED, alice.cluster().memberRemove(new io.cairn.api.cluster.MemberRemoveRequest(42)));
            refused(ErrorCode.PERMISSION_DENIED, alice.auth().userList());
            refused(ErrorCode.PERMISSION_DENIED, alice.auth().userAdd(AuthUserAddRequest.withPassword("mallory", "x")));
            assertEquals(List.of("app"), join(alice.auth().userGet(new io.cairn.api.auth.AuthUserGetRequest("alice"))).roles());
            Cairn root = login(server, "root", "rootpw");
            join(root.kv().compact(new CompactionRequest(1, false)));
            join(root.maintenance().hashKV(new io.cairn.api.maintenance.HashKVRequest(0)));
            assertEquals(join(admin.maintenance().hash()).hash(), join(root.maintenance().hash()).hash());
            join(root.maintenance().defragment());
            assertEquals(List.of("alice", "root"), join(root.auth().userList()).users());
        }
    }

    @Test
    void leaseRevokeNeedsWritePermissionOnItsKeys() {
        try (CairnServer server = start()) {
            Cairn admin = server.client();
            setUp(admin);
            long outside = join(admin.lease().grant(new LeaseGrantRequest(60, 0))).id();
            join(admin.kv().put(new PutRequest(b("/other/l"), b("1"), outside, false, false, false)));
            long inside = join(admin.lease().grant(new LeaseGrantRequest(60, 0))).id();
            join(admin.kv().put(new PutRequest(b("/app/l"), b("1"), inside, false, false, false)));
            join(admin.auth().authEnable());
            Cairn alice = login(server, "alice", "alicepw");
            refused(ErrorCode.PERMISSION_DENIED, alice.lease().revoke(new LeaseRevokeRequest(outside)));
            join(alice.lease().revoke(new LeaseRevokeRequest(inside)));
            assertTrue(join(admin.kv().get(b("/app/l"))).kvs().isEmpty());
            assertFalse(join(admin.kv().get(b("/other/l"))).kvs().isEmpty());
        }
    }

    @Test
    void watchOutsideThePermissionIsCreatedAndCanceledWithPermissionDenied() throws Exception {
        try (CairnServer server = start()) {
            Cairn admin = server.client();
            setUp(admin);
            join(admin.auth().authEnable());
            Cairn alice = login(server, "alice", "alicepw");
            WatchStream stream = alice.watch().openStream();
            LinkedBlockingQueue<WatchResponse> responses = new LinkedBlockingQueue<>();
            stream.subscribe(new Flow.Subscriber<>() {
                @Override public void onSubscribe(Flow.Subscription s) { s.request(Long.MAX_VALUE); }
                @Override public void onNext(WatchResponse item) { responses.add(item); }
                @Override public void onError(Throwable throwable) {}
                @Override public void onComplete() {}
            });
            stream.create(WatchCreateRequest.of(b("/other/x")));
            WatchResponse denied = responses.poll(10, TimeUnit.SECONDS);
            assertNotNull(denied);
            assertTrue(denied.created() && denied.canceled(), denied.toString());
            assertEquals(LocalCairn.WATCH_PERMISSION_DENIED, denied.cancelReason());
            stream.create(WatchCreateRequest.prefix(b("/app/")));
            WatchResponse created = responses.poll(10, TimeUnit.SECONDS);
            assertTrue(created.created() && !created.canceled(), created.toString());
            join(alice.kv().put(b("/app/w"), b("1")));
            WatchResponse event = responses.poll(10, TimeUnit.SECONDS);
            assertEquals("/app/w", event.events().get(0).kv().key().toUtf8());
            stream.close();
        }
    }

    @Test
    void revokedPermissionAndChangedPasswordTakeEffectAtOnceAndSurviveRestart() {
        try (CairnServer server = start()) {
            Cairn admin = server.client();
            setUp(admin);
            join(admin.auth().authEnable());
            Cairn alice = login(server, "alice", "alicepw");
            join(alice.kv().put(b("/app/a"), b("1")));
            join(admin.auth().roleRevokePermission(new AuthRoleRevokePermissionRequest("app", b("/app/"), b("/app0"))));
            // the token still names alice, but the auth store moved on: etcd answers "old revision"
            refused(ErrorCode.PERMISSION_DENIED, login(server, "alice", "alicepw").kv().get(b("/app/a")));
            join(admin.auth().roleGrantPermission(new AuthRoleGrantPermissionRequest("app",
                    Permission.of(Permission.Type.READ, KeyRange.prefix(b("/app/"))))));
            Cairn reader = login(server, "alice", "alicepw");
            join(reader.kv().get(b("/app/a")));
            refused(ErrorCode.PERMISSION_DENIED, reader.kv().put(b("/app/a"), b("2")));

            String token = join(server.clientIdentities().anonymous().auth()
                    .authenticate(new AuthenticateRequest("alice", "alicepw"))).token();
            join(admin.auth().userChangePassword(new AuthUserChangePasswordRequest("alice", "newpw", "")));
            CairnException invalid = assertThrows(CairnException.class, () -> server.clientIdentities().forToken(token));
            assertTrue(invalid.is(ErrorCode.INVALID_AUTH_TOKEN));
            refused(ErrorCode.AUTH_FAILED, server.clientIdentities().anonymous().auth()
                    .authenticate(new AuthenticateRequest("alice", "alicepw")));
            login(server, "alice", "newpw");
        }
        try (CairnServer again = start()) {
            assertTrue(join(again.client().auth().authStatus()).enabled());
            Cairn alice = login(again, "alice", "newpw");
            join(alice.kv().get(b("/app/a")));
            refused(ErrorCode.PERMISSION_DENIED, alice.kv().put(b("/app/a"), b("2")));
            assertEquals(List.of(Permission.of(Permission.Type.READ, KeyRange.prefix(b("/app/")))),
                    join(again.client().auth().roleGet(new io.cairn.api.auth.AuthRoleGetRequest("app"))).perm());
        }
    }

    @Test
    void aWriteCheckedBeforeAnAuthChangeIsRefusedWhenApplied() {
        try (CairnServer server = start()) {
            Cairn admin = server.client();
            setUp(admin);
            join(admin.auth().authEnable());
            long checkedAt = join(admin.auth().authStatus()).authRevision();
            join(admin.auth().roleAdd(new AuthRoleAddRequest("unrelated")));
            // as if alice's put had been checked before the role add and applied after it
            refused(ErrorCode.AUTH_OLD_REVISION, server.node().propose(
                    new RequestCodec.Guarded(checkedAt, PutRequest.of(b("/app/a"), b("1")))));
            assertTrue(join(admin.kv().get(b("/app/a"))).kvs().isEmpty());
            join(server.node().propose(new RequestCodec.Guarded(checkedAt + 1, PutRequest.of(b("/app/a"), b("1")))));
            // and a simple token is checked against the store as it is at each call
            Cairn alice = login(server, "alice", "alicepw");
            join(admin.auth().roleAdd(new AuthRoleAddRequest("another")));
            join(alice.kv().put(b("/app/a"), b("2")));
        }
    }
}
