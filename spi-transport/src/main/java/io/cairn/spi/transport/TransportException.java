package io.cairn.spi.transport;

import io.cairn.api.Experimental;

import java.util.Objects;

/**
 * A transport could not start or run an endpoint: an address in use or not local, a failure of the
 * network library. The message names the address concerned.
 */
@Experimental("new with issue 4")
public class TransportException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String address;

    /**
     * @param address the address concerned, as configured (for example {@code http://127.0.0.1:2379}); never null
     * @param message what went wrong; the address is prepended; never null
     * @param cause the underlying failure, or null
     */
    public TransportException(String address, String message, Throwable cause) {
        super(Objects.requireNonNull(address, "address") + ": " + Objects.requireNonNull(message, "message"), cause);
        this.address = address;
    }

    /** The address concerned, as configured. */
    public String address() {
        return address;
    }
}
