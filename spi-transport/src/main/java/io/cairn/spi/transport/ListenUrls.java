package io.cairn.spi.transport;

import java.net.URI;

/** The one shape of a URL to listen on, for client and peer endpoints alike: {@code http(s)://host:port}. */
final class ListenUrls {

    private ListenUrls() {}

    /**
     * @param role how the message names the URL ("listen", "peer")
     * @param tls whether TLS is configured (https needs it)
     * @throws IllegalArgumentException naming the URL and what is wrong with it
     */
    static void check(String role, URI url, boolean tls) {
        String scheme = url.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException(role + " URL " + url + " must use http or https");
        }
        if ("https".equals(scheme) && !tls) {
            throw new IllegalArgumentException(role + " URL " + url + " uses https but no TLS is configured");
        }
        if (url.getHost() == null || url.getHost().isEmpty()) {
            throw new IllegalArgumentException(role + " URL " + url + " has no host");
        }
        if (url.getPort() < 0 || url.getPort() > 65535) {
            throw new IllegalArgumentException(role + " URL " + url + " needs an explicit port in [0, 65535]");
        }
        boolean hasPath = url.getRawPath() != null && !url.getRawPath().isEmpty() && !url.getRawPath().equals("/");
        if (hasPath || url.getRawQuery() != null || url.getRawFragment() != null || url.getRawUserInfo() != null) {
            throw new IllegalArgumentException(role + " URL " + url + " must be only scheme://host:port");
        }
    }
}
