package io.cairn.transport.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority made at run time with the openssl command line, issuing certificates for
 * 127.0.0.1 and localhost usable as server and client certificates. Keys come in the PEM forms etcd
 * users have: PKCS#8, SEC1 EC and PKCS#1 RSA. Copied in the tests of spi-transport, transport-grpc and
 * transport-http: test classes of one JPMS module cannot be shared with another without a test jar
 * whose package would split the module under test.
 */
final class TestPki {

    /** How a key is generated and written. */
    enum KeyForm {
        EC_PKCS8("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"),
        EC_SEC1("ecparam", "-name", "prime256v1", "-genkey", "-noout"),
        RSA_PKCS1("genrsa", "-traditional");

        private final List<String> command;

        KeyForm(String... command) {
            this.command = List.of(command);
        }
    }

    /** A certificate file and its key file. */
    record Issued(Path certificate, Path key) {}

    private final Path dir;
    private final String name;
    private final Path caCertificate;
    private final Path caKey;
    private int serial;

    /** A new CA called {@code name}, its files in {@code dir}. */
    TestPki(Path dir, String name) throws IOException {
        this.dir = dir;
        this.name = name;
        this.caCertificate = dir.resolve(name + "-ca.crt");
        this.caKey = dir.resolve(name + "-ca.key");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", caKey.toString(), "-out", caCertificate.toString(), "-days", "2", "-subj", "/CN=" + name + " CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    }

    Path ca() {
        return caCertificate;
    }

    /** A certificate with common name {@code commonName}, for 127.0.0.1 and localhost, server and client use. */
    Issued issue(String commonName, KeyForm form) throws IOException {
        String base = name + "-" + commonName + "-" + serial++;
        Path key = dir.resolve(base + ".key");
        Path request = dir.resolve(base + ".csr");
        Path certificate = dir.resolve(base + ".crt");
        Path extensions = dir.resolve(base + ".ext");
        Files.writeString(extensions, """
                subjectAltName=IP:127.0.0.1,DNS:localhost
                extendedKeyUsage=serverAuth,clientAuth
                basicConstraints=CA:FALSE
                keyUsage=critical,digitalSignature,keyEncipherment
                """);
        List<String> generate = new ArrayList<>(form.command);
        generate.addAll(List.of("-out", key.toString()));
        if (form == KeyForm.RSA_PKCS1) {
            generate.add("2048"); // numbits comes last
        }
        openssl(generate.toArray(String[]::new));
        openssl("req", "-new", "-key", key.toString(), "-subj", "/CN=" + commonName, "-out", request.toString());
        openssl("x509", "-req", "-in", request.toString(), "-CA", caCertificate.toString(), "-CAkey", caKey.toString(),
                "-set_serial", Long.toString(System.nanoTime()), "-days", "2", "-out", certificate.toString(),
                "-extfile", extensions.toString());
        return new Issued(certificate, key);
    }

    /** Replaces {@code target}'s content with {@code source}'s the way rotation tools do: a new file renamed into place. */
    static void replace(Path source, Path target) throws IOException {
        Path temporary = target.resolveSibling(target.getFileName() + ".new");
        Files.copy(source, temporary, StandardCopyOption.REPLACE_EXISTING);
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** What a command printed (standard output and error) and its exit code. */
    record Run(int exit, String output) {}

    /** Runs openssl with {@code arguments}; fails unless it exits with 0. */
    static void openssl(String... arguments) throws IOException {
        Run run = run(arguments);
        if (run.exit() != 0) {
            throw new IOException("openssl " + List.of(arguments) + " failed (" + run.exit() + "): " + run.output());
        }
    }

    /** Runs openssl with {@code arguments}, standard input empty. */
    static Run run(String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("openssl " + command + " did not finish");
            }
            return new Run(process.exitValue(), output);
        } catch (InterruptedException interrupted) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", interrupted);
        }
    }
}
