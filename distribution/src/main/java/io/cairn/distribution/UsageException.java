package io.cairn.distribution;

/**
 * A command line the {@code cairn} command cannot accept: an unknown flag, a missing or bad value.
 * The message names the flag and says what is wrong; the command prints it and exits with code 2.
 */
final class UsageException extends Exception {

    UsageException(String message) {
        super(message);
    }
}
