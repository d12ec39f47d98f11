/**
 * TLS material for transport plugins, on the JDK's TLS only: {@link io.cairn.spi.transport.tls.PemFiles}
 * reads etcd's PEM files, {@link io.cairn.spi.transport.tls.ReloadingKeyManager} and
 * {@link io.cairn.spi.transport.tls.ReloadingTrustManager} re-read them when they change (checked on every
 * handshake), and {@link io.cairn.spi.transport.tls.TlsManagers} builds both from a
 * {@link io.cairn.spi.transport.TlsConfig}. Shared here because plugins export nothing; each plugin wraps
 * the managers in its own library's context (Netty's, or a plain {@code SSLContext}).
 *
 * <p>Threading: every type here is thread-safe; the managers are called by the JDK's TLS engine on
 * whatever thread runs a handshake. Ownership: the managers hold no open resources (files are read and
 * closed), so they need no closing and may be shared by any number of contexts. Failure: setting up
 * fails with an {@link java.io.IOException} (or {@link io.cairn.spi.transport.TransportException} from
 * {@code TlsManagers}) naming the file; a later change that cannot be read keeps the previous version.
 */
package io.cairn.spi.transport.tls;
