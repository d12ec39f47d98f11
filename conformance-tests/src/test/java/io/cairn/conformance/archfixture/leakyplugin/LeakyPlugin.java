package io.cairn.conformance.archfixture.leakyplugin;

import io.cairn.conformance.StorageVerification;

/** A "plugin" that reaches past the SPI into another Cairn module, so ArchitectureTest can show the rule fails. */
public final class LeakyPlugin {
    public Class<?> leak() {
        return StorageVerification.class;
    }
}
