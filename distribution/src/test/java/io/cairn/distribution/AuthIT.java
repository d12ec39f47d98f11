package io.cairn.distribution;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * etcd's auth against a packaged server process: etcdctl 3.4's user, role and auth commands and
 * {@code --user}, with simple and JWT tokens; the JSON gateway's {@code /v3/auth} routes and
 * {@code Authorization} header; jetcd's user and password; the v2 API while v3 auth is on.
 */
class AuthIT {

    /** root (root role) and alice (READWRITE on the prefix /app/), then auth enabled, with etcdctl as etcd's docs do. */
    private static void setUpWithEtcdctl(Etcdctl etcdctl) {
        etcdctl.ok("user", "add", "root:rootpw");
        etcdctl.ok("user", "grant-role", "root", "root");
        etcdctl.ok("role", "add", "app");
        etcdctl.ok("role", "grant-permission", "app", "readwrite", "/app/", "--prefix=true");
        etcdctl.ok("role", "add", "reader");
        etcdctl.ok("role", "grant-permission", "reader", "read", "/r/a", "/r/m");
        etcdctl.ok("user", "add", "alice:alicepw");
        etcdctl.ok("user", "grant-role", "alice", "app");
        etcdctl.ok("user", "grant-role", "alice", "reader");
        assertTrue(etcdctl.ok("auth", "enable").contains("Authentication Enabled"));
    }

    private static void checkEnforcedWithEtcdctl(Etcdctl etcdctl) {
        etcdctl.fails("etcdserver: user name is empty", "get", "/app/a");
        etcdctl.fails("etcdserver: authentication failed, invalid user ID or password", "--user", "alice:wrong", "get", "/app/a");
        etcdctl.ok("--user", "alice:alicepw", "put", "/app/a", "1");
        assertTrue(etcdctl.ok("--user", "alice:alicepw", "get", "/app/", "--prefix").contains("/app/a\n1"));
        etcdctl.fails("etcdserver: permission denied", "--user", "alice:alicepw", "put", "/other", "1");
        etcdctl.fails("etcdserver: permission denied", "--user", "alice:alicepw", "get", "/other");
        etcdctl.fails("etcdserver: permission denied", "--user", "alice:alicepw", "get", "", "--from-key");
        etcdctl.fails("etcdserver: permission denied", "--user", "alice:alicepw", "put", "/r/b", "1");
        etcdctl.ok("--user", "alice:alicepw", "get", "/r/b");
        etcdctl.fails("etcdserver: permission denied", "--user", "alice:alicepw", "get", "/r/z");
        CairnProcess.Result txn = etcdctl.runWithInput("val(\"/other\") = \"x\"\n\nput /app/t 1\n\n\n",
                "--user", "alice:alicepw", "txn", "--interactive=false");
        assertTrue(txn.exitCode() != 0 && txn.stderr().contains("etcdserver: permission denied"), txn.toString());
        etcdctl.fails("etcdserver: permission denied", "--user", "alice:alicepw", "user", "list");
        etcdctl.fails("etcdserver: permission denied", "--user", "alice:alicepw", "compaction", "1");
        etcdctl.fails("etcdserver: permission denied", "--user", "alice:alicepw", "member", "remove", "1234");
        String users = etcdctl.ok("--user", "root:rootpw", "user", "list");
        assertEquals("alice\nroot\n", users);
        assertEquals("User: alice\nRoles: app reader\n", etcdctl.ok("--user", "root:rootpw", "user", "get", "alice"));
        String role = etcdctl.ok("--user", "root:rootpw", "role", "get", "app");
        assertTrue(role.contains("[/app/, /app0) (prefix /app/)"), role);
        assertEquals("app\nreader\n", etcdctl.ok("--user", "root:rootpw", "role", "list"));
        etcdctl.ok("--user", "root:rootpw", "put", "/other", "root-was-here");

        // a revoked permission binds at once
        etcdctl.ok("--user", "root:rootpw", "role", "revoke-permission", "app", "/app/", "--prefix=true");
        etcdctl.fails("etcdserver: permission denied", "--user", "alice:alicepw", "get", "/app/a");
        etcdctl.ok("--user", "root:rootpw", "role", "grant-permission", "app", "readwrite", "/app/", "--prefix=true");

        // a changed password: the old one is refused, the new one works
        etcdctl.runWithInput("newpw\n", "--user", "root:rootpw", "user", "passwd", "alice", "--interactive=false");
        etcdctl.fails("etcdserver: authentication failed", "--user", "alice:alicepw", "get", "/app/a");
        etcdctl.ok("--user", "alice:newpw", "get", "/app/a");
        etcdctl.fails("etcdserver: invalid auth management", "--user", "root:rootpw", "user", "delete", "root");

        assertTrue(etcdctl.ok("--user", "root:rootpw", "auth", "disable").contains("Authentication Disabled"));
        assertTrue(etcdctl.ok("get", "/other").contains("root-was-here"));
    }

