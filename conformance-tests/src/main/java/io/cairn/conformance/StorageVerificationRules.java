package io.cairn.conformance;

/**
 * The rules of the storage conformance kit, one method per rule, numbered as in
 * {@code conformance-tests/README.md}. {@link StorageVerification} implements each as a JUnit test.
 *
 * <p>Prefixes: {@code required_} must pass; {@code optional_} is skipped (aborted) unless the
 * verification class enables it through a hook; {@code stochastic_} runs concurrent work for a bounded
 * time and can prove a race present, never absent.
 */
public interface StorageVerificationRules {

    /**
     * Spec 1.1: keys compare as unsigned bytes, lexicographically, a proper prefix first.
     *
     * <p>If this fails, check: the comparator of the library (RocksDB's default bytewise comparator is
     * unsigned; a Java {@code byte} comparison is signed); any key encoding the plugin adds.
     */
    void required_spec1_1_keysSortAsUnsignedBytes() throws Throwable;

    /**
     * Spec 1.2: the empty key is a key like any other, and sorts before every other key.
     *
     * <p>If this fails, check: whether the library accepts empty keys (Xodus's {@code ByteIterable}
     * of length 0); a key prefix the plugin adds for keyspaces; "empty means absent" shortcuts.
     */
    void required_spec1_2_emptyKeyIsAKeyAndSortsFirst() throws Throwable;

    /**
     * Spec 1.3: keys made of 0xFF bytes sort after every other key, and a range with an open end
     * reaches them in both directions.
     *
     * <p>If this fails, check: how an open end bound is encoded (a "0xFF" sentinel is not an upper
     * bound); the seek-to-last logic of descending scans; signed comparison.
     */
    void required_spec1_3_keysOfFfBytesSortLast() throws Throwable;

    /**
     * Spec 1.4: {@code get} returns the latest value, {@code null} for an absent or deleted key, and
     * never the value of the same key in another keyspace.
     *
     * <p>If this fails, check: keyspace isolation (column family or store handles); tombstones.
     */
    void required_spec1_4_getReturnsLatestValueOrNull() throws Throwable;

    /**
     * Spec 1.5: the backend keeps no reference to the caller's arrays after {@code write} returns, and
     * every array it returns is fresh.
     *
     * <p>If this fails, check: arrays handed to the library without a copy (Xodus
     * {@code ArrayByteIterable} wraps its array); arrays returned from a cache.
     */
    void required_spec1_5_arraysAreCopiedInAndOut() throws Throwable;

    /**
     * Spec 1.6: an empty value is stored and returned as an empty array (present, not absent); a
     * 1 MiB value round-trips.
     *
     * <p>If this fails, check: "empty means null" conversions; value size limits of the library.
     */
    void required_spec1_6_emptyAndLargeValuesRoundTrip() throws Throwable;

    /**
     * Spec 2.1: an ascending scan of {@code [start, end)} starts at the first key {@code >= start} and
     * stops before {@code end}; bounds need not be stored keys.
     *
     * <p>If this fails, check: seek semantics (seek vs. seek-for-prev); the upper bound's inclusiveness.
     */
    void required_spec2_1_ascendingScanIsHalfOpen() throws Throwable;

    /**
     * Spec 2.2: a descending scan of {@code [start, end)} starts at the greatest key below {@code end}
     * (never at {@code end} itself) and stops at {@code start}, inclusive.
     *
     * <p>If this fails, check: that the reverse iterator seeks to the last key {@code < end}, not
     * {@code <= end}; the lower bound's inclusiveness; Xodus's {@code getSearchKeyRange} then stepping back.
     */
    void required_spec2_2_descendingScanStartsBelowEnd() throws Throwable;

    /**
     * Spec 2.3: a {@code null} start means "from the smallest key", a {@code null} end "to the
     * greatest", in both directions.
     *
     * <p>If this fails, check: the seek-to-first / seek-to-last branches for open bounds.
     */
    void required_spec2_3_nullBoundsAreOpen() throws Throwable;

    /**
     * Spec 2.4: a range whose start is not below its end is empty in both directions, and the scan
     * returns 0.
     *
     * <p>If this fails, check: descending scans that ignore the start bound when it exceeds the end.
     */
    void required_spec2_4_emptyAndInvertedRangesAreEmpty() throws Throwable;

    /**
     * Spec 2.5: a positive limit caps the number of entries, taken from the scan's starting side, in
     * both directions; 0 means no limit; the scan returns the number of entries visited.
     *
     * <p>If this fails, check: the limit counter in the descending branch; limit 0 handling.
     */
    void required_spec2_5_limitCapsScanInBothDirections() throws Throwable;

