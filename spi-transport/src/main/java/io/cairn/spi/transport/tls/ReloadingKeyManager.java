package io.cairn.spi.transport.tls;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The certificate and key of one endpoint, re-read when their files change: every handshake asks
 * for an alias first ({@code choose...Alias}), which checks the files' {@link FileStamp} and, if it
 * moved, loads them again; the alias names the version loaded, so a handshake that started with
 * one version finishes with it. If the changed files cannot be read or do not match (a certificate
 * and key written one after the other), the previous version stays in use until the next change.
 * Thread-safe.
 */
public final class ReloadingKeyManager extends X509ExtendedKeyManager {

    private static final System.Logger LOG = System.getLogger(ReloadingKeyManager.class.getName());

    private record Version(String alias, X509Certificate[] chain, PrivateKey key) {}

    private final Path certificateFile;
    private final Path keyFile;

    // Guarded by this; current and previous are read without the lock.
    private FileStamp stamp;
    private int generation;
    private volatile Version current;
    private volatile Version previous;

    /** @throws IOException naming the file, if the files cannot be read or do not match */
    public ReloadingKeyManager(Path certificateFile, Path keyFile) throws IOException {
        this.certificateFile = certificateFile;
        this.keyFile = keyFile;
        this.stamp = FileStamp.of(List.of(certificateFile, keyFile));
        this.current = load(0);
        this.previous = current;
    }

    /** Loads the files again if they changed since the last look; quietly keeps the last good version otherwise. */
    synchronized void reloadIfChanged() {
        FileStamp now = FileStamp.of(List.of(certificateFile, keyFile));
        if (now.equals(stamp)) {
            return;
        }
        stamp = now;
        try {
            Version loaded = load(generation + 1);
            generation++;
            previous = current;
            current = loaded;
            LOG.log(System.Logger.Level.INFO, "reloaded TLS certificate {0} ({1})", certificateFile,
                    loaded.chain()[0].getSubjectX500Principal());
        } catch (IOException | RuntimeException failure) {
            LOG.log(System.Logger.Level.WARNING, "TLS certificate {0} changed but cannot be used, keeping the previous one: {1}",
                    certificateFile, failure.getMessage());
        }
    }

    /** The leaf certificate in use, for tests and logs. */
    X509Certificate certificate() {
        return current.chain()[0];
    }

    private Version load(int generation) throws IOException {
        List<X509Certificate> chain = PemFiles.readCertificates(certificateFile);
        PrivateKey key = PemFiles.readPrivateKey(keyFile);
        PemFiles.checkKeyMatches(chain.get(0), key, certificateFile, keyFile);
        return new Version("cairn-" + generation, chain.toArray(X509Certificate[]::new), key);
    }

    private String aliasFor(String keyType) {
        reloadIfChanged();
        Version version = current;
        return keyType == null || matches(keyType, version.key()) ? version.alias() : null;
    }

    /** JSSE key types are a key algorithm ("RSA", "EC", "EdDSA"), or "EC_EC"-style pairs for TLS 1.2's static ECDH. */
    private static boolean matches(String keyType, PrivateKey key) {
        String algorithm = key.getAlgorithm();
        int separator = keyType.indexOf('_');
        String wanted = separator < 0 ? keyType : keyType.substring(0, separator);
        return wanted.equals(algorithm) || (wanted.equals("EdDSA") && algorithm.startsWith("Ed"));
    }

    private Version byAlias(String alias) {
        Version version = current;
        if (version.alias().equals(alias)) {
            return version;
        }
        version = previous;
        return version.alias().equals(alias) ? version : null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        String alias = aliasFor(keyType);
        return alias == null ? null : new String[] {alias};
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return chooseClientAlias(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return chooseClientAlias(keyTypes);
    }

    private String chooseClientAlias(String[] keyTypes) {
        if (keyTypes == null) {
            return null;
        }
        for (String keyType : keyTypes) {
            String alias = aliasFor(keyType);
            if (alias != null) {
                return alias;
            }
        }
        return null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return aliasFor(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyType);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Version version = byAlias(alias);
        return version == null ? null : version.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Version version = byAlias(alias);
        return version == null ? null : version.key();
    }
}
