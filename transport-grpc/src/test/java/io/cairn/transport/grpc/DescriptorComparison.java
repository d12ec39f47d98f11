package io.cairn.transport.grpc;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Compares two sets of protobuf file descriptors on everything that makes the gRPC paths and the
 * binary encoding: package-qualified names of services, methods, messages and enums; method input
 * and output types and streaming flags; field numbers, names, types, labels, presence, packing,
 * oneof membership and referenced type names; enum value names and numbers. Options that do not
 * reach the wire (java_package, comments, file names) are ignored.
 *
 * <p>{@link #differences()} lists what the reference has and ours lacks or has differently;
 * {@link #extras()} lists what ours has beyond the reference. Not thread-safe; build, then read.
 */
final class DescriptorComparison {

    /** How many reference items were looked up in ours; guards against a vacuous comparison. */
    record Counts(int services, int methods, int messages, int fields, int enums, int enumValues) {}

    private final List<String> differences = new ArrayList<>();
    private final List<String> extras = new ArrayList<>();
    private int services, methods, messages, fields, enums, enumValues;

    private DescriptorComparison() {}

    /**
     * @param reference the descriptors taken as truth (not null)
     * @param ours the descriptors under test (not null)
     */
    static DescriptorComparison compare(Collection<FileDescriptor> reference, Collection<FileDescriptor> ours) {
        var comparison = new DescriptorComparison();
        var ourIndex = new SymbolIndex(ours);
        var referenceIndex = new SymbolIndex(reference);
        comparison.compareFiles(reference, ours);
        referenceIndex.services.values().forEach(s -> comparison.compareService(s, ourIndex.services.get(s.getFullName())));
        referenceIndex.messages.values().forEach(m -> comparison.compareMessage(m, ourIndex.messages.get(m.getFullName())));
        referenceIndex.enums.values().forEach(e -> comparison.compareEnum(e, ourIndex.enums.get(e.getFullName())));
        comparison.collectExtras(referenceIndex, ourIndex);
        return comparison;
    }

    List<String> differences() {
        return List.copyOf(differences);
    }

    List<String> extras() {
        return List.copyOf(extras);
    }

    Counts counts() {
        return new Counts(services, methods, messages, fields, enums, enumValues);
    }

    private void compareFiles(Collection<FileDescriptor> reference, Collection<FileDescriptor> ours) {
        // proto2 and proto3 differ on the wire (presence, packed defaults), so each package must agree.
        Map<String, String> ourSyntax = new LinkedHashMap<>();
        ours.forEach(f -> ourSyntax.put(f.getPackage(), f.toProto().getSyntax()));
        for (FileDescriptor file : reference) {
            String theirs = file.toProto().getSyntax();
            String mine = ourSyntax.get(file.getPackage());
            if (mine == null) {
                differences.add("package " + file.getPackage() + ": missing in ours");
            } else if (!mine.equals(theirs)) {
                differences.add("package " + file.getPackage() + ": syntax '" + mine + "', expected '" + theirs + "'");
            }
        }
    }

    private void compareService(ServiceDescriptor reference, ServiceDescriptor ours) {
        services++;
        if (ours == null) {
            differences.add("service " + reference.getFullName() + ": missing in ours");
            return;
        }
        for (MethodDescriptor method : reference.getMethods()) {
            methods++;
            String subject = "method " + method.getFullName();
            MethodDescriptor mine = ours.findMethodByName(method.getName());
            if (mine == null) {
                differences.add(subject + ": missing in ours");
                continue;
            }
            expectEqual(subject, "input type", method.getInputType().getFullName(), mine.getInputType().getFullName());
            expectEqual(subject, "output type", method.getOutputType().getFullName(), mine.getOutputType().getFullName());
            expectEqual(subject, "client streaming", method.isClientStreaming(), mine.isClientStreaming());
            expectEqual(subject, "server streaming", method.isServerStreaming(), mine.isServerStreaming());
        }
    }

    private void compareMessage(Descriptor reference, Descriptor ours) {
        messages++;
        if (ours == null) {
            differences.add("message " + reference.getFullName() + ": missing in ours");
            return;
        }
        for (FieldDescriptor field : reference.getFields()) {
            fields++;
            String subject = "field " + reference.getFullName() + " #" + field.getNumber() + " (" + field.getName() + ")";
            FieldDescriptor mine = ours.findFieldByNumber(field.getNumber());
            if (mine == null) {
                differences.add(subject + ": missing in ours");
                continue;
            }
            expectEqual(subject, "name", field.getName(), mine.getName());
            expectEqual(subject, "type", field.getType(), mine.getType());
            expectEqual(subject, "repeated", field.isRepeated(), mine.isRepeated());
            expectEqual(subject, "required", field.isRequired(), mine.isRequired());
            expectEqual(subject, "packed", field.isPacked(), mine.isPacked());
            expectEqual(subject, "presence", field.hasPresence(), mine.hasPresence());
            expectEqual(subject, "oneof", oneofName(field.getRealContainingOneof()), oneofName(mine.getRealContainingOneof()));
            expectEqual(subject, "referenced type", referencedType(field), referencedType(mine));
        }
    }

    private void compareEnum(EnumDescriptor reference, EnumDescriptor ours) {
        enums++;
        if (ours == null) {
            differences.add("enum " + reference.getFullName() + ": missing in ours");
            return;
        }
        for (EnumValueDescriptor value : reference.getValues()) {
            enumValues++;
            String subject = "enum value " + reference.getFullName() + "." + value.getName();
            EnumValueDescriptor mine = ours.findValueByName(value.getName());
            if (mine == null) {
                differences.add(subject + ": missing in ours");
            } else {
                expectEqual(subject, "number", value.getNumber(), mine.getNumber());
            }
        }
    }

    private void collectExtras(SymbolIndex reference, SymbolIndex ours) {
        ours.services.forEach((name, service) -> {
            ServiceDescriptor theirs = reference.services.get(name);
            if (theirs == null) {
                extras.add("service " + name);
                return;
            }
            service.getMethods().stream().filter(m -> theirs.findMethodByName(m.getName()) == null)
                    .forEach(m -> extras.add("method " + m.getFullName()));
        });
        ours.messages.forEach((name, message) -> {
            Descriptor theirs = reference.messages.get(name);
            if (theirs == null) {
                extras.add("message " + name);
                return;
            }
            message.getFields().stream().filter(f -> theirs.findFieldByNumber(f.getNumber()) == null)
                    .forEach(f -> extras.add("field " + name + " #" + f.getNumber() + " (" + f.getName() + ")"));
        });
        ours.enums.forEach((name, enumType) -> {
            EnumDescriptor theirs = reference.enums.get(name);
            if (theirs == null) {
                extras.add("enum " + name);
                return;
            }
            enumType.getValues().stream().filter(v -> theirs.findValueByName(v.getName()) == null)
                    .forEach(v -> extras.add("enum value " + name + "." + v.getName()));
        });
    }

    private void expectEqual(String subject, String aspect, Object expected, Object actual) {
        if (!Objects.equals(expected, actual)) {
            differences.add(subject + ": " + aspect + " is " + actual + ", expected " + expected);
        }
    }

    private static String oneofName(OneofDescriptor oneof) {
        return oneof == null ? null : oneof.getName();
    }

    private static String referencedType(FieldDescriptor field) {
        return switch (field.getJavaType()) {
            case MESSAGE -> field.getMessageType().getFullName();
            case ENUM -> field.getEnumType().getFullName();
            default -> null;
        };
    }

    /** Every service, message and enum of a set of files (nested ones included), by full name. */
    private static final class SymbolIndex {
        final Map<String, ServiceDescriptor> services = new LinkedHashMap<>();
        final Map<String, Descriptor> messages = new LinkedHashMap<>();
        final Map<String, EnumDescriptor> enums = new LinkedHashMap<>();

        SymbolIndex(Collection<FileDescriptor> files) {
            for (FileDescriptor file : files) {
                file.getServices().forEach(s -> put(services, s.getFullName(), s));
                file.getMessageTypes().forEach(this::addMessage);
                file.getEnumTypes().forEach(e -> put(enums, e.getFullName(), e));
            }
        }

        private void addMessage(Descriptor message) {
            put(messages, message.getFullName(), message);
            message.getNestedTypes().forEach(this::addMessage);
            message.getEnumTypes().forEach(e -> put(enums, e.getFullName(), e));
        }

        private static <T> void put(Map<String, T> map, String name, T value) {
            if (map.putIfAbsent(name, value) != null) {
                throw new IllegalArgumentException("symbol " + name + " is defined in two of the compared files");
            }
        }
    }
}