    /**
     * Spec 2.6: a negative limit throws {@link IllegalArgumentException}, on the backend and on a
     * snapshot.
     *
     * <p>If this fails, check: argument validation before the iterator is opened.
     */
    void required_spec2_6_negativeLimitIsRejected() throws Throwable;

    /**
     * Spec 2.7: a visitor that returns {@code false} stops the scan at once; the scan returns the
     * number of entries visited, including the last one.
     *
     * <p>If this fails, check: that the visitor's result is read after every entry, in both directions.
     */
    void required_spec2_7_visitorCanStopScan() throws Throwable;

    /**
     * Spec 3.1: every operation of a batch spanning two keyspaces is visible once {@code write}
     * returns.
     *
     * <p>If this fails, check: that one library transaction or write batch carries all keyspaces; a
     * loop that commits per keyspace; an early return in the operation loop.
     */
    void required_spec3_1_batchIsAppliedWhollyAcrossKeyspaces() throws Throwable;

    /**
     * Spec 3.2: the operations of a batch apply in the order they were added (put, delete,
     * deleteRange and put again on the same keys).
     *
     * <p>If this fails, check: plugins that group operations by kind or keyspace; deleteRange
     * emulations that run after the puts of the same batch.
     */
    void required_spec3_2_operationsApplyInOrder() throws Throwable;

    /**
     * Spec 3.3: deleteRange removes exactly {@code [start, end)}, with open {@code null} bounds, and
     * only in its own keyspace; an inverted range removes nothing.
     *
     * <p>If this fails, check: the end bound's inclusiveness; range deletes emulated by scanning the
     * wrong store; RocksDB {@code deleteRange} with a {@code null} bound, or with start above end
     * (RocksDB rejects it: such a range must be skipped).
     */
    void required_spec3_3_deleteRangeIsHalfOpenAndStaysInItsKeyspace() throws Throwable;

    /**
     * Spec 3.4: an empty batch is accepted with both durabilities and changes nothing.
     *
     * <p>If this fails, check: libraries that reject empty transactions.
     */
    void required_spec3_4_emptyBatchIsAccepted() throws Throwable;

    /**
     * Spec 3.5: a batch naming a keyspace the backend was not opened with throws
     * {@link IllegalArgumentException} naming it, and writes none of its operations, not even those
     * before the bad one.
     *
     * <p>If this fails, check: that keyspaces are validated before the first operation is applied.
     */
    void required_spec3_5_batchWithUnknownKeyspaceWritesNothing() throws Throwable;

    /**
     * Spec 4.1: a snapshot sees the state when it was taken, through get and scans in both directions,
     * whatever puts, deletes and deleteRanges follow; the backend itself sees the new state.
     *
     * <p>If this fails, check: that reads of a snapshot go through the library's snapshot or read-only
     * transaction, not through the live store.
     */
    void required_spec4_1_snapshotIgnoresLaterWrites() throws Throwable;

    /**
     * Spec 4.2 (stochastic): while another thread writes batches, every snapshot shows exactly one
     * batch in all keys of both keyspaces, the same one on every read, and no batch older than one
     * whose write returned before the snapshot was taken.
     *
     * <p>If this fails, check: snapshots taken per keyspace rather than once; a batch applied in
     * several library transactions; scans that reopen an iterator on the live store.
     */
    void stochastic_spec4_2_snapshotsAreConsistentUnderConcurrentWrites() throws Throwable;

    /**
     * Spec 4.3: reads on a closed snapshot throw {@link io.cairn.spi.storage.StorageException} with
     * reason {@code CLOSED}; closing twice is harmless; the backend is unaffected.
     *
     * <p>If this fails, check: a closed flag checked on every read; native handles used after release.
     */
    void required_spec4_3_closedSnapshotRejectsReads() throws Throwable;

    /**
     * Spec 4.4: closing the backend closes its open snapshots: their reads throw {@code CLOSED}, and
     * closing them afterwards is harmless.
     *
     * <p>If this fails, check: that the backend tracks its open snapshots; double release of native
     * snapshot handles.
     */
    void required_spec4_4_closingBackendClosesSnapshots() throws Throwable;

    /**
     * Spec 5.1: after close and reopen, the store holds exactly what was written (SYNCED and
     * NOT_SYNCED writes, deletes, a deleteRange, the empty key, 0xFF keys) in every keyspace.
     *
     * <p>If this fails, check: that close flushes NOT_SYNCED writes; keyspace names persisted and
     * re-attached on open.
     */
    void required_spec5_1_writesSurviveCloseAndReopen() throws Throwable;

