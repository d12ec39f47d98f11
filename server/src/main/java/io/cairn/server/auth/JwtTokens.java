package io.cairn.server.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * etcd's JWT tokens ({@code --auth-token jwt,pub-key=…,priv-key=…,sign-method=RS256|ES256,ttl=…}):
 * self-contained, signed with the JDK's {@code java.security}, claims {@code username},
 * {@code revision} (the auth revision at authentication) and {@code exp}, as etcd's. Any member
 * with the public key verifies them, so they need no log entry. They stop working when the auth
 * store changes (their revision is then old), when they expire, and never sooner.
 *
 * <p>Keys are PEM files: the private key PKCS#8 ({@code BEGIN PRIVATE KEY}, what OpenSSL 3 writes),
 * or, for RSA, PKCS#1 ({@code BEGIN RSA PRIVATE KEY}), or, for EC, SEC1 ({@code BEGIN EC PRIVATE KEY},
 * what {@code openssl ecparam -genkey} writes); the public key X.509 ({@code BEGIN PUBLIC KEY}).
 */
public final class JwtTokens implements TokenProvider {

    /** etcd's default JWT lifetime. */
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);

    private final String method;
    private final String jcaAlgorithm;
    private final PublicKey publicKey;
    private final PrivateKey privateKey; // null: verify only
    private final long ttlSeconds;
    private final LongSupplier epochSeconds;

    private JwtTokens(String method, PublicKey publicKey, PrivateKey privateKey, Duration ttl, LongSupplier epochSeconds) {
        this.method = method;
        this.jcaAlgorithm = switch (method) {
            case "RS256" -> "SHA256withRSA";
            case "RS384" -> "SHA384withRSA";
            case "RS512" -> "SHA512withRSA";
            case "ES256" -> "SHA256withECDSAinP1363Format";
            case "ES384" -> "SHA384withECDSAinP1363Format";
            case "ES512" -> "SHA512withECDSAinP1363Format";
            default -> throw new IllegalArgumentException("unsupported JWT sign-method " + method
                    + " (RS256, RS384, RS512, ES256, ES384, ES512)");
        };
        this.publicKey = publicKey;
        this.privateKey = privateKey;
        this.ttlSeconds = Math.max(1, ttl.toSeconds());
        this.epochSeconds = epochSeconds;
    }

    /**
     * From etcd's option list after {@code jwt,}: {@code pub-key=path,priv-key=path,sign-method=RS256,ttl=5m}.
     *
     * @throws IllegalArgumentException naming the option or the file that is wrong
     */
    public static JwtTokens fromOptions(Map<String, String> options, LongSupplier epochSeconds) {
        for (String name : options.keySet()) {
            if (!java.util.Set.of("pub-key", "priv-key", "sign-method", "ttl").contains(name)) {
                throw new IllegalArgumentException("unknown --auth-token jwt option " + name
                        + " (pub-key, priv-key, sign-method, ttl)");
            }
        }
        String method = options.get("sign-method");
        if (method == null) {
            throw new IllegalArgumentException("--auth-token jwt needs sign-method=RS256|ES256|...");
        }
        String pub = options.get("pub-key");
        if (pub == null) {
            throw new IllegalArgumentException("--auth-token jwt needs pub-key=<PEM file>");
        }
        String family = method.startsWith("ES") ? "EC" : "RSA";
        PublicKey publicKey = readPublicKey(Path.of(pub), family);
        PrivateKey privateKey = options.containsKey("priv-key") ? readPrivateKey(Path.of(options.get("priv-key")), family) : null;
        Duration ttl = options.containsKey("ttl") ? parseDuration(options.get("ttl")) : DEFAULT_TTL;
        return new JwtTokens(method, publicKey, privateKey, ttl, epochSeconds);
    }

    /** Go's durations as etcd takes them: {@code 300s}, {@code 5m}, {@code 1h}, {@code 1h30m}, {@code 500ms}. */
    static Duration parseDuration(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find() && m.start() == end) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            });
            end = m.end();
        }
        if (end != text.length() || text.isEmpty() || total.isZero()) {
            throw new IllegalArgumentException("--auth-token jwt ttl " + text + " is not a positive duration such as 5m or 300s");
        }
        return total;
    }

    @Override
    public boolean replicated() {
        return false;
    }

    @Override
    public String issue(String user, long revision) {
        if (privateKey == null) {
            throw new IllegalStateException("--auth-token jwt has no priv-key: this member cannot issue tokens");
        }
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString(("{\"alg\":\"" + method + "\",\"typ\":\"JWT\"}").getBytes(StandardCharsets.UTF_8));
        String claims = b64.encodeToString(("{\"exp\":" + (epochSeconds.getAsLong() + ttlSeconds) + ",\"revision\":" + revision
                + ",\"username\":" + jsonString(user) + "}").getBytes(StandardCharsets.UTF_8));
        String signed = header + "." + claims;
        try {
            Signature signature = Signature.getInstance(jcaAlgorithm);
            signature.initSign(privateKey);
            signature.update(signed.getBytes(StandardCharsets.US_ASCII));
            return signed + "." + b64.encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a JWT with " + jcaAlgorithm + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void record(String user, String token) {
        // self-contained: nothing to record
    }

    @Override
    public Optional<Caller> caller(String token, long currentRevision) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            Base64.Decoder b64 = Base64.getUrlDecoder();
            Map<String, Object> header = FlatJson.parse(new String(b64.decode(parts[0]), StandardCharsets.UTF_8));
            if (!method.equals(header.get("alg"))) {
                return Optional.empty();
            }
            Signature signature = Signature.getInstance(jcaAlgorithm);
            signature.initVerify(publicKey);
            signature.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!signature.verify(b64.decode(parts[2]))) {
                return Optional.empty();
            }
            Map<String, Object> claims = FlatJson.parse(new String(b64.decode(parts[1]), StandardCharsets.UTF_8));
            if (!(claims.get("username") instanceof String user) || !(claims.get("revision") instanceof Long revision)
                    || !(claims.get("exp") instanceof Long exp)) {
                return Optional.empty();
            }
            if (exp <= epochSeconds.getAsLong()) {
                return Optional.empty();
            }
            return Optional.of(new Caller(user, revision));
        } catch (IllegalArgumentException | GeneralSecurityException malformed) {
            return Optional.empty();
        }
    }

    @Override
    public void invalidateUser(String user) {
        // self-contained tokens cannot be recalled; their revision is old after the change
    }

    @Override
    public void invalidateAll() {
        // as above
    }

    private static String jsonString(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    // ---- keys -----------------------------------------------------------------------------------

    private static byte[] pem(Path file, String... labels) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read JWT key file " + file + ": " + e.getMessage(), e);
        }
        for (String label : labels) {
            String begin = "-----BEGIN " + label + "-----";
            int start = text.indexOf(begin);
            if (start >= 0) {
                int end = text.indexOf("-----END " + label + "-----", start);
                if (end < 0) {
                    break;
                }
                return Base64.getMimeDecoder().decode(text.substring(start + begin.length(), end));
            }
        }
        throw new IllegalArgumentException("JWT key file " + file + " holds no " + String.join(" or ", labels)
                + " PEM block (convert with: openssl pkcs8 -topk8 -nocrypt)");
    }

    static PublicKey readPublicKey(Path file, String family) {
        try {
            return KeyFactory.getInstance(family).generatePublic(new X509EncodedKeySpec(pem(file, "PUBLIC KEY")));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("JWT public key " + file + " is not an " + family + " key: " + e.getMessage(), e);
        }
    }

    static PrivateKey readPrivateKey(Path file, String family) {
        byte[] der = pem(file, "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read JWT key file " + file, e);
        }
        if (!text.contains("-----BEGIN PRIVATE KEY-----")) {
            der = text.contains("-----BEGIN RSA PRIVATE KEY-----") ? pkcs1ToPkcs8(der) : sec1ToPkcs8(der, file);
        }
        try {
            return KeyFactory.getInstance(family).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("JWT private key " + file + " is not a PKCS#8 " + family + " key: "
                    + e.getMessage(), e);
        }
    }

    /** Wraps a PKCS#1 RSAPrivateKey in PKCS#8's PrivateKeyInfo (version 0, rsaEncryption, the key as an octet string). */
    private static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01,
                0x05, 0x00};
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = der(0x04, pkcs1);
        byte[] body = new byte[version.length + algorithm.length + octets.length];
        System.arraycopy(version, 0, body, 0, version.length);
        System.arraycopy(algorithm, 0, body, version.length, algorithm.length);
        System.arraycopy(octets, 0, body, version.length + algorithm.length, octets.length);
        return der(0x30, body);
    }

    /**
     * Wraps a SEC1 ECPrivateKey ({@code BEGIN EC PRIVATE KEY}, what {@code openssl ecparam -genkey}
     * writes) in PKCS#8's PrivateKeyInfo: version 0, id-ecPublicKey with the curve OID the SEC1 key
     * names in its {@code [0] parameters}, the SEC1 key as an octet string.
     */
    private static byte[] sec1ToPkcs8(byte[] sec1, Path file) {
        byte[] curve = null;
        try {
            int[] outer = header(sec1, 0, 0x30);
            int at = outer[0];
            int end = at + outer[1];
            while (at < end) {
                int[] field = header(sec1, at, -1);
                if ((sec1[at] & 0xff) == 0xa0 && (sec1[field[0]] & 0xff) == 0x06) { // [0] parameters: a named curve's OID
                    int[] oid = header(sec1, field[0], 0x06);
                    curve = java.util.Arrays.copyOfRange(sec1, field[0], oid[0] + oid[1]);
                }
                at = field[0] + field[1];
            }
        } catch (IndexOutOfBoundsException | IllegalArgumentException malformed) {
            throw new IllegalArgumentException("JWT private key " + file + " is not a SEC1 EC private key", malformed);
        }
        if (curve == null) {
            throw new IllegalArgumentException("JWT private key " + file + " names no curve (SEC1 without a named"
                    + " curve): write it with openssl ecparam -genkey -name <curve>, or convert it with openssl pkcs8 -topk8 -nocrypt");
        }
        byte[] ecPublicKey = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01}; // 1.2.840.10045.2.1
        byte[] algorithm = der(0x30, concat(ecPublicKey, curve));
        return der(0x30, concat(new byte[] {0x02, 0x01, 0x00}, algorithm, der(0x04, sec1)));
    }

    /**
     * The DER header at {@code at}: {content offset, content length}.
     *
     * @throws IllegalArgumentException if the tag is not {@code tag} (any tag when negative) or the length is bad
     */
    private static int[] header(byte[] der, int at, int tag) {
        if (tag >= 0 && (der[at] & 0xff) != tag) {
            throw new IllegalArgumentException("tag " + (der[at] & 0xff) + " where " + tag + " was expected");
        }
        int first = der[at + 1] & 0xff;
        if (first < 0x80) {
            return new int[] {at + 2, first};
        }
        int bytes = first & 0x7f;
        if (bytes == 0 || bytes > 3) {
            throw new IllegalArgumentException("bad DER length");
        }
        int length = 0;
        for (int i = 0; i < bytes; i++) {
            length = (length << 8) | (der[at + 2 + i] & 0xff);
        }
        if (at + 2 + bytes + length > der.length) {
            throw new IllegalArgumentException("DER length beyond the data");
        }
        return new int[] {at + 2 + bytes, length};
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] der(int tag, byte[] content) {
        int n = content.length;
        byte[] length = n < 0x80 ? new byte[] {(byte) n}
                : n < 0x100 ? new byte[] {(byte) 0x81, (byte) n}
                : n < 0x10000 ? new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n}
                : new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        byte[] out = new byte[1 + length.length + n];
        out[0] = (byte) tag;
        System.arraycopy(length, 0, out, 1, length.length);
        System.arraycopy(content, 0, out, 1 + length.length, n);
        return out;
    }

    /** Parses one flat JSON object of strings, integers and booleans (a JWT's header and claims). */
    static final class FlatJson {
        private final String s;
        private int pos;

        private FlatJson(String s) {
            this.s = s;
        }

        static Map<String, Object> parse(String text) {
            FlatJson p = new FlatJson(text);
            Map<String, Object> out = new LinkedHashMap<>();
            p.skip();
            p.expect('{');
            p.skip();
            if (p.peek() == '}') {
                p.pos++;
            } else {
                while (true) {
                    p.skip();
                    String key = p.string();
                    p.skip();
                    p.expect(':');
                    p.skip();
                    out.put(key, p.value());
                    p.skip();
                    char c = p.next();
                    if (c == '}') {
                        break;
                    }
                    if (c != ',') {
                        throw new IllegalArgumentException("JSON: expected , or } at " + p.pos);
                    }
                }
            }
            p.skip();
            if (p.pos != text.length()) {
                throw new IllegalArgumentException("JSON: trailing text at " + p.pos);
            }
            return out;
        }

        private Object value() {
            char c = peek();
            if (c == '"') {
                return string();
            }
            if (s.startsWith("true", pos)) {
                pos += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("false", pos)) {
                pos += 5;
                return Boolean.FALSE;
            }
            int start = pos;
            if (c == '-') {
                pos++;
            }
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                pos++;
            }
            if (pos == start || (pos < s.length() && (s.charAt(pos) == '.' || s.charAt(pos) == 'e' || s.charAt(pos) == 'E'))) {
                throw new IllegalArgumentException("JSON: unsupported value at " + start);
            }
            return Long.parseLong(s.substring(start, pos));
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return out.toString();
                }
                if (c == '\\') {
                    char e = next();
                    switch (e) {
                        case '"', '\\', '/' -> out.append(e);
                        case 'n' -> out.append('\n');
                        case 't' -> out.append('\t');
                        case 'r' -> out.append('\r');
                        case 'b' -> out.append('\b');
                        case 'f' -> out.append('\f');
                        case 'u' -> {
                            if (pos + 4 > s.length()) {
                                throw new IllegalArgumentException("JSON: truncated escape");
                            }
                            out.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                            pos += 4;
                        }
                        default -> throw new IllegalArgumentException("JSON: bad escape at " + pos);
                    }
                } else {
                    out.append(c);
                }
            }
        }

        private void skip() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        private char peek() {
            if (pos >= s.length()) {
                throw new IllegalArgumentException("JSON: truncated");
            }
            return s.charAt(pos);
        }

        private char next() {
            char c = peek();
            pos++;
            return c;
        }

        private void expect(char c) {
            if (next() != c) {
                throw new IllegalArgumentException("JSON: expected " + c + " at " + (pos - 1));
            }
        }
    }
}
