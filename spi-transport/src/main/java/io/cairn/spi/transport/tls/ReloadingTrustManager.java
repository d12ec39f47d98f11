package io.cairn.spi.transport.tls;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts the CA certificates of one PEM file, re-read when it changes (checked on every
 * certificate check, that is every handshake that verifies the other side); a changed file that
 * cannot be read leaves the previous CAs in force until the next change. Verification itself is the
 * JDK's PKIX. Thread-safe.
 */
public final class ReloadingTrustManager extends X509ExtendedTrustManager {

    private static final System.Logger LOG = System.getLogger(ReloadingTrustManager.class.getName());

    private final Path caFile;

    // Guarded by this; delegate is read without the lock.
    private FileStamp stamp;
    private volatile X509ExtendedTrustManager delegate;

    /** @throws IOException naming the file, if it cannot be read or holds no certificate */
    public ReloadingTrustManager(Path caFile) throws IOException {
        this.caFile = caFile;
        this.stamp = FileStamp.of(List.of(caFile));
        this.delegate = load(caFile);
    }

    /** The JDK's default trust (its cacerts), for dialing without a CA file; not reloaded. */
    public static X509ExtendedTrustManager systemDefault() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            return firstX509(factory.getTrustManagers());
        } catch (GeneralSecurityException broken) {
            throw new IllegalStateException("the JDK's default trust store cannot be loaded", broken);
        }
    }

    synchronized void reloadIfChanged() {
        FileStamp now = FileStamp.of(List.of(caFile));
        if (now.equals(stamp)) {
            return;
        }
        stamp = now;
        try {
            delegate = load(caFile);
            LOG.log(System.Logger.Level.INFO, "reloaded trusted CA file {0}", caFile);
        } catch (IOException | RuntimeException failure) {
            LOG.log(System.Logger.Level.WARNING, "trusted CA file {0} changed but cannot be used, keeping the previous CAs: {1}",
                    caFile, failure.getMessage());
        }
    }

    private static X509ExtendedTrustManager load(Path caFile) throws IOException {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int index = 0;
            for (X509Certificate ca : PemFiles.readCertificates(caFile)) {
                store.setCertificateEntry("ca-" + index++, ca);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(store);
            return firstX509(factory.getTrustManagers());
        } catch (GeneralSecurityException unusable) {
            throw new IOException(caFile + ": cannot trust its certificates: " + unusable.getMessage(), unusable);
        }
    }

    private static X509ExtendedTrustManager firstX509(TrustManager[] managers) {
        for (TrustManager manager : managers) {
            if (manager instanceof X509ExtendedTrustManager x509) {
                return x509;
            }
        }
        throw new IllegalStateException("no X.509 trust manager in " + List.of(managers));
    }

    private X509ExtendedTrustManager current() {
        reloadIfChanged();
        return delegate;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        current().checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        current().checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        current().checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        current().checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        current().checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        current().checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return current().getAcceptedIssuers();
    }
}
