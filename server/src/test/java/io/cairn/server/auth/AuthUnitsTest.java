package io.cairn.server.auth;

import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.KeyRange;
import io.cairn.api.auth.Permission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The auth store's pure parts: state changes, permission ranges, password hashes, tokens. */
class AuthUnitsTest {

    private static Bytes b(String s) {
        return Bytes.fromUtf8(s);
    }

    private static Permission perm(String type, String key, String end) {
        Bytes rangeEnd = end.equals("\\0") ? Bytes.NUL : b(end);
        return new Permission(Permission.Type.valueOf(type), b(key), rangeEnd);
    }

    /** granted (key..end; several with '|'), requested key, requested end, covered? ("\0" is NUL) */
    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "a;;a;;true",
            "a;;b;;false",
            "a;;a;b;false",
            "/app/;/app0;/app/x;;true",
            "/app/;/app0;/app/;/app0;true",
            "/app/;/app0;/ap;/app0;false",
            "/app/;/app0;/app/;\\0;false",
            "a|c;c|e;b;d;true",
            "a|d;c|e;b;e;false",
            "a;\\0;zzz;\\0;true",
            "a;\\0;0;\\0;false",
            "/app/;/app0;/app/x;/app/a;true",
    })
    void permissionsCoverRanges(String grantedKeys, String grantedEnd, String key, String end, boolean covered) {
        String[] keys = grantedKeys.split("\\|");
        String[] ends = grantedEnd == null ? new String[] {""} : grantedEnd.split("\\|");
        // "a;c|c;e" means two grants: (a, c) and (c, e)
        List<Permission> granted = new java.util.ArrayList<>();
        if (keys.length == 2 && ends.length == 2) {
            granted.add(perm("READ", keys[0], ends[0]));
            granted.add(perm("READ", keys[1], ends[1]));
        } else {
            granted.add(perm("READ", keys[0], ends.length > 0 ? ends[0] : ""));
        }
        Bytes rangeEnd = end == null ? Bytes.EMPTY : end.equals("\\0") ? Bytes.NUL : b(end);
        assertEquals(covered, KeyIntervals.covers(granted, b(key), rangeEnd), granted + " cover " + key + ".." + end);
    }

    @Test
    void stateChangesFollowEtcdsRules() {
        AuthState s = AuthState.initial();
        assertThrows(CairnException.class, () -> AuthState.initial().apply(new AuthChange.Enable()));
        s = s.apply(new AuthChange.UserAdd("root", Passwords.hash("pw", 1000), false));
        assertEquals(2, s.revision());
        s = s.apply(new AuthChange.UserGrantRole("root", "root"));
        assertSame(s, s.apply(new AuthChange.UserGrantRole("root", "root")), "granting twice is a no-op");
        s = s.apply(new AuthChange.RoleAdd("r"));
        s = s.apply(new AuthChange.RoleGrantPermission("r", perm("READ", "k", "")));
        s = s.apply(new AuthChange.RoleGrantPermission("r", perm("WRITE", "k", "")));
        assertEquals(List.of(perm("WRITE", "k", "")), s.role("r").permissions(), "same range: the type is replaced");
        s = s.apply(new AuthChange.UserAdd("u", "", true));
        s = s.apply(new AuthChange.UserGrantRole("u", "r"));
        s = s.apply(new AuthChange.Enable());
        assertTrue(s.enabled());
        AuthState enabled = s;
        assertError(ErrorCode.INVALID_AUTH_MGMT, () -> enabled.apply(new AuthChange.RoleDelete("root")));
        assertError(ErrorCode.INVALID_AUTH_MGMT, () -> enabled.apply(new AuthChange.UserRevokeRole("root", "root")));
        assertError(ErrorCode.ROLE_NOT_GRANTED, () -> enabled.apply(new AuthChange.UserRevokeRole("u", "x")));
        assertError(ErrorCode.PERMISSION_NOT_GRANTED, () -> enabled.apply(new AuthChange.RoleRevokePermission("r", b("k"), b("z"))));
        assertError(ErrorCode.USER_EMPTY, () -> enabled.apply(new AuthChange.UserAdd("", "", true)));
        assertError(ErrorCode.ROLE_EMPTY, () -> enabled.apply(new AuthChange.RoleAdd("")));
        enabled.checkKeys("u", b("k"), Bytes.EMPTY, true);
        assertError(ErrorCode.PERMISSION_DENIED, () -> enabled.checkKeys("u", b("k"), Bytes.EMPTY, false));
        assertError(ErrorCode.PERMISSION_DENIED, () -> enabled.checkKeys("nobody", b("k"), Bytes.EMPTY, true));
        assertError(ErrorCode.USER_EMPTY, () -> enabled.checkKeys("", b("k"), Bytes.EMPTY, true));
        enabled.checkKeys("root", b("anything"), Bytes.NUL, false);
        assertError(ErrorCode.PERMISSION_DENIED, () -> enabled.checkAdmin("u"));
        assertError(ErrorCode.USER_NOT_FOUND, () -> enabled.checkAdmin("nobody"));
        AuthState deleted = s.apply(new AuthChange.RoleDelete("r"));
        assertEquals(List.of(), deleted.user("u").roles(), "a deleted role leaves its users");
        assertEquals(s, AuthState.decode(s.encode()));
    }

    private static void assertError(ErrorCode code, org.junit.jupiter.api.function.Executable call) {
        CairnException e = assertThrows(CairnException.class, call);
        assertTrue(e.is(code), "expected " + code + ", got " + e);
    }

    @Test
    void passwordHashesAreSaltedAndVerify() {
        String one = Passwords.hash("secret", 1000);
        String two = Passwords.hash("secret", 1000);
        assertNotEquals(one, two);
        assertTrue(one.startsWith("pbkdf2-sha256$1000$"));
        assertTrue(Passwords.verify("secret", one));
        assertFalse(Passwords.verify("Secret", one));
        assertFalse(Passwords.verify("secret", ""));
        assertFalse(Passwords.verify("secret", "pbkdf2-sha256$x$y$z"));
        assertFalse(new AuthChange.UserAdd("u", one, false).toString().contains(one), "hashes stay out of logs");
    }

    @Test
    void simpleTokensExpireWhenUnusedAndDieWithTheirUser() {
        AtomicLong now = new AtomicLong();
        SimpleTokens tokens = new SimpleTokens(100, now::get);
        String t = tokens.issue("alice", 1);
        tokens.record("alice", t);
        now.set(90);
        assertEquals("alice", tokens.caller(t, 7).orElseThrow().user());
        assertEquals(Caller.CURRENT, tokens.caller(t, 7).orElseThrow().revision(), "checked against the store at each call");
        now.set(180); // used at 90: lives to 190
        assertTrue(tokens.caller(t, 7).isPresent());
        now.set(300);
        assertTrue(tokens.caller(t, 7).isEmpty());
        String u = tokens.issue("bob", 1);
        tokens.record("bob", u);
        tokens.invalidateUser("bob");
        assertTrue(tokens.caller(u, 1).isEmpty());
    }

    @TempDir
    Path dir;

    private Map<String, String> keys(String algorithm, String method) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        generator.initialize(algorithm.equals("RSA") ? 2048 : 256);
        KeyPair pair = generator.generateKeyPair();
        Path pub = dir.resolve(method + ".pub");
        Path priv = dir.resolve(method + ".key");
        Base64.Encoder mime = Base64.getMimeEncoder(64, new byte[] {'\n'});
        Files.writeString(pub, "-----BEGIN PUBLIC KEY-----\n" + mime.encodeToString(pair.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
        Files.writeString(priv, "-----BEGIN PRIVATE KEY-----\n" + mime.encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        return Map.of("pub-key", pub.toString(), "priv-key", priv.toString(), "sign-method", method, "ttl", "5m");
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS256", "ES256"})
    void jwtTokensCarryUserRevisionAndExpiry(String method) throws Exception {
        AtomicLong clock = new AtomicLong(1_000_000);
        JwtTokens jwt = JwtTokens.fromOptions(keys(method.startsWith("ES") ? "EC" : "RSA", method), clock::get);
        String token = jwt.issue("alice", 5);
        assertEquals(3, token.split("\\.").length);
        Caller caller = jwt.caller(token, 99).orElseThrow();
        assertEquals(new Caller("alice", 5), caller, "the token's own revision, not the store's");
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"exp\":9999999999,\"revision\":5,\"username\":\"root\"}".getBytes()) + "." + parts[2];
        assertTrue(jwt.caller(forged, 5).isEmpty(), "a changed claim breaks the signature");
        assertTrue(jwt.caller("not.a.jwt", 5).isEmpty());
        assertTrue(jwt.caller("garbage", 5).isEmpty());
        clock.addAndGet(301);
        assertTrue(jwt.caller(token, 5).isEmpty(), "expired after the ttl");
        JwtTokens other = JwtTokens.fromOptions(keys(method.startsWith("ES") ? "EC" : "RSA", method), clock::get);
        assertTrue(other.caller(other.issue("a", 1), 1).isPresent());
        assertTrue(other.caller(jwt.issue("a", 1), 1).isEmpty(), "another key pair's token");
    }

    @Test
    void rememberedPasswordsStillRefuseWrongOnesAndChangedHashes() {
        VerifiedPasswords verified = new VerifiedPasswords();
        String hash = Passwords.hash("pw", 1_000);
        assertTrue(verified.verify("pw", hash));
        assertTrue(verified.verify("pw", hash), "again, from memory");
        assertFalse(verified.verify("pw2", hash), "a wrong password after a right one");
        assertFalse(verified.verify("", hash));
        String changed = Passwords.hash("new", 1_000);
        assertFalse(verified.verify("pw", changed), "the old password against the changed hash");
        assertTrue(verified.verify("new", changed));
        assertFalse(verified.verify("pw", "not-a-hash"));
    }

    /** {@code openssl ecparam -genkey} writes SEC1 ({@code BEGIN EC PRIVATE KEY}, after an EC PARAMETERS block). */
    @ParameterizedTest
    @CsvSource({"ES256,prime256v1", "ES384,secp384r1", "ES512,secp521r1"})
    void ecKeysWrittenByOpensslInSec1FormSign(String method, String curve) throws Exception {
        Path priv = dir.resolve(curve + ".key");
        Path pub = dir.resolve(curve + ".pub");
        openssl("ecparam", "-genkey", "-name", curve, "-out", priv.toString());
        openssl("ec", "-in", priv.toString(), "-pubout", "-out", pub.toString());
        assertTrue(Files.readString(priv).contains("-----BEGIN EC PRIVATE KEY-----"), Files.readString(priv));
        JwtTokens jwt = JwtTokens.fromOptions(Map.of("pub-key", pub.toString(), "priv-key", priv.toString(),
                "sign-method", method), () -> 1_000);
        assertEquals(new Caller("alice", 3), jwt.caller(jwt.issue("alice", 3), 3).orElseThrow());

        Path noCurve = dir.resolve(curve + "-nocurve.key");
        openssl("ec", "-in", priv.toString(), "-param_enc", "explicit", "-no_public", "-out", noCurve.toString());
        Files.writeString(noCurve, Files.readString(noCurve).replaceAll("(?s)-----BEGIN EC PARAMETERS-----.*?-----END EC PARAMETERS-----\\n?", ""));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> JwtTokens.fromOptions(
                Map.of("pub-key", pub.toString(), "priv-key", noCurve.toString(), "sign-method", method), () -> 1_000));
        assertTrue(bad.getMessage().contains(noCurve.toString()), bad.getMessage());
    }

    private static void openssl(String... arguments) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "openssl finished");
        assertEquals(0, process.exitValue(), () -> "openssl " + command + ": " + output);
    }

    @Test
    void jwtOptionsAreChecked() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JwtTokens.fromOptions(Map.of("sign-method", "HS999", "pub-key", "x"), () -> 0));
        assertTrue(e.getMessage().contains("x"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JwtTokens.fromOptions(Map.of("pub-key", "x"), () -> 0));
        assertThrows(IllegalArgumentException.class, () -> JwtTokens.fromOptions(Map.of("bogus", "x"), () -> 0));
        assertEquals(java.time.Duration.ofMinutes(90), JwtTokens.parseDuration("1h30m"));
        assertThrows(IllegalArgumentException.class, () -> JwtTokens.parseDuration("5 minutes"));
        assertTrue(KeyRange.prefix(b("a")).contains(b("ab")));
    }
}
