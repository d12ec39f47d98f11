package io.cairn.api;

/**
 * The base of Cairn's typed errors. Subclasses carry etcd's error semantics; {@link #getMessage()}
 * is the message etcd gives for the same condition where etcd has one.
 */
public class CairnException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CairnException(String message) {
        super(message);
    }

    public CairnException(String message, Throwable cause) {
        super(message, cause);
    }
}
