package io.cairn.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * etcd's etcdctl 3.4 against packaged server processes for maintenance: {@code snapshot save} →
 * {@code cairn snapshot restore} → start → same data; the quota and NOSPACE alarm
 * ({@code alarm list}, {@code defrag}, {@code compact}, {@code alarm disarm}); {@code endpoint hashkv};
 * auto-compaction from the command line.
 */
class MaintenanceIT {

    private final List<CairnProcess> processes = new ArrayList<>();

    @AfterEach
    void stopAll() {
        for (CairnProcess process : processes) {
            process.stop();
            process.close();
        }
    }

    private CairnProcess start(Path dataDir, String... flags) {
        CairnProcess process = CairnProcess.start(dataDir, flags);
        processes.add(process);
        return process;
    }

    private static long revision(Etcdctl etcdctl, String key) {
        Matcher m = Pattern.compile("\"revision\":(\\d+)").matcher(etcdctl.ok("get", key, "-w", "json"));
        assertTrue(m.find());
        return Long.parseLong(m.group(1));
    }

    @Test
    void etcdctlSnapshotSaveThenCairnRestoreThenStartKeepsDataAndRevisions() throws IOException {
        Etcdctl.find();
        CairnProcess source = start(CairnProcess.newDataDir("snap-src"));
        Etcdctl etcdctl = new Etcdctl(source.endpoint());
        for (int i = 0; i < 50; i++) {
            etcdctl.ok("put", "snap/" + i, "value " + i);
        }
        etcdctl.ok("put", "snap/1", "changed");
        etcdctl.ok("del", "snap/2");
        long revision = revision(etcdctl, "snap/1");
        String getAll = etcdctl.ok("get", "snap/", "--prefix", "-w", "json");

        Path file = CairnProcess.newDataDir("snapshot").resolveSibling("snapshot-" + ProcessHandle.current().pid() + ".db");
        Files.deleteIfExists(file);
        String saved = etcdctl.ok("snapshot", "save", file.toString());
        assertTrue(saved.contains("Snapshot saved at " + file), saved);

        CairnProcess.Result status = CairnProcess.run(Duration.ofSeconds(60), "snapshot", "status", file.toString(), "-w", "json");
        assertEquals(0, status.exitCode(), status.toString());
        assertTrue(status.stdout().contains("\"revision\":" + revision + ","), status.stdout());
        CairnProcess.Result table = CairnProcess.run(Duration.ofSeconds(60), "snapshot", "status", file.toString(), "-w", "table");
        assertTrue(table.stdout().contains(" HASH ") && table.stdout().contains("TOTAL KEYS"), table.stdout());

        Path restored = CairnProcess.newDataDir("snap-restored");
        String[] identity = {"--name", "r1", "--initial-cluster", "r1=http://127.0.0.1:12480",
                "--initial-advertise-peer-urls", "http://127.0.0.1:12480", "--initial-cluster-token", "restored"};
        List<String> restore = new ArrayList<>(List.of("snapshot", "restore", file.toString(), "--data-dir", restored.toString()));
        restore.addAll(List.of(identity));
        CairnProcess.Result restoring = CairnProcess.run(Duration.ofSeconds(120), restore.toArray(String[]::new));
        assertEquals(0, restoring.exitCode(), restoring.toString());
        assertTrue(restoring.stdout().contains("Restored snapshot"), restoring.stdout());

        CairnProcess copy = start(restored, identity);
        Etcdctl restoredEtcdctl = new Etcdctl(copy.endpoint());
        assertEquals(getAll.replaceAll("\"(cluster_id|member_id|raft_term)\":\\d+,?", ""),
                restoredEtcdctl.ok("get", "snap/", "--prefix", "-w", "json")
                        .replaceAll("\"(cluster_id|member_id|raft_term)\":\\d+,?", ""),
                "the same keys, values, versions and revisions");
        assertNotEquals(source.memberIdHex(), copy.memberIdHex(), "a new member identity");
        assertTrue(restoredEtcdctl.ok("member", "list").contains("r1"));
        restoredEtcdctl.ok("put", "after", "restore");
        assertEquals(revision + 1, revision(restoredEtcdctl, "after"));

        // a damaged file is refused before anything is written
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 3] ^= 1;
        Path corrupt = file.resolveSibling("corrupt-" + file.getFileName());
        Files.write(corrupt, bytes);
        Path nowhere = CairnProcess.newDataDir("snap-corrupt");
        CairnProcess.Result refused = CairnProcess.run(Duration.ofSeconds(60), "snapshot", "restore", corrupt.toString(),
                "--data-dir", nowhere.toString());
        assertEquals(1, refused.exitCode(), refused.toString());
        assertTrue(refused.stderr().contains("is corrupted"), refused.stderr());
        assertFalse(Files.exists(nowhere));
        Files.delete(corrupt);
        Files.delete(file);
    }

    @Test
    void quotaRaisesNoSpaceUntilCompactDefragAndDisarm() {
        Etcdctl.find();
        CairnProcess server = start(CairnProcess.newDataDir("quota"), "--quota-backend-bytes", Long.toString(4L << 20));
        Etcdctl etcdctl = new Etcdctl(server.endpoint());
        String big = "x".repeat(512 * 1024);
        CairnProcess.Result refused = null;
        for (int i = 0; i < 100 && refused == null; i++) {
            CairnProcess.Result put = etcdctl.runWithInput(big, "put", "big/" + (i % 4));
            if (put.exitCode() != 0) {
                refused = put;
            }
        }
        assertTrue(refused != null, "the quota was never reached");
        assertTrue(refused.stderr().contains("etcdserver: mvcc: database space exceeded"), refused.toString());
        String alarms = etcdctl.ok("alarm", "list");
        assertTrue(alarms.contains("alarm:NOSPACE"), alarms);
        etcdctl.fails("etcdserver: mvcc: database space exceeded", "put", "small", "1");
        etcdctl.ok("get", "big/0", "--keys-only");
        etcdctl.ok("del", "big/", "--prefix");
        long revision = revision(etcdctl, "big/0");
        etcdctl.ok("compact", Long.toString(revision));
        String defrag = etcdctl.ok("defrag");
        assertTrue(defrag.contains("Finished defragmenting etcd member[" + server.endpoint()), defrag);
        etcdctl.fails("etcdserver: mvcc: database space exceeded", "put", "small", "1");
        String disarmed = etcdctl.ok("alarm", "disarm");
        assertTrue(disarmed.contains("alarm:NOSPACE"), disarmed);
        assertEquals("", etcdctl.ok("alarm", "list"));
        assertEquals("OK\n", etcdctl.ok("put", "small", "1"));
    }

    @Test
    void endpointHashkvAndAutoCompactionByRevision() {
        Etcdctl.find();
        CairnProcess server = start(CairnProcess.newDataDir("autocompact"), "--auto-compaction-mode", "revision",
                "--auto-compaction-retention", "3", "--experimental-auto-compaction-check-interval", "200ms");
        Etcdctl etcdctl = new Etcdctl(server.endpoint());
        for (int i = 0; i < 10; i++) {
            etcdctl.ok("put", "k", "v" + i);
        }
        long revision = revision(etcdctl, "k");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        CairnProcess.Result old;
        do {
            CairnProcess.sleep(100);
            old = etcdctl.run("get", "k", "--rev", Long.toString(revision - 3 - 1));
        } while (old.exitCode() == 0 && System.nanoTime() < deadline);
        assertTrue(old.stderr().contains("required revision has been compacted"), old.toString());
        assertEquals("k\nv6\n", etcdctl.ok("get", "k", "--rev", Long.toString(revision - 3)), "the last 3 revisions are kept");
        String hashkv = etcdctl.ok("endpoint", "hashkv");
        assertTrue(hashkv.startsWith(server.endpoint() + ", "), hashkv);
        assertEquals(hashkv, etcdctl.ok("endpoint", "hashkv"), "stable without writes");
    }
}
