package io.cairn.transport.http;

import io.cairn.spi.transport.TlsConfig;
import io.undertow.Undertow;

import java.net.InetSocketAddress;

import javax.net.ssl.SSLContext;

import org.xnio.Options;
import org.xnio.Sequence;
import org.xnio.SslClientAuthMode;

/** The listener of one Undertow server for one listen URL: plain text for {@code http}, TLS for {@code https}. */
final class Listeners {

    private Listeners() {}

    /**
     * Adds the listener for {@code address} to {@code builder}: TLS with {@code context} if {@code tls}
     * is non-null (an {@code https} URL), plain text otherwise. With {@code clientCertAuth}, a client
     * without a certificate chaining to the trusted CA fails the handshake.
     */
    static void add(Undertow.Builder builder, InetSocketAddress address, SSLContext context, TlsConfig tls) {
        String host = address.getAddress().getHostAddress();
        if (tls == null) {
            builder.addHttpListener(address.getPort(), host);
            return;
        }
        builder.addHttpsListener(address.getPort(), host, context)
                .setSocketOption(Options.SSL_CLIENT_AUTH_MODE,
                        tls.clientCertAuth() ? SslClientAuthMode.REQUIRED : SslClientAuthMode.NOT_REQUESTED)
                .setSocketOption(Options.SSL_ENABLED_PROTOCOLS, Sequence.of(TlsContexts.protocols(tls)));
    }
}
