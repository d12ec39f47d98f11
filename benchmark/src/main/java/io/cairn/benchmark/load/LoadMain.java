package io.cairn.benchmark.load;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

/**
 * {@code bin/benchmark load <command> [options]}: one load-generator run against etcd-protocol
 * endpoints; prints the table, writes the JSON if asked, exits 1 when any request failed.
 */
public final class LoadMain {

    private LoadMain() {
    }

    public static void main(String[] args) throws InterruptedException, IOException {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.print(LoadOptions.usage());
            return;
        }
        LoadOptions options;
        try {
            options = LoadOptions.parse(List.of(args));
        } catch (LoadOptions.UsageException e) {
            System.err.println("load: " + e.getMessage());
            System.err.print(LoadOptions.usage());
            System.exit(2);
            return;
        }
        LoadResult result = LoadGenerator.run(options);
        if (!options.quiet()) System.out.print(result.table());
        if (options.jsonFile() != null) {
            if (options.jsonFile().toAbsolutePath().getParent() != null) Files.createDirectories(options.jsonFile().toAbsolutePath().getParent());
            Files.writeString(options.jsonFile(), result.json() + "\n");
        }
        System.exit(result.errors() == 0 ? 0 : 1);
    }
}
