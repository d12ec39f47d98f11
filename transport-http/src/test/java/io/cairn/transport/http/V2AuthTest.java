package io.cairn.transport.http;

import static io.cairn.transport.http.HttpServerFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.cairn.api.Bytes;
import io.cairn.api.Cairn;
import io.cairn.api.KeyRange;
import io.cairn.api.auth.AuthRoleAddRequest;
import io.cairn.api.auth.AuthRoleGrantPermissionRequest;
import io.cairn.api.auth.AuthRoleRevokePermissionRequest;
import io.cairn.api.auth.AuthUserAddRequest;
import io.cairn.api.auth.AuthUserGrantRoleRequest;
import io.cairn.api.auth.Permission;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The v2 keys API with v3 auth enabled: HTTP Basic credentials (what {@code etcdctl --username}
 * sends) or a v3 token, checked against the v3 users and roles with the v2 path as the key; refusals
 * are etcd's error 110 with HTTP 401. alice may read and write under {@code /app/}, reader may only
 * read there, root may do everything; {@code /other/secret} exists outside every grant.
 */
class V2AuthTest {

    @TempDir
    static Path dir;

    static HttpServerFixture http;

    @BeforeAll
    static void start() {
        http = new HttpServerFixture(dir);
        Cairn admin = http.server.client();
        join(admin.auth().userAdd(AuthUserAddRequest.withPassword("root", "rootpw")));
        join(admin.auth().userGrantRole(new AuthUserGrantRoleRequest("root", "root")));
        grant(admin, "app", Permission.Type.READWRITE);
        grant(admin, "app-reader", Permission.Type.READ);
        join(admin.auth().userAdd(AuthUserAddRequest.withPassword("alice", "alicepw")));
        join(admin.auth().userGrantRole(new AuthUserGrantRoleRequest("alice", "app")));
        join(admin.auth().userAdd(AuthUserAddRequest.withPassword("reader", "readerpw")));
        join(admin.auth().userGrantRole(new AuthUserGrantRoleRequest("reader", "app-reader")));
        // written before auth is on, with no credentials at all: nothing changes while auth is disabled
        assertEquals(201, http.form("PUT", "/v2/keys/other/secret", "value", "s").statusCode());
        assertEquals(201, send("PUT", "/v2/keys/app/seed", "nobody:wrong", "value=1").statusCode(),
                "credentials are not even read while auth is disabled");
        join(admin.auth().authEnable());
    }

    private static void grant(Cairn admin, String role, Permission.Type type) {
        join(admin.auth().roleAdd(new AuthRoleAddRequest(role)));
        join(admin.auth().roleGrantPermission(new AuthRoleGrantPermissionRequest(role,
                Permission.of(type, KeyRange.prefix(Bytes.fromUtf8("/app/"))))));
    }

    @AfterAll
    static void stop() {
        http.close();
    }

    private static <T> T join(CompletableFuture<T> future) {
        return future.orTimeout(20, TimeUnit.SECONDS).join();
    }

    private static String basic(String userAndPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    }

    /** A v2 request as etcd's client sends it: form body, credentials (user:password, or null) in Basic auth. */
    private static HttpResponse<String> send(String method, String path, String userAndPassword, String form) {
        return sendRaw(method, path, userAndPassword == null ? null : basic(userAndPassword), form);
    }

