package io.cairn.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.api.auth.AuthRoleGetResponse;
import io.cairn.api.auth.AuthUserAddRequest;
import io.cairn.api.auth.AuthUserChangePasswordRequest;
import io.cairn.api.auth.AuthUserListResponse;
import io.cairn.api.auth.AuthenticateRequest;
import io.cairn.api.auth.AuthenticateResponse;
import io.cairn.api.auth.Permission;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class AuthRecordsTest {

    private static final ResponseHeader HEADER = new ResponseHeader(1, 2, 3, 4);
    private static final String SECRET = "hunter2";

    @Test
    void secretsNeverShowInToString() {
        List<Object> records = List.of(
                new AuthenticateRequest("alice", SECRET),
                new AuthenticateResponse(HEADER, SECRET),
                AuthUserAddRequest.withPassword("alice", SECRET),
                new AuthUserAddRequest("alice", "", false, SECRET),
                AuthUserChangePasswordRequest.of("alice", SECRET));
        for (Object record : records) {
            assertFalse(record.toString().contains(SECRET), record.getClass().getSimpleName() + " leaks the secret");
            assertTrue(record.toString().contains("<hidden>"));
        }
        assertTrue(new AuthenticateRequest("alice", SECRET).toString().contains("alice"));
    }

    @Test
    void userAddFactories() {
        assertEquals(new AuthUserAddRequest("bob", "", true, ""), AuthUserAddRequest.withoutPassword("bob"));
        assertEquals(new AuthUserAddRequest("bob", "pw", false, ""), AuthUserAddRequest.withPassword("bob", "pw"));
        assertThrows(NullPointerException.class, () -> AuthUserAddRequest.withPassword(null, "pw"));
    }

    @Test
    void permissionsAndListsAreCopied() {
        Permission perm = Permission.of(Permission.Type.READ, KeyRange.prefix(Bytes.fromUtf8("/app/")));
        assertEquals(Bytes.fromUtf8("/app0"), perm.rangeEnd());
        List<Permission> perms = new ArrayList<>(List.of(perm));
        AuthRoleGetResponse role = new AuthRoleGetResponse(HEADER, perms);
        perms.clear();
        assertEquals(List.of(perm), role.perm());
        List<String> users = new ArrayList<>(List.of("root"));
        AuthUserListResponse list = new AuthUserListResponse(HEADER, users);
        users.add("eve");
        assertEquals(List.of("root"), list.users());
    }
}