    /**
     * Spec 5.2: a child JVM writes SYNCED batches of several keys across two keyspaces and prints an
     * acknowledgement after each {@code write} returns; it is killed with SIGKILL after a seeded
     * random number of acknowledgements. After reopening, every acknowledged batch is present whole,
     * no batch is half-present, and the batches present are a prefix of those written.
     *
     * <p>If this fails, check: that SYNCED really syncs (RocksDB {@code WriteOptions.setSync(true)};
     * Xodus {@code setLogDurableWrite(true)}); that one batch is one library transaction; recovery of
     * a torn tail. If the child does not start, the failure quotes its command line and standard error:
     * check {@link StorageVerification#childJvmOptions()}.
     */
    void required_spec5_2_acknowledgedSyncedBatchesSurviveSigkill() throws Throwable;

    /**
     * Spec 5.3: a keyspace that exists on disk but is not listed at open stays on disk untouched and is
     * unreachable ({@link IllegalArgumentException} naming it); listed again, it holds its data.
     *
     * <p>If this fails, check: RocksDB's need to open every existing column family; code that drops
     * unlisted keyspaces.
     */
    void required_spec5_3_unlistedKeyspacesStayOnDisk() throws Throwable;

    /**
     * Spec 5.4: after close, get, scan, write, snapshot, flush, stats, compact and checkpoint throw
     * {@code CLOSED}; closing twice is harmless; nothing is written after close.
     *
     * <p>If this fails, check: a closed flag checked on every entry point (native handles used after
     * close crash the JVM rather than throw).
     */
    void required_spec5_4_callsAfterCloseFailWithClosed() throws Throwable;

    /**
     * Spec 6.1: a checkpoint carries the provider's marker, opens with the same provider as an
     * independent backend holding the state at the checkpoint, and writes to either side do not reach
     * the other.
     *
     * <p>If this fails, check: {@code BackendDirectory.writeMarker} in the checkpoint; hard links to
     * files that the library later modifies in place; Xodus backups that need the environment's
     * background cleaner to be paused.
     */
    void required_spec6_1_checkpointOpensAsIndependentCopy() throws Throwable;

    /**
     * Spec 6.2: a checkpoint into an existing directory throws {@code IO} and leaves that directory
     * untouched.
     *
     * <p>If this fails, check: the existence check before the library writes; cleanup code that
     * deletes the target it did not create.
     */
    void required_spec6_2_checkpointIntoExistingTargetFails() throws Throwable;

    /**
     * Spec 6.3 (stochastic): checkpoints taken while another thread writes batches each hold exactly
     * one whole batch, not older than one acknowledged before the checkpoint started.
     *
     * <p>If this fails, check: that the checkpoint copies one consistent state (not file by file while
     * writes go on).
     */
    void stochastic_spec6_3_checkpointUnderWritesHoldsWholeBatches() throws Throwable;

    /**
     * Spec 7.1 (stochastic): two reader threads and one writer: a read that starts after a write
     * returned sees it (get and descending scan with limit 1), and a reader never sees the store go back.
     *
     * <p>If this fails, check: per-thread read caches; writes acknowledged before they are visible.
     */
    void stochastic_spec7_1_readersSeeEveryReturnedWrite() throws Throwable;

    /**
     * Spec 7.2 (stochastic): three threads writing batches of distinct keys at once lose none of them
     * and throw nothing.
     *
     * <p>If this fails, check: the library's own write concurrency rules (Xodus allows one writer
     * transaction at a time); unsynchronized state in the plugin.
     */
    void stochastic_spec7_2_concurrentWritersLoseNothing() throws Throwable;

    /**
     * Spec 8.1: {@code stats()} has a non-negative key estimate for every opened keyspace, and a
     * positive size on disk once data was flushed.
     *
     * <p>If this fails, check: estimates taken only from memtables; keyspaces missing from the map.
     */
    void required_spec8_1_statsCoverOpenedKeyspaces() throws Throwable;

    /**
     * Spec 8.2: {@code compact()} keeps every live entry, before and after reopening.
     *
     * <p>If this fails, check: compaction filters; garbage collection that runs on a closed environment.
     */
    void required_spec8_2_compactionKeepsLiveData() throws Throwable;

