package io.cairn.conformance.archfixture.cycle.b;

/** The other half of the package cycle. */
public final class Second {
    public io.cairn.conformance.archfixture.cycle.a.First back() {
        return new io.cairn.conformance.archfixture.cycle.a.First();
    }
}