    private static HttpResponse<String> sendRaw(String method, String path, String authorization, String form) {
        HttpRequest.Builder request = HttpRequest.newBuilder(http.base.resolve(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .method(method, HttpRequest.BodyPublishers.ofString(form));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request);
    }

    private static HttpResponse<String> get(String path, String userAndPassword) {
        return send("GET", path, userAndPassword, "");
    }

    private static void allowed(int status, HttpResponse<String> response) {
        assertEquals(status, response.statusCode(), response.body());
    }

    /** etcd's writeKeyNoAuth: error 110, HTTP 401, cause "Insufficient credentials", index 0. */
    private static void refused(HttpResponse<String> response) {
        assertEquals(401, response.statusCode(), response.body());
        JsonNode error = json(response);
        assertEquals(110, error.get("errorCode").asInt(), response.body());
        assertEquals("The request requires user authentication", error.get("message").asText());
        assertEquals("Insufficient credentials", error.get("cause").asText());
        assertEquals(0, error.get("index").asLong());
        assertEquals("0", response.headers().firstValue("X-Etcd-Index").orElseThrow());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
    }

    @Test
    void aPrefixGrantAllowsExactlyUnderThePrefix() {
        allowed(201, send("PUT", "/v2/keys/app/a/x", "alice:alicepw", "value=1"));
        allowed(200, get("/v2/keys/app/a/x", "alice:alicepw"));
        allowed(200, get("/v2/keys/app/a?recursive=true", "alice:alicepw"));
        allowed(201, send("POST", "/v2/keys/app/queue", "alice:alicepw", "value=job"));
        allowed(200, send("DELETE", "/v2/keys/app/a?recursive=true", "alice:alicepw", ""));

        refused(get("/v2/keys/other/secret", "alice:alicepw"));
        refused(send("PUT", "/v2/keys/other/secret", "alice:alicepw", "value=mine"));
        refused(send("PUT", "/v2/keys/apple", "alice:alicepw", "value=1"));
        refused(send("DELETE", "/v2/keys/other/secret", "alice:alicepw", ""));
        // /app itself is not under the prefix /app/: writing it, or posting to the root, is outside the grant
        refused(send("PUT", "/v2/keys/app", "alice:alicepw", "dir=true"));
        refused(send("POST", "/v2/keys/", "alice:alicepw", "value=x"));
        // a path that only looks inside: etcd's clean resolves it to /other/secret
        refused(get("/v2/keys/app/../other/secret", "alice:alicepw"));
        assertEquals("s", json(get("/v2/keys/other/secret", "root:rootpw")).get("node").get("value").asText());
    }

    @Test
    void aReadGrantReadsButDoesNotWrite() {
        allowed(201, send("PUT", "/v2/keys/app/r/k", "alice:alicepw", "value=v"));
        assertEquals("v", json(get("/v2/keys/app/r/k", "reader:readerpw")).get("node").get("value").asText());
        refused(send("PUT", "/v2/keys/app/r/k", "reader:readerpw", "value=w"));
        refused(send("DELETE", "/v2/keys/app/r/k", "reader:readerpw", ""));
        refused(send("POST", "/v2/keys/app/r", "reader:readerpw", "value=w"));
    }

    @Test
    void missingOrWrongCredentialsAreRefused() {
        allowed(201, send("PUT", "/v2/keys/app/c", "alice:alicepw", "value=v"));
        refused(get("/v2/keys/app/c", null));
        refused(get("/v2/keys/app/c", "alice:wrong"));
        refused(get("/v2/keys/app/c", "mallory:alicepw"));
        refused(get("/v2/keys/app/c", "alice")); // no colon: Go's BasicAuth is not ok
        refused(sendRaw("GET", "/v2/keys/app/c", "Basic !!!not-base64", ""));
        refused(sendRaw("GET", "/v2/keys/app/c", "not-a-token", ""));
        refused(send("PUT", "/v2/keys/app/c", null, "value=w"));
        assertEquals("v", json(get("/v2/keys/app/c", "alice:alicepw")).get("node").get("value").asText(),
                "the refused write wrote nothing");
    }

    @Test
    void aV3TokenInAuthorizationWorksToo() {
        String token = http.ok("/v3/auth/authenticate", "{\"name\":\"alice\",\"password\":\"alicepw\"}").get("token").asText();
        allowed(201, sendRaw("PUT", "/v2/keys/app/t", token, "value=v"));
        allowed(200, sendRaw("GET", "/v2/keys/app/t", token, ""));
        refused(sendRaw("GET", "/v2/keys/other/secret", token, ""));
    }

    @Test
    void watchesAreCheckedLikeReads() throws Exception {
        refused(get("/v2/keys/other/secret?wait=true", "alice:alicepw"));
        refused(get("/v2/keys/?wait=true&recursive=true", "alice:alicepw"));
        refused(get("/v2/keys/app/w?wait=true", null));

        // from the next index on: a long poll without waitIndex starts when its (slow) check ends, which
        // may be after the put below
        HttpResponse<String> before = get("/v2/keys/?quorum=true", "root:rootpw");
        allowed(200, before);
        long next = Long.parseLong(before.headers().firstValue("X-Etcd-Index").orElseThrow()) + 1;
        HttpRequest watch = HttpRequest.newBuilder(http.base.resolve("/v2/keys/app/w?wait=true&recursive=true&waitIndex=" + next))
                .header("Authorization", basic("alice:alicepw")).timeout(HttpServerFixture.TIMEOUT).GET().build();
        CompletableFuture<HttpResponse<String>> event = http.client.sendAsync(watch, HttpResponse.BodyHandlers.ofString());
        allowed(201, send("PUT", "/v2/keys/app/w/k", "alice:alicepw", "value=seen"));
        HttpResponse<String> answer = event.get(20, TimeUnit.SECONDS);
        allowed(200, answer);
        assertEquals("/app/w/k", json(answer).get("node").get("key").asText());
    }

    @Test
    void listingsBeyondTheGrantAreRefused() {
        allowed(201, send("PUT", "/v2/keys/app/l/k", "alice:alicepw", "value=v"));
        // the root's listing shows /other, a recursive one /other/secret too
        refused(get("/v2/keys/", "alice:alicepw"));
        refused(get("/v2/keys/?recursive=true", "alice:alicepw"));
        // /app is not under /app/, so a recursive listing of it is beyond the grant
        refused(get("/v2/keys/app?recursive=true", "alice:alicepw"));
        refused(send("DELETE", "/v2/keys/app?recursive=true", "alice:alicepw", ""));
        JsonNode listing = json(get("/v2/keys/app/l", "alice:alicepw"));
        assertEquals("/app/l/k", listing.get("node").get("nodes").get(0).get("key").asText());
    }

    @Test
    void rootMayDoEverything() {
        allowed(201, send("PUT", "/v2/keys/rootonly/k", "root:rootpw", "value=v"));
        JsonNode all = json(get("/v2/keys/?recursive=true", "root:rootpw"));
        assertFalse(all.get("node").get("nodes").isEmpty());
        allowed(200, send("DELETE", "/v2/keys/rootonly?recursive=true", "root:rootpw", ""));
    }

    @Test
    void healthIsNotRefusedByAuth() {
        HttpResponse<String> health = http.get("/health");
        assertEquals(200, health.statusCode(), health.body());
        assertEquals("true", json(health).get("health").asText());
    }

    @Test
    void aRevokedPermissionCountsAtOnce() {
        Cairn admin = http.server.client();
        join(admin.auth().roleAdd(new AuthRoleAddRequest("temp")));
        join(admin.auth().roleGrantPermission(new AuthRoleGrantPermissionRequest("temp",
                Permission.of(Permission.Type.READWRITE, KeyRange.prefix(Bytes.fromUtf8("/temp/"))))));
        join(admin.auth().userAdd(AuthUserAddRequest.withPassword("bob", "bobpw")));
        join(admin.auth().userGrantRole(new AuthUserGrantRoleRequest("bob", "temp")));
        allowed(201, send("PUT", "/v2/keys/temp/k", "bob:bobpw", "value=v"));
        join(admin.auth().roleRevokePermission(new AuthRoleRevokePermissionRequest("temp",
                Bytes.fromUtf8("/temp/"), Bytes.fromUtf8("/temp/").prefixEnd())));
        refused(send("PUT", "/v2/keys/temp/k", "bob:bobpw", "value=w"));
        refused(get("/v2/keys/temp/k", "bob:bobpw"));
    }

}