    /**
     * Spec 8.3: reads and writes made while {@code compact()} runs on another thread complete (a
     * maintenance defragment must not stop the member), and are there after it returns, with every
     * live entry from before.
     *
     * <p>If this fails, check: a lock held by compaction that writes wait on (a deadlock or a write
     * refused as CLOSED); a compaction that drops entries written after it started.
     */
    void required_spec8_3_readsAndWritesGoOnDuringCompaction() throws Throwable;

    /**
     * Spec 9.1: null arguments (config, keyspace, key, visitor, batch, durability) throw
     * {@link NullPointerException}, on the backend and on snapshots, and write nothing.
     *
     * <p>If this fails, check: {@code Objects.requireNonNull} at every entry point, before any native call.
     */
    void required_spec9_1_nullArgumentsThrowNpe() throws Throwable;

    /**
     * Spec 9.2: get, scan, snapshot reads and writes on a keyspace the backend was not opened with
     * throw {@link IllegalArgumentException} naming the keyspace.
     *
     * <p>If this fails, check: a map lookup of the keyspace handle that returns null and is used anyway.
     */
    void required_spec9_2_unknownKeyspaceThrowsIae() throws Throwable;

    /**
     * Spec 9.3: opening a directory that a backend of this process holds throws {@code LOCKED} naming
     * the directory; the holder keeps working; once it is closed, the directory opens.
     *
     * <p>If this fails, check: the library's lock error mapped to {@code LOCKED} (RocksDB "lock hold by
     * current process"; Xodus {@code ExodusException} on the lock file); an in-process registry of open
     * directories if the library allows a second open.
     */
    void required_spec9_3_directoryOpenInThisProcessIsLocked() throws Throwable;

    /**
     * Spec 9.4: opening a directory that another process holds (a child JVM) throws {@code LOCKED}
     * naming the directory; when the holder closes and exits, the directory opens with its data.
     *
     * <p>If this fails, check: an OS-level file lock (not only an in-process registry); Xodus's lock
     * timeout (it may wait before failing).
     */
    void required_spec9_4_directoryOpenInAnotherProcessIsLocked() throws Throwable;

    /**
     * Spec 9.5: a non-empty directory without the Cairn marker throws {@code FOREIGN}, and no file in
     * it is created, changed or deleted.
     *
     * <p>If this fails, check: that {@code BackendDirectory.claim} runs before the library opens (the
     * library creates its files at once).
     */
    void required_spec9_5_unrelatedDirectoryIsForeignAndUntouched() throws Throwable;

    /**
     * Spec 9.6: a directory whose marker names another provider throws {@code FOREIGN} naming that
     * provider, and stays untouched.
     *
     * <p>If this fails, check: {@code BackendDirectory.claim} with this provider's own id.
     */
    void required_spec9_6_otherProvidersDirectoryIsForeignAndUntouched() throws Throwable;

    /**
     * Spec 9.7 (optional, needs {@link StorageVerification#corrupt}): a directory whose files were
     * damaged throws {@code CORRUPTED}; no file is deleted, and a second open fails the same way (nothing
     * was silently repaired).
     *
     * <p>If this fails, check: library options that repair or skip damaged files (RocksDB
     * {@code paranoid_checks}; WAL recovery mode); the mapping of the library's corruption errors.
     */
    void optional_spec9_7_corruptedDirectoryIsReported() throws Throwable;

    /**
     * Spec 9.8: an option {@code <own id>.<unknown>} throws {@link IllegalArgumentException} naming it;
     * options of other providers are ignored.
     *
     * <p>If this fails, check: option parsing by prefix.
     */
    void required_spec9_8_ownUnknownOptionsAreRejected() throws Throwable;

    /**
     * Spec 10.1: {@code StorageProviders.byId(id)} finds a provider of the class under test, in a named
     * module (found on the module path, through {@code provides}), and that module exports nothing.
     *
     * <p>If this fails, check: {@code provides io.cairn.spi.storage.StorageProvider with ...} in the
     * plugin's module-info; the plugin jar on the module path, not the class path.
     */
    void required_spec10_1_providerIsFoundByIdOnModulePath() throws Throwable;

    /**
     * Spec 10.2: an unknown id throws {@link IllegalArgumentException} naming it and listing the ids
     * found, among them this provider's.
     *
     * <p>If this fails, check: the provider's id as declared versus the id the test asks for.
     */
    void required_spec10_2_unknownIdListsFoundIds() throws Throwable;

    /**
     * Spec 10.3: the id is lower-case letters, digits and '-', and stable; the description is one
     * non-blank line.
     *
     * <p>If this fails, check: {@code id()} and {@code description()} of the provider.
     */
    void required_spec10_3_idAndDescriptionAreWellFormed() throws Throwable;
}
