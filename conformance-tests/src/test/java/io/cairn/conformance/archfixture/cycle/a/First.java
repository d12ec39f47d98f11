package io.cairn.conformance.archfixture.cycle.a;

/** Half of a package cycle, so ArchitectureTest can show the cycle rule fails. */
public final class First {
    public io.cairn.conformance.archfixture.cycle.b.Second next() {
        return new io.cairn.conformance.archfixture.cycle.b.Second();
    }
}
