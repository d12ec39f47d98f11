package io.cairn.client;

import static io.cairn.client.TestServers.await;
import static io.cairn.client.TestServers.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.api.Bytes;
import io.cairn.api.ErrorCode;
import io.cairn.api.KeyRange;
import io.cairn.api.auth.AuthRoleAddRequest;
import io.cairn.api.auth.AuthRoleGrantPermissionRequest;
import io.cairn.api.auth.AuthUserAddRequest;
import io.cairn.api.auth.AuthUserGrantRoleRequest;
import io.cairn.api.auth.Permission;
import io.cairn.api.watch.WatchCreateRequest;
import io.cairn.api.watch.WatchResponse;
import io.cairn.server.CairnServer;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client's user and password against Cairn's own auth (EtcdIT does the same against etcd). */
class CairnAuthTest {

    @TempDir
    Path dir;

    private static Bytes b(String s) {
        return Bytes.fromUtf8(s);
    }

    @Test
    void userAndPasswordAgainstCairnsAuth() {
        try (CairnServer server = TestServers.start(dir, 0);
             CairnClient admin = CairnClient.builder().endpoints(TestServers.endpoint(server)).build()) {
            await(admin.auth().userAdd(new AuthUserAddRequest("root", "rootpw", false, "")));
            await(admin.auth().userGrantRole(new AuthUserGrantRoleRequest("root", "root")));
            await(admin.auth().roleAdd(new AuthRoleAddRequest("app")));
            await(admin.auth().roleGrantPermission(new AuthRoleGrantPermissionRequest("app",
                    Permission.of(Permission.Type.READWRITE, KeyRange.prefix(b("app/"))))));
            await(admin.auth().userAdd(new AuthUserAddRequest("alice", "alicepw", false, "")));
            await(admin.auth().userGrantRole(new AuthUserGrantRoleRequest("alice", "app")));
            await(admin.auth().authEnable());
            try (CairnClient alice = CairnClient.builder().endpoints(TestServers.endpoint(server)).user("alice", "alicepw").build();
                 CairnClient wrong = CairnClient.builder().endpoints(TestServers.endpoint(server)).user("alice", "nope").build()) {
                await(alice.kv().put(b("app/k"), b("v")));
                assertEquals("v", await(alice.kv().get(b("app/k"))).kvs().get(0).value().toUtf8());
                assertTrue(failure(alice.kv().put(b("other"), b("v"))).is(ErrorCode.PERMISSION_DENIED));
                Collector<WatchResponse> seen = new Collector<>();
                alice.watch().watch(WatchCreateRequest.of(b("app/k"))).subscribe(seen);
                WatchResponse created = seen.next();
                assertTrue(created.created() && !created.canceled(), "the watch stream carried the token: " + created);
                seen.subscription.cancel();
                assertTrue(failure(wrong.kv().get(b("app/k"))).is(ErrorCode.AUTH_FAILED));
                assertTrue(failure(admin.kv().get(b("app/k"))).is(ErrorCode.USER_EMPTY), "no token, no user");
            }
            try (CairnClient root = CairnClient.builder().endpoints(TestServers.endpoint(server)).user("root", "rootpw").build()) {
                await(root.auth().authDisable());
            }
            await(admin.kv().get(b("app/k")));
        }
    }
}
