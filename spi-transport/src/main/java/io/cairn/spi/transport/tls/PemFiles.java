package io.cairn.spi.transport.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM files as etcd takes them: certificates (a chain or a CA bundle) and an unencrypted
 * private key in PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1
 * ({@code EC PRIVATE KEY}) form. Failures are {@link IOException}s naming the file.
 */
public final class PemFiles {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

    /** rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters, as a DER AlgorithmIdentifier's content. */
    private static final byte[] RSA_ALGORITHM = {0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D,
        0x01, 0x01, 0x01, 0x05, 0x00};

    /** id-ecPublicKey (1.2.840.10045.2.1) as a DER OID. */
    private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x02, 0x01};

    private PemFiles() {}

    /** Every {@code CERTIFICATE} block of {@code file}, in order; at least one. */
    public static List<X509Certificate> readCertificates(Path file) throws IOException {
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Block block : blocks(file)) {
                if (block.type().equals("CERTIFICATE")) {
                    certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
                }
            }
        } catch (CertificateException bad) {
            throw new IOException(file + ": not a valid certificate: " + bad.getMessage(), bad);
        }
        if (certificates.isEmpty()) {
            throw new IOException(file + ": no PEM CERTIFICATE block");
        }
        return certificates;
    }

    /** The private key of {@code file}: its first key block. */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        for (Block block : blocks(file)) {
            byte[] pkcs8 = switch (block.type()) {
                case "PRIVATE KEY" -> block.der();
                case "RSA PRIVATE KEY" -> pkcs8(RSA_ALGORITHM, block.der());
                case "EC PRIVATE KEY" -> pkcs8(concat(EC_PUBLIC_KEY, sec1Curve(file, block.der())), block.der());
                case "ENCRYPTED PRIVATE KEY" -> throw new IOException(file + ": encrypted private keys are not supported");
                default -> null;
            };
            if (pkcs8 == null) {
                continue;
            }
            for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS")) {
                try {
                    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
                } catch (GeneralSecurityException notThisAlgorithm) {
                    // try the next one
                }
            }
            throw new IOException(file + ": unsupported or malformed " + block.type());
        }
        throw new IOException(file + ": no PEM private key block");
    }

    /**
     * @throws IOException naming the files if {@code key} is not the private key of {@code certificate}
     */
    public static void checkKeyMatches(X509Certificate certificate, PrivateKey key, Path certificateFile, Path keyFile)
            throws IOException {
        PublicKey publicKey = certificate.getPublicKey();
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "RSASSA-PSS" -> null;
            default -> key.getAlgorithm(); // EdDSA, Ed25519, Ed448
        };
        boolean matches;
        if (algorithm == null) {
            matches = publicKey.getAlgorithm().equals(key.getAlgorithm());
        } else {
            try {
                byte[] probe = "cairn key check".getBytes(StandardCharsets.US_ASCII);
                Signature signer = Signature.getInstance(algorithm);
                signer.initSign(key);
                signer.update(probe);
                byte[] signature = signer.sign();
                Signature verifier = Signature.getInstance(algorithm);
                verifier.initVerify(publicKey);
                verifier.update(probe);
                matches = verifier.verify(signature);
            } catch (GeneralSecurityException mismatch) {
                matches = false;
            }
        }
        if (!matches) {
            throw new IOException("private key " + keyFile + " does not match the certificate in " + certificateFile);
        }
    }

    private record Block(String type, byte[] der) {}

    private static List<Block> blocks(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException unreadable) {
            throw new IOException("cannot read " + file + ": " + unreadable, unreadable);
        }
        List<Block> blocks = new ArrayList<>();
        Matcher matcher = BLOCK.matcher(text);
        while (matcher.find()) {
            String base64 = matcher.group(2).replaceAll("\\s", "");
            if (matcher.group(2).contains(":")) {
                throw new IOException(file + ": PEM headers (legacy encryption) are not supported");
            }
            try {
                blocks.add(new Block(matcher.group(1), Base64.getDecoder().decode(base64)));
            } catch (IllegalArgumentException badBase64) {
                throw new IOException(file + ": malformed PEM " + matcher.group(1) + " block", badBase64);
            }
        }
        if (blocks.isEmpty() && text.contains("Proc-Type:")) {
            throw new IOException(file + ": encrypted private keys are not supported");
        }
        return blocks;
    }

    /** PrivateKeyInfo ::= SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING key }. */
    private static byte[] pkcs8(byte[] algorithmContent, byte[] key) {
        return der(0x30, concat(new byte[] {0x02, 0x01, 0x00}, der(0x30, algorithmContent), der(0x04, key)));
    }

    /**
     * The named curve of a SEC1 ECPrivateKey ::= SEQUENCE { INTEGER 1, OCTET STRING, [0] OID, [1] BIT STRING },
     * as the full DER OID.
     */
    private static byte[] sec1Curve(Path file, byte[] sec1) throws IOException {
        try {
            int[] position = {0};
            expect(sec1, position, 0x30);
            readLength(sec1, position);
            while (position[0] < sec1.length) {
                int tag = sec1[position[0]++] & 0xFF;
                int length = readLength(sec1, position);
                if (tag == 0xA0) {
                    int start = position[0];
                    expect(sec1, position, 0x06);
                    int oidLength = readLength(sec1, position);
                    return java.util.Arrays.copyOfRange(sec1, start, position[0] + oidLength);
                }
                position[0] += length;
            }
        } catch (ArrayIndexOutOfBoundsException truncated) {
            // reported below
        }
        throw new IOException(file + ": EC PRIVATE KEY without a named curve");
    }

    private static void expect(byte[] der, int[] position, int tag) {
        if ((der[position[0]++] & 0xFF) != tag) {
            throw new ArrayIndexOutOfBoundsException("unexpected tag");
        }
    }

    private static int readLength(byte[] der, int[] position) {
        int first = der[position[0]++] & 0xFF;
        if (first < 0x80) {
            return first;
        }
        int length = 0;
        for (int i = 0; i < (first & 0x7F); i++) {
            length = (length << 8) | (der[position[0]++] & 0xFF);
        }
        return length;
    }

    private static byte[] der(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = length > 0xFFFFFF ? 4 : length > 0xFFFF ? 3 : length > 0xFF ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
