package io.cairn.spi.transport.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.spi.transport.tls.TestPki.Issued;
import io.cairn.spi.transport.tls.TestPki.KeyForm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM files as openssl writes them: the three unencrypted key forms, chains, and what is refused. */
class PemFilesTest {

    @TempDir
    Path dir;

    @Test
    void readsEveryKeyFormAndChecksItMatchesItsCertificate() throws Exception {
        TestPki pki = new TestPki(dir, "pem");
        for (KeyForm form : KeyForm.values()) {
            Issued issued = pki.issue(form.name().toLowerCase(), form);
            List<X509Certificate> chain = PemFiles.readCertificates(issued.certificate());
            PrivateKey key = PemFiles.readPrivateKey(issued.key());
            assertEquals(form == KeyForm.RSA_PKCS1 ? "RSA" : "EC", key.getAlgorithm(), form.name());
            PemFiles.checkKeyMatches(chain.get(0), key, issued.certificate(), issued.key());
        }
        Issued one = pki.issue("one", KeyForm.EC_PKCS8);
        Issued other = pki.issue("other", KeyForm.EC_PKCS8);
        IOException mismatch = assertThrows(IOException.class, () -> PemFiles.checkKeyMatches(
                PemFiles.readCertificates(one.certificate()).get(0), PemFiles.readPrivateKey(other.key()),
                one.certificate(), other.key()));
        assertEquals("private key " + other.key() + " does not match the certificate in " + one.certificate(),
                mismatch.getMessage());

        Path chainFile = dir.resolve("chain.pem");
        Files.writeString(chainFile, "leaf first\n" + Files.readString(one.certificate()) + Files.readString(pki.ca()));
        List<X509Certificate> chain = PemFiles.readCertificates(chainFile);
        assertEquals(2, chain.size());
        assertEquals(chain.get(0).getIssuerX500Principal(), chain.get(1).getSubjectX500Principal());
    }

    @Test
    void encryptedKeysAndFilesWithoutPemAreRefusedNamingTheFile() throws Exception {
        Path encrypted = dir.resolve("encrypted.key");
        TestPki.openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-aes256",
                "-pass", "pass:secret", "-out", encrypted.toString());
        IOException refused = assertThrows(IOException.class, () -> PemFiles.readPrivateKey(encrypted));
        assertEquals(encrypted + ": encrypted private keys are not supported", refused.getMessage());

        Path text = Files.writeString(dir.resolve("text.pem"), "not a key");
        assertEquals(text + ": no PEM private key block",
                assertThrows(IOException.class, () -> PemFiles.readPrivateKey(text)).getMessage());
        assertEquals(text + ": no PEM CERTIFICATE block",
                assertThrows(IOException.class, () -> PemFiles.readCertificates(text)).getMessage());
        Path missing = dir.resolve("missing.pem");
        assertTrue(assertThrows(IOException.class, () -> PemFiles.readCertificates(missing)).getMessage()
                .startsWith("cannot read " + missing));
    }
}
