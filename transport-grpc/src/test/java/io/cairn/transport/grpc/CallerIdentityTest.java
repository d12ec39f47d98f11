package io.cairn.transport.grpc;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The certificate common name that names the user with --client-cert-auth, as etcd reads it. */
class CallerIdentityTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
            "CN=alice,O=example|alice",
            "O=example,CN=bob|bob",
            "CN=root|root",
            "CN=a\\,b,O=x|a,b",
            "cn=lower,OU=u|lower",
            "OU=a+CN=multi,O=x|multi",
            "O=example|NONE",
    })
    void commonNameOfAnRfc2253Name(String name, String expected) {
        assertEquals(expected, CallerIdentity.commonName(name));
    }
}
