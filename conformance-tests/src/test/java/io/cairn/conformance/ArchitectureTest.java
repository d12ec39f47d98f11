package io.cairn.conformance;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The module layering and the purity of {@code raft}, as ArchUnit rules over the production classes
 * of every Cairn module on this JVM's module and class paths.
 *
 * <p>Every rule is also run against a fixture written to break it (package
 * {@code io.cairn.conformance.archfixture}, test classes, so not part of the production import), to
 * show that it can fail. And a guard checks that the import holds every class file of every module,
 * so no rule passes because it judged nothing: modules without classes yet ({@code raft} and the two
 * plugins, until their branches are merged) are counted too, and the guard requires their classes
 * as soon as the files exist.
 */
class ArchitectureTest {

    /** Production classes of every Cairn module (surefire's patched-in test classes are left out). */
    private static final JavaClasses PRODUCTION = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.cairn");

    /** The classes written to break the rules. */
    private static final JavaClasses FIXTURES = new ClassFileImporter().importPackages("io.cairn.conformance.archfixture");

    /**
     * Module folder → root package, and the least number of classes the import must hold for it
     * today, whatever the file count says (so the guard cannot pass by finding no files either).
     */
    record Module(String folder, String rootPackage, int minimumClasses) {}

    static List<Module> modules() {
        return List.of(
                new Module("api", "io.cairn.api", 100),
                new Module("spi-storage", "io.cairn.spi.storage", 10),
                new Module("conformance-tests", "io.cairn.conformance", 4),
                new Module("raft", "io.cairn.raft", 30),
                new Module("storage-rocksdb", "io.cairn.storage.rocksdb", 3),
                new Module("storage-xodus", "io.cairn.storage.xodus", 3),
                new Module("spi-transport", "io.cairn.spi.transport", 5),
                new Module("etcd-protocol", "io.cairn.etcd.protocol", 100),
                new Module("transport-grpc", "io.cairn.transport.grpc", 10),
                new Module("transport-http", "io.cairn.transport.http", 15),
                new Module("server", "io.cairn.server", 30),
                new Module("recipes", "io.cairn.recipes", 15),
                new Module("client", "io.cairn.client", 10));
    }

    // ---------------------------------------------------------------- the rules, for any root package