    @Test
    void etcdctlUsersRolesAndSimpleTokensAndTheGatewayAndJetcd() throws Exception {
        try (CairnProcess server = CairnProcess.start(CairnProcess.newDataDir("auth-simple"))) {
            Etcdctl etcdctl = new Etcdctl(server.endpoint());
            setUpWithEtcdctl(etcdctl);

            // the JSON gateway: /v3/auth/authenticate, then the token in the Authorization header
            String anonymous = post(server, "/v3/kv/range", "{\"key\":\"" + b64("/app/a") + "\"}", null);
            assertTrue(anonymous.startsWith("400 ") && anonymous.contains("etcdserver: user name is empty"), anonymous);
            String login = post(server, "/v3/auth/authenticate", "{\"name\":\"alice\",\"password\":\"alicepw\"}", null);
            assertTrue(login.startsWith("200 "), login);
            String token = login.replaceAll("(?s).*\"token\":\"([^\"]+)\".*", "$1");
            assertTrue(post(server, "/v3/kv/put", "{\"key\":\"" + b64("/app/g") + "\",\"value\":\"" + b64("1") + "\"}", token)
                    .startsWith("200 "));
            String denied = post(server, "/v3/kv/put", "{\"key\":\"" + b64("/other") + "\",\"value\":\"" + b64("1") + "\"}", token);
            assertTrue(denied.startsWith("403 ") && denied.contains("etcdserver: permission denied"), denied);
            String bogus = post(server, "/v3/kv/range", "{\"key\":\"" + b64("/app/a") + "\"}", "bogus.1");
            assertTrue(bogus.startsWith("401 ") && bogus.contains("etcdserver: invalid auth token"), bogus);
            assertTrue(post(server, "/v3/auth/authenticate", "{\"name\":\"alice\",\"password\":\"alicepw\"}", "bogus.1")
                    .startsWith("200 "), "a stale token does not stop a login");
            String rootLogin = post(server, "/v3/auth/authenticate", "{\"name\":\"root\",\"password\":\"rootpw\"}", null);
            String rootToken = rootLogin.replaceAll("(?s).*\"token\":\"([^\"]+)\".*", "$1");
            assertTrue(post(server, "/v3/auth/user/list", "{}", rootToken).contains("\"users\":[\"alice\",\"root\"]"));
            // the v2 API without credentials: etcd's error 110, 401
            String v2 = put(server, "/v2/keys/app/x", "value=1");
            assertTrue(v2.startsWith("401 ") && v2.contains("\"errorCode\":110")
                    && v2.contains("Insufficient credentials"), v2);
            checkV2WithEtcdctl(Etcdctl.v2(server.httpUrl().toString()));

            // jetcd authenticates with user and password and sends the token on every call
            try (Client alice = Client.builder().endpoints(server.clientUrl()).user(bytes("alice"))
                    .password(bytes("alicepw")).retryMaxDuration(Duration.ofSeconds(3)).build()) {
                alice.getKVClient().put(bytes("/app/j"), bytes("1")).get(15, TimeUnit.SECONDS);
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> alice.getKVClient().put(bytes("/other"), bytes("1")).get(15, TimeUnit.SECONDS));
                assertTrue(String.valueOf(e.getCause()).contains("permission denied"), String.valueOf(e.getCause()));
            }
            checkEnforcedWithEtcdctl(etcdctl);
        }
    }

    /**
     * etcdctl's v2 mode with {@code --username} (HTTP Basic) against the v2 keys API: the v3 users
     * and roles, the v2 path as the key.
     */
    private static void checkV2WithEtcdctl(Etcdctl v2) {
        String refused = "110: The request requires user authentication (Insufficient credentials)";
        v2.ok("--username", "alice:alicepw", "set", "/app/dir/v2", "hello");
        assertEquals("hello\n", v2.ok("--username", "alice:alicepw", "get", "/app/dir/v2"));
        assertEquals("/app/dir/v2\n", v2.ok("--username", "alice:alicepw", "ls", "--recursive", "/app/dir"));
        v2.fails(refused, "--username", "alice:alicepw", "set", "/other/v2", "x");
        v2.fails(refused, "get", "/app/dir/v2");
        v2.fails(refused, "--username", "alice:wrong", "get", "/app/dir/v2");
        v2.fails(refused, "--username", "alice:alicepw", "ls", "--recursive", "/");
        v2.fails(refused, "--username", "alice:alicepw", "watch", "/other/v2");
        v2.ok("--username", "root:rootpw", "set", "/other/v2", "root");
        assertTrue(v2.ok("--username", "root:rootpw", "ls", "--recursive", "/").contains("/other/v2\n"));
        v2.ok("--username", "alice:alicepw", "rm", "/app/dir/v2");
    }

    @Test
    void authSurvivesARestart() {
        Path dir = CairnProcess.newDataDir("auth-restart");
        try (CairnProcess server = CairnProcess.start(dir)) {
            setUpWithEtcdctl(new Etcdctl(server.endpoint()));
        }
        try (CairnProcess again = CairnProcess.start(dir)) {
            Etcdctl etcdctl = new Etcdctl(again.endpoint());
            etcdctl.fails("etcdserver: user name is empty", "get", "/app/a");
            etcdctl.ok("--user", "alice:alicepw", "put", "/app/a", "1");
            etcdctl.fails("etcdserver: permission denied", "--user", "alice:alicepw", "put", "/other", "1");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS256", "ES256"})
    void jwtTokensWithEtcdctl(String method) throws Exception {
        Path dir = CairnProcess.newDataDir("auth-jwt-" + method);
        Path keys = Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-keys"));
        Path pub = keys.resolve("jwt.pub");
        Path priv = keys.resolve("jwt.key");
        if (method.startsWith("ES")) {
            // as etcd's docs make them: openssl ecparam writes SEC1 (BEGIN EC PRIVATE KEY)
            openssl("ecparam", "-genkey", "-name", "prime256v1", "-out", priv.toString());
            openssl("ec", "-in", priv.toString(), "-pubout", "-out", pub.toString());
        } else {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            Files.writeString(pub, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
            Files.writeString(priv, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        }
        try (CairnProcess server = CairnProcess.start(dir, "--auth-token",
                "jwt,pub-key=" + pub + ",priv-key=" + priv + ",sign-method=" + method + ",ttl=10m")) {
            Etcdctl etcdctl = new Etcdctl(server.endpoint());
            setUpWithEtcdctl(etcdctl);
            String login = post(server, "/v3/auth/authenticate", "{\"name\":\"alice\",\"password\":\"alicepw\"}", null);
            String token = login.replaceAll("(?s).*\"token\":\"([^\"]+)\".*", "$1");
            assertEquals(3, token.split("\\.").length, "a JWT: " + token);
            checkEnforcedWithEtcdctl(etcdctl);
        }
    }

    /**
     * etcd's {@code --client-cert-auth}: a call without a token acts as the user its verified client
     * certificate names (CN), so etcdctl with alice's certificate and no {@code --user} is alice.
     */
    @Test
    void aClientCertificatesCommonNameIsTheUser() {
        Path dir = CairnProcess.newDataDir("auth-cn");
        Pki pki = new Pki(dir.resolveSibling(dir.getFileName() + "-pki"), "auth");
        Pki.Issued serverCertificate = pki.issue("server");
        Pki.Issued alice = pki.issue("alice");
        Pki.Issued root = pki.issue("root");
        Pki.Issued stranger = pki.issue("mallory");
        try (CairnProcess server = CairnProcess.start(dir, "--listen-client-urls", "https://127.0.0.1:0",
                "--cert-file", serverCertificate.certificate().toString(), "--key-file", serverCertificate.key().toString(),
                "--trusted-ca-file", pki.caCertificate().toString(), "--client-cert-auth")) {
            String endpoint = "https://" + server.endpoint();
            Etcdctl asRoot = withCertificate(endpoint, pki, root);
            Etcdctl asAlice = withCertificate(endpoint, pki, alice);
            Etcdctl asStranger = withCertificate(endpoint, pki, stranger);
            setUpWithEtcdctl(asRoot);

            asAlice.ok("put", "/app/cn", "1");
            assertEquals("1\n", asAlice.ok("get", "/app/cn", "--print-value-only"));
            asAlice.fails("etcdserver: permission denied", "put", "/other", "1");
            asAlice.fails("etcdserver: permission denied", "get", "/other");
            asAlice.fails("etcdserver: permission denied", "user", "list");
            // no user of that name: nothing is granted
            asStranger.fails("etcdserver: permission denied", "get", "/app/cn");

            // root's certificate is root: keys everywhere and auth management
            asRoot.ok("put", "/other", "root-was-here");
            assertEquals("alice\nroot\n", asRoot.ok("user", "list"));
            asRoot.ok("role", "revoke-permission", "app", "/app/", "--prefix=true");
            asAlice.fails("etcdserver: permission denied", "get", "/app/cn");
            // a token comes first: alice's certificate with root's password is root
            asAlice.ok("--user", "root:rootpw", "get", "/other");
            assertTrue(asRoot.ok("auth", "disable").contains("Authentication Disabled"));
            asStranger.ok("get", "/app/cn");
        }
    }

    private static Etcdctl withCertificate(String endpoint, Pki pki, Pki.Issued issued) {
        return new Etcdctl(endpoint, "--cacert", pki.caCertificate().toString(), "--cert",
                issued.certificate().toString(), "--key", issued.key().toString());
    }

    @Test
    void aBadAuthTokenFlagIsAStartError() {
        CairnProcess.Result result = CairnProcess.run(Duration.ofSeconds(60), "--data-dir",
                CairnProcess.newDataDir("auth-bad").toString(), "--listen-client-urls", "http://127.0.0.1:0",
                "--auth-token", "jwt,pub-key=/nonexistent.pem,sign-method=RS256");
        assertTrue(result.exitCode() != 0 && result.stderr().contains("/nonexistent.pem"), result.toString());
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, UTF_8);
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(UTF_8));
    }

    private static void openssl(String... arguments) {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("openssl"));
        command.addAll(java.util.List.of(arguments));
        CairnProcess.Result result = CairnProcess.runCommand(command, null, Duration.ofSeconds(30));
        assertEquals(0, result.exitCode(), () -> "openssl failed: " + result);
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    /** POSTs {@code json}; answers "status body". */
    private static String post(CairnProcess server, String path, String json, String token) throws Exception {
        HttpURLConnection connection = (HttpURLConnection) server.httpUrl().resolve(path).toURL().openConnection();
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        connection.setConnectTimeout(10_000);
        connection.setReadTimeout(30_000);
        if (token != null) {
            connection.setRequestProperty("Authorization", token);
        }
        try (OutputStream out = connection.getOutputStream()) {
            out.write(json.getBytes(StandardCharsets.UTF_8));
        }
        return answer(connection);
    }

    private static String put(CairnProcess server, String path, String form) {
        try {
            HttpURLConnection connection = (HttpURLConnection) server.httpUrl().resolve(path).toURL().openConnection();
            connection.setRequestMethod("PUT");
            connection.setDoOutput(true);
            connection.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
            try (OutputStream out = connection.getOutputStream()) {
                out.write(form.getBytes(StandardCharsets.UTF_8));
            }
            return answer(connection);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String answer(HttpURLConnection connection) throws java.io.IOException {
        int status = connection.getResponseCode();
        InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (in != null) {
            try (in) {
                in.transferTo(body);
            }
        }
        return status + " " + body.toString(StandardCharsets.UTF_8);
    }
}