    /** {@code root} may use only its own packages and the given ones. */
    static ArchRule onlyDependsOn(String root, String... allowedPackages) {
        List<String> allowed = new ArrayList<>(List.of(allowedPackages));
        allowed.add(root + "..");
        return classes().that().resideInAPackage(root + "..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(allowed.toArray(String[]::new))
                .allowEmptyShould(true) // emptiness is judged by the import guard, per module
                .because("module layering (DESIGN.md): " + root + " may depend on " + allowed + " only");
    }

    /** Method calls that give the raft engine a clock, randomness, threads or I/O of its own. */
    private static final DescribedPredicate<JavaAccess<?>> IMPURE_CALL = DescribedPredicate.describe(
            "a clock, randomness of its own, threads, or I/O",
            access -> {
                JavaClass owner = access.getTargetOwner();
                String name = access.getName();
                String type = owner.getName();
                return (type.equals("java.lang.System") && (name.equals("currentTimeMillis") || name.equals("nanoTime")))
                        || (owner.getPackageName().equals("java.time") && (name.equals("now") || name.startsWith("system")))
                        || (type.equals("java.lang.Math") && name.equals("random"))
                        || (type.equals("java.lang.StrictMath") && name.equals("random"))
                        || (type.equals("java.util.UUID") && name.equals("randomUUID"))
                        || (type.equals("java.util.concurrent.ThreadLocalRandom") && name.equals("current"))
                        || (type.equals("java.util.Random") && name.equals("<init>") && access.getTarget() instanceof com.tngtech.archunit.core.domain.AccessTarget.CodeUnitAccessTarget target
                                && target.getRawParameterTypes().isEmpty());
            });

    /** Types whose mere use means threads, scheduling or I/O. */
    private static final DescribedPredicate<JavaClass> IMPURE_TYPE = DescribedPredicate.describe(
            "threads, executors, timers, files or the network",
            type -> type.isAssignableTo(Thread.class) || type.isAssignableTo(java.util.concurrent.Executor.class)
                    || type.getName().equals("java.util.concurrent.Executors") || type.isAssignableTo(java.util.concurrent.ThreadFactory.class)
                    || type.isAssignableTo(java.util.Timer.class) || type.isAssignableTo(java.security.SecureRandom.class)
                    || type.getName().equals("java.io.File") || type.getPackageName().startsWith("java.nio.file")
                    || type.getPackageName().startsWith("java.net"));

    /** The raft engine is pure: time is ticks, randomness is injected, I/O is the caller's. */
    static ArchRule isPure(String root) {
        return noClasses().that().resideInAPackage(root + "..")
                .should().accessTargetWhere(IMPURE_CALL)
                .orShould().dependOnClassesThat(IMPURE_TYPE)
                .allowEmptyShould(true)
                .because("raft has no clock, randomness, threads or I/O of its own (DESIGN.md, Raft)");
    }

    /** No package depends on itself through other packages. */
    static ArchRule freeOfPackageCycles(String root) {
        // io.cairn.api's root package is the vocabulary every service package of the API uses (Bytes,
        // headers, errors, stability marks), and its entry point Cairn names each service: edges into
        // it are by design. Cycles among the service packages, and everywhere else, still fail.
        return slices().matching(root + ".(**)").should().beFreeOfCycles()
                .ignoreDependency(DescribedPredicate.alwaysTrue(), resideInAPackage("io.cairn.api"))
                .allowEmptyShould(true);
    }

    // ---------------------------------------------------------------- the rules applied

    @Test
    void apiDependsOnJavaBaseOnly() {
        onlyDependsOn("io.cairn.api", "java..").check(PRODUCTION);
    }

    @Test
    void storageSpiDependsOnJavaBaseAndApiOnly() {
        onlyDependsOn("io.cairn.spi.storage", "io.cairn.api..", "java..").check(PRODUCTION);
    }

    @Test
    void rocksDbPluginDependsOnItsSpiAndRocksDbOnly() {
        onlyDependsOn("io.cairn.storage.rocksdb", "io.cairn.spi.storage..", "java..", "org.rocksdb..").check(PRODUCTION);
    }

    @Test
    void xodusPluginDependsOnItsSpiAndXodusOnly() {
        onlyDependsOn("io.cairn.storage.xodus", "io.cairn.spi.storage..", "java..", "jetbrains.exodus..", "kotlin..").check(PRODUCTION);
    }

    @Test
    void transportSpiDependsOnJavaBaseAndApiOnly() {
        // javax.net.ssl is java.base too: the shared PEM reading and reloading key/trust managers
        // (io.cairn.spi.transport.tls) that both transport plugins put into their TLS contexts
        onlyDependsOn("io.cairn.spi.transport", "io.cairn.api..", "java..", "javax.net.ssl..").check(PRODUCTION);
    }

    @Test
    void grpcPluginDependsOnItsSpiTheApiAndGrpcOnly() {
        // javax.net.ssl: the JDK's TLS (java.base), whose key and trust managers reload certificates;
        // javax.security.auth.x500 (java.base): a client certificate's subject, whose CN is the user
        onlyDependsOn("io.cairn.transport.grpc", "io.cairn.spi.transport..", "io.cairn.api..", "io.cairn.etcd.protocol..",
                "java..", "javax.net.ssl..", "javax.security.auth.x500..", "io.grpc..", "com.google.protobuf..", "com.google.common..").check(PRODUCTION);
    }

    @Test
    void httpPluginDependsOnItsSpiTheApiTheProtocolAndItsLibrariesOnly() {
        // javax.net.ssl: the JDK's TLS for https client URLs and peers (reloading key and trust managers);
        // io.prometheus.metrics.model: the model under Micrometer's Prometheus registry (the member's disk histograms)
        onlyDependsOn("io.cairn.transport.http", "io.cairn.spi.transport..", "io.cairn.api..", "io.cairn.etcd.protocol..",
                "java..", "javax.net.ssl..", "io.undertow..", "org.xnio..", "com.google.protobuf..", "com.fasterxml.jackson..",
                "io.micrometer..", "io.prometheus.metrics.model..").check(PRODUCTION);
    }

    @Test
    void etcdProtocolDependsOnTheApiAndGrpcOnly() {
        onlyDependsOn("io.cairn.etcd.protocol", "io.cairn.api..", "java..", "io.grpc..", "com.google.protobuf..",
                "com.google.common..").check(PRODUCTION);
    }

    @Test
    void clientDependsOnTheApiTheProtocolAndGrpcOnly() {
        // io.grpc.. covers grpc-netty-shaded (io.grpc.netty.shaded..), the channels' transport and TLS
        onlyDependsOn("io.cairn.client", "io.cairn.api..", "io.cairn.etcd.protocol..", "java..",
                "io.grpc..", "com.google.protobuf..", "com.google.common..").check(PRODUCTION);
    }

    @Test
    void serverDependsOnTheApiTheSpisAndRaftOnly() {
        // javax.crypto (java.base): PBKDF2 for the auth store's password hashes
        onlyDependsOn("io.cairn.server", "io.cairn.api..", "io.cairn.spi..", "io.cairn.raft..", "java..", "javax.crypto..")
                .check(PRODUCTION);
    }

    @Test
    void recipesDependOnTheApiAndJacksonOnly() {
        // written against io.cairn.api only, so they run embedded and remote alike; Jackson for the JSON of
        // ServiceRegistry's instances and ConfigWatcher's typed configuration
        onlyDependsOn("io.cairn.recipes", "io.cairn.api..", "java..", "com.fasterxml.jackson..").check(PRODUCTION);
    }

    @Test
    void raftDependsOnJavaBaseOnly() {
        onlyDependsOn("io.cairn.raft", "java..").check(PRODUCTION);
    }

    @Test
    void raftIsPure() {
        isPure("io.cairn.raft").check(PRODUCTION);
    }

    @Test
    void noPackageCycles() {
        freeOfPackageCycles("io.cairn").check(PRODUCTION);
    }

    // ---------------------------------------------------------------- the guard against vacuous passes

    @ParameterizedTest(name = "{0}")
    @MethodSource("modules")
    void importHoldsEveryClassOfTheModule(Module module) {
        long imported = PRODUCTION.stream().filter(resideInAPackage(module.rootPackage() + "..")::test).count();
        long onDisk = classFilesOf(module);
        assertEquals(onDisk, imported, "ArchUnit imported " + imported + " classes of package " + module.rootPackage() + ".., but module "
                + module.folder() + " has " + onDisk + " class files on this JVM's paths; the rules would judge only part of it");
        assertTrue(imported >= module.minimumClasses(), "ArchUnit imported " + imported + " classes of " + module.rootPackage()
                + ".., fewer than the " + module.minimumClasses() + " it has today; a rule over it would pass vacuously");
    }

    /** Class files (without module-info) of the module's jar or classes directory on the module or class path. */
    private static long classFilesOf(Module module) {
        String paths = System.getProperty("jdk.module.path", "") + File.pathSeparator + System.getProperty("java.class.path", "");
        long count = 0;
        int locations = 0;
        for (String entry : paths.split(File.pathSeparator)) {
            String normalized = entry.replace(File.separatorChar, '/');
            boolean reactor = normalized.contains("/" + module.folder() + "/target/") && !normalized.endsWith("/test-classes")
                    && !normalized.endsWith("/test-classes/");
            boolean repository = normalized.contains("/io/cairn/" + module.folder() + "/");
            if (entry.isEmpty() || !(reactor || repository)) {
                continue;
            }
            locations++;
            count += countClassFiles(Path.of(entry));
        }
        assertEquals(1, locations, "module " + module.folder() + " must be exactly once on the module or class path: " + paths);
        return count;
    }

    private static long countClassFiles(Path location) {
        try {
            if (Files.isDirectory(location)) {
                try (Stream<Path> files = Files.walk(location)) {
                    return files.filter(p -> p.toString().endsWith(".class") && !p.getFileName().toString().equals("module-info.class")).count();
                }
            }
            try (JarFile jar = new JarFile(location.toFile())) {
                return jar.stream().filter(e -> e.getName().endsWith(".class") && !e.getName().endsWith("module-info.class")
                        && !e.getName().startsWith("META-INF/")).count();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- every rule can fail

    @Test
    void layeringRuleCatchesAPluginThatReachesPastItsSpi() {
        String root = "io.cairn.conformance.archfixture.leakyplugin";
        requireViolation(onlyDependsOn(root, "io.cairn.spi.storage..", "java..", "org.rocksdb.."), FIXTURES,
                "LeakyPlugin", "io.cairn.conformance.StorageVerification");
    }

    @Test
    void purityRuleCatchesClocksRandomnessThreadsAndIo() {
        requireViolation(isPure("io.cairn.conformance.archfixture.impureraft"), FIXTURES,
                "System.currentTimeMillis()", "System.nanoTime()", "Instant.now()", "Math.random()", "UUID.randomUUID()",
                "java.lang.Thread", "java.util.concurrent.Executors", "java.io.File", "java.nio.file.Files");
    }

    @Test
    void cycleRuleCatchesAPackageCycle() {
        requireViolation(freeOfPackageCycles("io.cairn.conformance.archfixture"), FIXTURES, "Cycle detected", "cycle.a", "cycle.b");
    }

    @Test
    void productionImportLeavesTheFixturesOut() {
        Set<String> fixtures = Set.of("io.cairn.conformance.archfixture.impureraft.ImpureEngine", "io.cairn.conformance.ArchitectureTest");
        for (String name : fixtures) {
            assertTrue(!PRODUCTION.contain(name), "the production import must not hold test class " + name);
        }
        assertTrue(FIXTURES.contain("io.cairn.conformance.archfixture.impureraft.ImpureEngine"), "the fixture import must hold the fixtures");
    }

    private static void requireViolation(ArchRule rule, JavaClasses classes, String... expectedInReport) {
        EvaluationResult result = rule.evaluate(classes);
        assertTrue(result.hasViolation(), "rule '" + rule.getDescription() + "' found no violation in a fixture written to break it");
        String report = String.join("\n", result.getFailureReport().getDetails());
        for (String expected : expectedInReport) {
            assertTrue(report.contains(expected), "the report of rule '" + rule.getDescription() + "' must mention " + expected + ":\n" + report);
        }
    }

}
