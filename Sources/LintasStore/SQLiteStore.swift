import Glibc
import LintasCore

/// The embedded default: the whole store in one SQLite file in WAL mode.
///
/// One writer at a time (the daemon, or a CLI command that writes) takes the write lock
/// with `BEGIN IMMEDIATE`; readers work on snapshots and never block it. Every commit is
/// durable (`synchronous = FULL`). Events are append-only: triggers refuse UPDATE and DELETE.
public final class SQLiteStore: EventStore {
    /// The schema this build writes; a file with a higher version is refused.
    ///
    /// 1: the first schema. 2: `letter_external_numbers`. 3: `requests` is a rowid table (it was
    /// `WITHOUT ROWID` in files made before that change, which still said 1 or 2); an older
    /// file is brought to 3 when it is opened, its states kept (see `migrateRequests`). 4: every
    /// projection folded again from the log (`rebuildProjections`). 5: `letter_numbers`, every
    /// printed letter number once, replacing `letter_external_numbers` (`letterNumbers`). 6: the
    /// queue's outcomes without an UPDATE per command: `queue` keeps each command as queued,
    /// `queue_batches` one row per batch (the commands up to `through` were processed at
    /// `processed_at`), `command_refusals` a row per refusal, and `commands` is a view of the three
    /// with the columns the table had (`migrateQueue`).
    /// 7: `letter_parts`, the members letters share stored once by their SHA-256, and
    /// `letter_numbers` without the letter's label, which its event says (`letterParts`).
    /// 8: `command_ids`, every command ever queued by its id, with its digest (idempotency), sequence,
    /// request, enqueue time and source; `queue` keeps only commands waiting or refused, a done one
    /// deleted by the batch that processes it (its action, actor and time are its first event's, its
    /// data in its events), and has no index but its sequence (`commandIDs`).
    /// 9: `requests.ends`, the end of the period the state runs for (`PeriodEnd`), and the index
    /// `requests_by_state_ends` on `(state, ends)`: the timers' full look reads the expired periods and
    /// the states with a deadline through it instead of every projection (`addPeriodEnds`).
    /// 10: `actors`, each event's `by` stored once by its SHA-256 (hex), the event's `data` without it
    /// and `events.by_actor` naming the row; every event was rewritten so.
    /// 11: `openings`, each event's article and `by` stored once as one row by its SHA-256 (32 bytes),
    /// the event's `data` the rest of its detail and `events.opening` (version 10's `by_actor`, renamed)
    /// naming the row; every event is rewritten so, those of version 10 with their `by` from `actors`,
    /// which is dropped (`StoredOpenings`, `splitOpenings`).
    /// 12: a batch leaves its done commands in `queue` for a later one to delete (`DoneLeft`), and the
    /// `commands` view lists those from `command_ids` only (`derivedOutcomesView`).
    /// 13: a batch of done commands writes no `queue_batches` row: what is processed runs through the
    /// command of the log's last event of a queued command too, and a done command was processed when its
    /// first event was recorded (`processedThrough`, `SQLiteBatch.recordOutcomes`); the view again.
    /// 14: `requests.timed`, whether the state has a timer in the request's own definition (`StateTimer`), and
    /// the index `requests_timed` on `(state, ends)` of those rows only, in place of `requests_by_state_ends`,
    /// which every change of state wrote (`indexTimedOnly`).
    /// 15: `events` without its `UNIQUE (request, version)` index, which every event wrote (a leaf of its own in
    /// most commits); `requests.event_seqs` lists the request's events by sequence, in version order, written with
    /// the projection (`listEvents`). A request's events are read by that list; a version taken is refused when the
    /// projection is written (`SQLiteBatch.saveRequest`).
    /// 16: `letter_parts` a rowid table, its hash a unique index, in place of `WITHOUT ROWID` keyed by the hash: a
    /// part is appended where the last one was, so the parts of letters issued together lie together and audit, reading
    /// the letters in request order, finds them on pages it has just read (`partsInUseOrder`).
    /// 17: `letter_registers.open`, so that a batch committing each command apart writes a register's row at its first
    /// letter from it and at its end only, an open row read with its letters in `letter_numbers` (`openRegisters`).
    public static let schemaVersion: Int64 = 17

    /// The page size of new files: an issued letter's event (about 2.6 KB with its frozen
    /// content) left half of a 4 KB page unused; 8 KB pages take 14 % less space for W1.
    /// Files created with 4 KB pages keep them (`VACUUM` after `PRAGMA page_size` changes it).
    static let pageSize = 8192
    /// How long a connection waits for another's write lock unless told otherwise, in milliseconds.
    public static let defaultBusyTimeout = 10_000

    /// The process holding the write lock of the database at `path`, if another one does: in WAL
    /// mode a writer holds a POSIX lock on byte 120 of `PATH-shm` (the first of the WAL-index
    /// locks, `WAL_WRITE_LOCK`: sqlite.org/walformat.html), which `F_GETLK` names. `nil` when no
    /// other process holds it, or the file cannot be asked.
    ///
    /// Call it only while this process has no connection to the file: closing any descriptor of
    /// a file drops every POSIX lock the process holds on it, SQLite's included.
    public static func writeLockHolder(path: String) -> Int32? {
        let descriptor = open(path + "-shm", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = 120
        lock.l_len = 1
        guard fcntl(descriptor, F_GETLK, &lock) == 0, lock.l_type != Int16(F_UNLCK), lock.l_pid > 0 else { return nil }
        return lock.l_pid
    }

    public let path: String
    let connection: SQLiteConnection
    /// The letter parts this connection stored and saw committed (`LetterPartCache`).
    private let parts = LetterPartCache()
    /// The openings this connection stored and saw committed (`OpeningCache`).
    private let openings = OpeningCache()
    /// The done commands this connection's batches left in `queue`.
    private let doneLeft = DoneLeft()
    /// Definitions and directory versions saved through this object (`catalogStamp`).
    private var catalogWrites: Int64 = 0
    /// The last event sequence this connection's last batch left, with the file's schema and
    /// data versions then: while neither changed, no other connection committed since
    /// (`data_version` counts their commits only), so it is still the last, and the next batch
    /// need not ask for `max(seq)`.
    /// With it, what the queue was processed through then, once a batch of this connection asked (`processedThrough`).
    private var lastSequence: (sequence: Int64, processed: Int64?, versions: Versions)?
    private typealias Versions = (schema: Int64, data: Int64)
    /// Tests only: runs between a batch's commit and its next transaction (`StoreBatch.commitAndContinue`),
    /// where another connection may commit.
    var betweenCommits: (() -> Void)?
    /// `data_version` as the batch under way read it: no other connection commits while this one
    /// holds the write lock, so it stands for the whole batch (`catalogStamp` without a query).
    private var batchDataVersion: Int64?
    /// `letter_parts` read in rowid order while `readingPartsInOrder` runs, `nil` otherwise.
    private var orderedParts: OrderedParts?

    /// Opens (and if asked creates) a store file, bringing its schema up to date.
    /// - Parameters:
    ///   - create: create the file when it does not exist. Read-only commands pass `false`
    ///     so that a mistyped path is an error, not a new empty database.
    ///   - busyTimeout: how long to wait for another writer's lock, in milliseconds.
    ///   - pageCacheKilobytes: SQLite's page cache for this connection (`PRAGMA cache_size`), in
    ///     KiB; `nil` leaves SQLite's own, 2,000 KiB (the daemon's is `Daemon.pageCacheKilobytes`).
    ///   - gatherWALWrites: write each commit's WAL frames with one system call (`GatheredWAL`), for the
    ///     daemon's connection: safe because this connection syncs every commit (`synchronous = FULL`),
    ///     which is checked once it is set. Not for a reader (`reading`), which writes no WAL.
    ///   - reading: for a command that only reads, what it reads: once the file is opened (and,
    ///     being older, upgraded) the connection refuses to write, and maps as much of the file
    ///     as the use asks (`SQLiteConnection.setUpForReading`, `ReadSettings`). `nil` for a writer.
    /// - Throws: `StoreError` (`.notFound` for a missing file when `create` is false).
    public init(path: String, create: Bool = true, busyTimeout: Int = SQLiteStore.defaultBusyTimeout, pageCacheKilobytes: Int? = nil,
                gatherWALWrites: Bool = false, reading: Reading? = nil) throws(StoreError) {
        self.path = path
        connection = try SQLiteConnection(path: path, create: create, gatherWAL: gatherWALWrites && reading == nil)
        do {
            connection.waitForLock(milliseconds: busyTimeout)
            if let pageCacheKilobytes { try connection.execute("PRAGMA cache_size = -\(pageCacheKilobytes)") }
            // Before anything is written to it (WAL mode is): a file that is not SQLite's fails here.
            try refuseOthers()
            // Takes effect only on a file that is still empty.
            try connection.execute("PRAGMA page_size = \(SQLiteStore.pageSize)")
            try connection.execute("PRAGMA journal_mode = WAL")
            try connection.execute("PRAGMA synchronous = FULL")
            try connection.execute("PRAGMA foreign_keys = ON")
            // Debian's SQLite zeroes what a statement deletes (about 2,400 instructions a command of `memset`):
            // a done queued command, a projection's old version, an index entry moved. All of it stays in the log.
            try connection.execute("PRAGMA secure_delete = OFF")
        } catch {
            throw error.code == .corrupt ? StoreError(.corrupt, "\(path) is not a database lintas can read (\(error.message))") : error
        }
        if connection.gathersWAL, !(try connection.syncsEveryCommit()) {
            throw StoreError(.other, "\(path): the WAL's writes are gathered only on a connection that syncs every commit (synchronous = FULL)")
        }
        try migrate()
        if let reading { try connection.setUpForReading(mapBytes: ReadSettings.mapBytes(for: reading)) }
    }

    /// Refuses, untouched, a file of a newer lintas and an SQLite file of another program: tables
    /// and no schema version (lintas sets it in the transaction that creates its tables).
    private func refuseOthers() throws(StoreError) {
        let version = try connection.query("PRAGMA user_version") { $0.int64(0) }.first ?? 0
        if version > SQLiteStore.schemaVersion {
            throw StoreError(.schemaTooNew, "\(path) has schema version \(version); this lintas understands up to \(SQLiteStore.schemaVersion). Upgrade lintas.")
        }
        guard version == 0 else { return }
        let tables = try connection.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name LIMIT 4") { $0.text(0) }
        if !tables.isEmpty {
            throw StoreError(.malformed, "\(path) is an SQLite database but not a lintas one: it has tables (\(tables.joined(separator: ", "))) "
                             + "and no lintas schema version; it is left as it is")
        }
    }

    private func migrate() throws(StoreError) {
        let version = try connection.query("PRAGMA user_version") { $0.int64(0) }.first ?? 0
        guard version < SQLiteStore.schemaVersion else { return }
        do {
            try connection.transaction(immediate: true) {
                // Another process may have migrated while we waited for the lock.
                let current = try connection.query("PRAGMA user_version") { $0.int64(0) }.first ?? 0
                if current == 0 { try connection.execute(SQLiteStore.schema) }
                if current < 2 { try connection.execute(SQLiteStore.externalNumbers) }
                if current < 3 { try migrateRequests() }
                if current < 4 { try rebuildProjections() }
                if current < 5 {
                    try dropLetterNumberLabels()
                    try connection.execute(SQLiteStore.letterNumbers)
                }
                if current < 6 { try migrateQueue() }
                // Before the views of versions 8 and 12, which read what is processed as version 13 does.
                if current < 13, try connection.query(SQLiteStore.hasAfterEventSQL, row: { $0.int64(0) }) == [0] {
                    try connection.execute(SQLiteStore.afterEventColumn)
                }
                if current < 7 {
                    try dropLetterNumberLabels()
                    try connection.execute(SQLiteStore.letterParts)
                }
                if current < 8 { try connection.execute(SQLiteStore.commandIDs) }
                if current < 9 { try addPeriodEnds() }
                if current < 11 {
                    try splitOpenings()
                    try connection.execute("PRAGMA user_version = 11")
                }
                if current < 13 { try connection.execute(SQLiteStore.derivedOutcomesView) }
                if current < 14 { try indexTimedOnly() }
                if current < 15 { try listEvents() }
                if current < 16 { try partsInUseOrder() }
                if current < 17 { try openRegisters() }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.other, "\(error)")
        }
    }

    /// Version 3: rebuilds `requests` as a rowid table when it is still `WITHOUT ROWID`
    /// (the same columns and key: the rows are copied as they are), in the transaction that
    /// sets the new version, so a failure leaves the file at its version as it was.
    private func migrateRequests() throws(StoreError) {
        let definition = try connection.query("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'requests'") { $0.text(0) }.first ?? ""
        if definition.uppercased().contains("WITHOUT ROWID") {
            // The `commands` view reads `requests` (schema version 15): it goes, and version 13's step makes it again.
            try connection.execute("""
                DROP VIEW IF EXISTS commands;
                CREATE TABLE requests_v2 (\(SQLiteStore.requestsColumns));
                INSERT INTO requests_v2 (request, workflow, state, version, updated, head, body)
                    SELECT request, workflow, state, version, updated, head, body FROM requests;
                DROP TABLE requests;
                ALTER TABLE requests_v2 RENAME TO requests;
                """)
        }
        try connection.execute("PRAGMA user_version = 3")
    }

    /// Version 4: every projection folded again from the log. States written before letters
    /// were stored once held each letter's whole content, which `audit` then reports as a
    /// projection disagreeing with its replay; the log is the truth and the projection derived,
    /// so it is rebuilt, in the transaction that sets the version.
    private func rebuildProjections() throws {
        try addEndsColumn()
        try addTimedColumn()
        try addEventListColumn()
        try splitOpenings()
        let batch = SQLiteBatch(connection: connection)
        let timers = try StateTimers(store: self)
        try forEachStream { request, rows in
            guard let state = try RequestState.folding(rows), let head = rows.last.flatMap({ Digest(bytes: $0.hash) }) else {
                throw StoreError(.corrupt, "the log of \(request) cannot be folded into a projection: run `lintas audit` with the previous lintas")
            }
            try batch.saveRequest(state, head: head, timer: try timers.of(state))
        }
        try connection.execute("PRAGMA user_version = 4")
    }

    /// The `ends` column (version 9), added when `requests` lacks it: before version 4's rebuild,
    /// which writes it, and by version 9's step.
    private func addEndsColumn() throws(StoreError) {
        try addRequestsColumn("ends", "TEXT")
    }

    /// The `timed` column (version 14), added when `requests` lacks it: before version 4's rebuild,
    /// which writes it, and by version 14's step.
    private func addTimedColumn() throws(StoreError) {
        try addRequestsColumn("timed", "INTEGER NOT NULL DEFAULT 0")
    }

    /// The `event_seqs` column (version 15), added when `requests` lacks it: before version 4's rebuild, which
    /// writes it (empty: version 15's step fills it), and by version 15's step.
    private func addEventListColumn() throws(StoreError) {
        try addRequestsColumn("event_seqs", "TEXT NOT NULL DEFAULT ''")
    }

    private func addRequestsColumn(_ name: String, _ type: String) throws(StoreError) {
        let columns = try connection.query("SELECT name FROM pragma_table_info('requests')") { $0.text(0) }
        guard !columns.contains(name) else { return }
        try connection.execute("ALTER TABLE requests ADD COLUMN \(name) \(type)")
    }

    /// Version 9: `requests.ends` filled for every stored state from the definition it is pinned to
    /// (a state pinned to a definition the file lacks is an error naming the request: its end cannot
    /// be derived, and a missing end would silence its timer), then the index on `(state, ends)`.
    /// Idempotent: the values are derived again from the states, the index made if missing.
    private func addPeriodEnds() throws {
        try addEndsColumn()
        let updates = try storedTimers(derived: "the end of its period", version: 9)
        for update in updates {
            try connection.run("UPDATE requests SET ends = ? WHERE request = ?", [.optional(update.timer.ends?.description), .text(update.request)])
        }
        try connection.execute("""
            CREATE INDEX IF NOT EXISTS requests_by_state_ends ON requests (state, ends);
            PRAGMA user_version = 9;
            """)
    }

    /// The timer of each stored state (every one, or those in `state`), for the migration to `version`, which
    /// derives what `derived` names from it: a state that does not read stops it, naming the request.
    private func storedTimers(in state: String? = nil, _ timers: StateTimers? = nil, derived: String, version: Int) throws -> [(request: String, timer: StateTimer)] {
        let timers = try timers ?? StateTimers(store: self)
        let statement = try connection.statement("SELECT request, body FROM requests\(state == nil ? "" : " WHERE state = ?") ORDER BY request")
        defer { statement.reset() }
        try statement.bind(state.map { [.text($0)] } ?? [])
        var found: [(request: String, timer: StateTimer)] = []
        while try statement.step() {
            let request = statement.text(0)
            let stored: RequestState
            do {
                stored = try RequestState(bytes: statement.bytes(1))
            } catch {
                throw StoreError(.corrupt, "\(path): the stored state of \(request) cannot be read (\(error)), so \(derived) cannot be derived for schema version \(version)")
            }
            found.append((request, try timers.of(stored)))
        }
        return found
    }

    /// Version 14: `requests.timed` set for every stored state with a timer in its own definition (`StateTimer`),
    /// found through version 9's index among the states with one in any definition of the file, then that index
    /// replaced by `requests_timed`, on `(state, ends)` of those rows only: a command that moves a request between
    /// states without a timer (in W1 all but `accepted`) no longer moves an index entry. Idempotent.
    private func indexTimedOnly() throws {
        try addTimedColumn()
        let timers = try StateTimers(store: self)
        for state in timers.timedStates().sorted() {
            for found in try storedTimers(in: state, timers, derived: "whether it has a timer", version: 14) where found.timer.timed {
                try connection.run("UPDATE requests SET timed = 1 WHERE request = ?", [.text(found.request)])
            }
        }
        try connection.execute("""
            DROP INDEX IF EXISTS requests_by_state_ends;
            CREATE INDEX IF NOT EXISTS requests_timed ON requests (state, ends) WHERE timed = 1;
            PRAGMA user_version = 14;
            """)
    }

    /// Version 15: each projection's `event_seqs` filled from the log (its request's events' sequences in version
    /// order, read through the index about to go), then `events` rebuilt without `UNIQUE (request, version)`:
    /// SQLite cannot drop a constraint's index. Every row is copied as it is, in sequence order (the hash chain
    /// covers the same bytes), the `commands` view and the append-only triggers made again. Idempotent.
    private func listEvents() throws {
        try addEventListColumn()
        try connection.execute("""
            UPDATE requests SET event_seqs = coalesce((SELECT group_concat(seq) FROM
                (SELECT seq FROM events WHERE events.request = requests.request ORDER BY version)), '');
            """)
        let indexes = try connection.query("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'events'") { $0.int64(0) }[0]
        if indexes > 0 {
            try connection.execute("""
                DROP VIEW IF EXISTS commands;
                DROP TRIGGER IF EXISTS events_refuse_update;
                DROP TRIGGER IF EXISTS events_refuse_delete;
                CREATE TABLE events_v15 (\(SQLiteStore.eventsColumns));
                INSERT INTO events_v15 (seq, request, version, action, state, actor, at, recorded, command, data, hash, opening)
                    SELECT seq, request, version, action, state, actor, at, recorded, command, data, hash, opening FROM events ORDER BY seq;
                DROP TABLE events;
                ALTER TABLE events_v15 RENAME TO events;
                \(SQLiteStore.refuseEventUpdates)
                \(SQLiteStore.refuseEventDeletes)
                \(SQLiteStore.derivedOutcomesView)
                """)
        }
        try connection.execute("PRAGMA user_version = 15")
    }

    /// Version 16: `letter_parts` copied into a rowid table with its hash a unique index (`letterParts`) when it is still
    /// `WITHOUT ROWID`, keyed by the hash: its rows in the order the log first names them (the event of each part's first
    /// letter, then by hash; a part no letter names, or none that reads as JSON, after them), the order lintas appends
    /// them in from now on, so that the parts of letters issued together share pages. Every row as it was; the
    /// append-only triggers made again.
    private func partsInUseOrder() throws(StoreError) {
        let definition = try connection.query("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'letter_parts'") { $0.text(0) }.first ?? ""
        if definition.uppercased().contains("WITHOUT ROWID") {
            try connection.execute("""
                ALTER TABLE letter_parts RENAME TO letter_parts_v15;
                \(SQLiteStore.letterPartsTable)
                INSERT INTO letter_parts (hash, body)
                    SELECT p.hash, p.body FROM letter_parts_v15 p LEFT JOIN (
                        SELECT u.value AS name, min(e.seq) AS first
                        FROM (SELECT seq, data FROM events WHERE json_valid(data)) e, json_each(e.data, '$.letter.content_parts') u
                        WHERE u.type = 'text' GROUP BY u.value
                    ) f ON f.name = lower(hex(p.hash))
                    ORDER BY f.first IS NULL, f.first, p.hash;
                DROP TABLE letter_parts_v15;
                \(SQLiteStore.letterPartsTriggers)
                """)
        }
        try connection.execute("PRAGMA user_version = 16")
    }

    /// Version 17: `letter_registers.open`, set while a register's `last` may lag behind the letters committed since
    /// (a batch committing each command apart writes its registers at its first draw and its end only:
    /// `StoreBatch.setLetterSequence(register:to:open:)`). Rows already there are closed: their `last` is exact.
    /// Idempotent: a file that has the column keeps it.
    private func openRegisters() throws(StoreError) {
        let columns = try connection.query("SELECT name FROM pragma_table_info('letter_registers')") { $0.text(0) }
        if !columns.contains("open") {
            try connection.execute("ALTER TABLE letter_registers ADD COLUMN open INTEGER NOT NULL DEFAULT 0")
        }
        try connection.execute("PRAGMA user_version = 17")
    }

    /// The events' columns from version 15: no index but the sequence (version 11's `opening` last).
    static let eventsColumns = """
        seq INTEGER PRIMARY KEY,
        request TEXT NOT NULL,
        version INTEGER NOT NULL,
        action TEXT NOT NULL,
        state TEXT NOT NULL,
        actor TEXT NOT NULL,
        at INTEGER NOT NULL,
        recorded INTEGER NOT NULL,
        command TEXT NOT NULL,
        data TEXT NOT NULL,
        hash BLOB NOT NULL,
        opening INTEGER
        """

    /// Version 11: `openings` and `events.opening` (`StoredOpenings`), and every event whose detail is
    /// not yet stored so rewritten as its rest, its article and `by` going to `openings` (its hash chain
    /// unchanged: the bytes it covers are read back the same). A version-10 file's events are read with
    /// their `by` from `actors` (`by_actor`), then that column is renamed `opening` and `actors` dropped.
    /// A row whose detail is not as lintas writes it is kept whole, for audit to report. Idempotent:
    /// rows already split are left as they are. Also run before version 4's rebuild, which reads the
    /// events as they are read from then on.
    private func splitOpenings() throws {
        try connection.execute(StoredOpenings.table)
        let columns = try connection.query("SELECT name FROM pragma_table_info('events')") { $0.text(0) }
        let version10 = columns.contains("by_actor")
        if !version10 && !columns.contains("opening") { try connection.execute("ALTER TABLE events ADD COLUMN opening INTEGER") }
        let column = version10 ? "by_actor" : "opening"
        try connection.execute("DROP TRIGGER IF EXISTS events_refuse_update")
        let select = version10
            ? "SELECT e.seq, e.data, a.body, e.by_actor IS NOT NULL FROM events e LEFT JOIN actors a ON a.id = e.by_actor WHERE e.seq > ? ORDER BY e.seq LIMIT 10000"
            : "SELECT seq, data, NULL, 0 FROM events WHERE seq > ? AND opening IS NULL ORDER BY seq LIMIT 10000"
        var ids: [[UInt8]: Int64] = [:]
        var after: Int64 = 0
        // A chunk of rows read, then rewritten: the rows are not updated under an open read of them.
        while true {
            let rows = try connection.query(select, [.integer(after)]) { ($0.int64(0), $0.bytes(1), $0.isNull(2) ? nil : $0.bytes(2), $0.int64(3) != 0) }
            guard let last = rows.last else { break }
            after = last.0
            for (sequence, stored, actor, named) in rows {
                let data = actor.map { StoredOpenings.legacyJoin(stored, actor: $0) } ?? stored
                guard let (rest, opening) = StoredOpenings.split(data) else {
                    // Whole, as it reads (an actor id left in the column would name an opening).
                    if named { try connection.run("UPDATE events SET data = ?, \(column) = NULL WHERE seq = ?", [.utf8(data), .integer(sequence)]) }
                    continue
                }
                let id = try ids[opening] ?? StoredOpenings.id(of: opening, in: connection)
                ids[opening] = id
                try connection.run("UPDATE events SET data = ?, \(column) = ? WHERE seq = ?", [.utf8(rest), .integer(id), .integer(sequence)])
            }
        }
        if version10 {
            try connection.execute("""
                ALTER TABLE events RENAME COLUMN by_actor TO opening;
                DROP TABLE actors;
                """)
        }
        try connection.execute(SQLiteStore.refuseEventUpdates)
    }

    static let refuseEventUpdates = """
        CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE is refused'); END;
        """
    static let refuseEventDeletes = """
        CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE is refused'); END;
        """

    /// Version 7: `letter_numbers` without its `label` column, rebuilt with its rows when it has
    /// one (files of versions 5 and 6); the label of a letter is in its event. Run before version 5's
    /// step too, so that a file whose version was set back takes that step again.
    private func dropLetterNumberLabels() throws(StoreError) {
        let columns = try connection.query("SELECT name FROM pragma_table_info('letter_numbers')") { $0.text(0) }
        guard columns.contains("label") else { return }
        try connection.execute("""
            CREATE TABLE letter_numbers_v7 (\(SQLiteStore.letterNumbersColumns)) WITHOUT ROWID;
            INSERT INTO letter_numbers_v7 (number, letter, request) SELECT number, letter, request FROM letter_numbers;
            DROP TABLE letter_numbers;
            ALTER TABLE letter_numbers_v7 RENAME TO letter_numbers;
            """)
    }

    static let letterNumbersColumns = """
        number TEXT PRIMARY KEY,
        letter TEXT NOT NULL,
        request TEXT NOT NULL
        """

    /// Version 6: the `commands` table becomes `queue` (the commands as queued, never updated),
    /// `queue_batches` and `command_refusals`, and a `commands` view with the table's columns,
    /// so what read the table reads the view. Each processed command of an older file gets a
    /// `queue_batches` row of its own, keeping its `processed_at`; its first event is found in the
    /// log, as for new ones. Idempotent: a file whose `commands` is already the view is left as it is.
    private func migrateQueue() throws(StoreError) {
        let kind = try connection.query("SELECT type FROM sqlite_schema WHERE name = 'commands'") { $0.text(0) }.first
        if kind == "table" {
            // Outcomes are recorded for the oldest queued commands first, so the processed ones are a prefix.
            let skipped = try connection.query("""
                SELECT count(*) FROM commands WHERE status = 'queued'
                AND seq < (SELECT coalesce(max(seq), 0) FROM commands WHERE status != 'queued')
                """) { $0.int64(0) }.first ?? 0
            guard skipped == 0 else {
                throw StoreError(.corrupt, "\(path): \(skipped) queued commands are older than processed ones; the queue cannot be brought to schema version 6")
            }
            try connection.execute("""
                CREATE TABLE queue (\(SQLiteStore.queueColumns));
                INSERT INTO queue (seq, id, digest, request, action, actor, workflow, at, data, enqueued_at, source)
                    SELECT seq, id, digest, request, action, actor, workflow, at, data, enqueued_at, source FROM commands;
                \(SQLiteStore.outcomeTables)
                INSERT INTO queue_batches (through, processed_at) SELECT seq, coalesce(processed_at, 0) FROM commands WHERE status != 'queued';
                INSERT INTO command_refusals (seq, code, message, article, hint)
                    SELECT seq, refusal_code, coalesce(refusal_message, ''), refusal_article, refusal_hint FROM commands WHERE status = 'refused';
                DROP TABLE commands;
                \(SQLiteStore.commandsView)
                """)
        }
        try connection.execute("PRAGMA user_version = 6")
    }

    static let queueColumns = queueColumnList(uniqueID: true)

    /// `queue`'s columns; from version 8 the id is unique in `command_ids` instead (`uniqueID` false).
    static func queueColumnList(uniqueID: Bool) -> String { """
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL\(uniqueID ? " UNIQUE" : ""),
        digest BLOB NOT NULL,
        request TEXT NOT NULL,
        action TEXT NOT NULL,
        actor TEXT NOT NULL,
        workflow TEXT,
        at INTEGER,
        data TEXT NOT NULL,
        enqueued_at INTEGER NOT NULL,
        source TEXT NOT NULL
        """
    }

    static let outcomeTables = """
        CREATE TABLE queue_batches (
            through INTEGER PRIMARY KEY,
            processed_at INTEGER NOT NULL
        );
        CREATE TABLE command_refusals (
            seq INTEGER PRIMARY KEY,
            code TEXT NOT NULL,
            message TEXT NOT NULL,
            article TEXT,
            hint TEXT
        );
        """

    /// The queue with each command's outcome, in the columns of the `commands` table before
    /// version 6: processed when a batch's `through` reaches it, refused when it has a refusal,
    /// its first event the first the log holds for it.
    static let commandsView = """
        CREATE INDEX queue_by_request ON queue (request);
        CREATE VIEW commands AS
        \(queuedCommandsSelect);
        """

    /// The `commands` view of version 6 and 7: every command in `queue`.
    static let queuedCommandsSelect = """
        SELECT q.seq, q.id, q.digest, q.request, q.action, q.actor, q.workflow, q.at, q.data, q.enqueued_at, q.source,
            CASE WHEN r.seq IS NOT NULL THEN 'refused' WHEN b.through IS NOT NULL THEN 'done' ELSE 'queued' END AS status,
            b.processed_at AS processed_at,
            CASE WHEN r.seq IS NULL AND b.through IS NOT NULL
                THEN (SELECT min(e.seq) FROM \(listedEvents(of: "q.request", as: "e")) WHERE e.command = q.id) END AS first_event,
            r.code AS refusal_code, r.message AS refusal_message, r.article AS refusal_article, r.hint AS refusal_hint
        FROM queue q
        LEFT JOIN command_refusals r ON r.seq = q.seq
        LEFT JOIN queue_batches b ON b.through = (SELECT min(through) FROM queue_batches WHERE through >= q.seq)
        """

    /// The commands of `queue` not yet done: waiting, or refused (which stay whole). From version 12 a
    /// done command may still be in `queue` for a while (`DoneLeft`); it is listed from `command_ids`.
    static let waitingCommandsSelect = """
        \(queuedCommandsSelect)
        WHERE (q.seq > \(processedThrough) OR r.seq IS NOT NULL)
        """

    /// Version 13: a `queue_batches` row records the log's last event when it was written (`after_event`): what
    /// is processed is derived from the events after the last row's only (`lastCommandEvent`). In a file of version 12
    /// every processed command is at or before a row's `through`, so the last row stands for the whole log then.
    static let hasAfterEventSQL = "SELECT count(*) FROM pragma_table_info('queue_batches') WHERE name = 'after_event'"
    static let afterEventColumn = """
    ALTER TABLE queue_batches ADD COLUMN after_event INTEGER NOT NULL DEFAULT 0;
    UPDATE queue_batches SET after_event = (SELECT coalesce(max(seq), 0) FROM events)
        WHERE through = (SELECT max(through) FROM queue_batches);
    """

    /// Versions 12 and 13: `commands` lists a done command once while it is still in `queue` (12), with
    /// what is processed and when as version 13 derives them (`processedThrough`). Idempotent.
    static let derivedOutcomesView = """
    DROP VIEW IF EXISTS commands;
    CREATE VIEW commands AS
    \(waitingCommandsSelect)
    UNION ALL
    \(processedCommandsSelect);
    PRAGMA user_version = 13;
    """

    /// The done commands of version 8 in the columns of `commands`: those of `command_ids` processed and
    /// not refused, their action, actor and time from the first event (an accepted command has at
    /// least one), no workflow, the data left as `{}`; processed when that event was recorded (the batch's
    /// time, which lintas writes in both; from version 13 a batch of done commands has no row of its own).
    static let processedCommandsSelect = """
        SELECT p.seq, p.id, p.digest, p.request, coalesce(e.action, '') AS action, coalesce(e.actor, '') AS actor, NULL AS workflow,
            e.at AS at, '{}' AS data, p.enqueued_at, p.source, 'done' AS status, e.recorded AS processed_at, e.seq AS first_event,
            NULL AS refusal_code, NULL AS refusal_message, NULL AS refusal_article, NULL AS refusal_hint
        FROM command_ids p
        LEFT JOIN events e ON e.seq = (SELECT min(f.seq) FROM \(listedEvents(of: "p.request", as: "f")) WHERE f.command = p.id)
        WHERE p.seq <= \(processedThrough) AND p.seq NOT IN (SELECT seq FROM command_refusals)
        """

    /// Version 8: `command_ids` (keyed by sequence, its id unique; about 95 bytes a command) takes
    /// every command's id, digest, sequence, request, enqueue time and source, and `queue` is rebuilt
    /// with the commands waiting or refused only, without its indexes on id and request: `queue` held
    /// each processed command whole (about 290 bytes an event with its indexes), and deleting done
    /// commands by a range of sequences (`recordOutcomes`) then touches no index. Idempotent.
    static let commandIDs = """
    CREATE TABLE IF NOT EXISTS command_ids (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        digest BLOB NOT NULL,
        request TEXT NOT NULL,
        enqueued_at INTEGER NOT NULL,
        source TEXT NOT NULL
    );
    INSERT OR IGNORE INTO command_ids (seq, id, digest, request, enqueued_at, source)
        SELECT seq, id, digest, request, enqueued_at, source FROM queue;
    DROP VIEW IF EXISTS commands;
    CREATE TABLE queue_v8 (\(queueColumnList(uniqueID: false)));
    INSERT INTO queue_v8 SELECT seq, id, digest, request, action, actor, workflow, at, data, enqueued_at, source FROM queue
        WHERE seq > \(processedThrough) OR seq IN (SELECT seq FROM command_refusals);
    DROP TABLE queue;
    ALTER TABLE queue_v8 RENAME TO queue;
    CREATE VIEW commands AS
    \(queuedCommandsSelect)
    UNION ALL
    \(processedCommandsSelect);
    PRAGMA user_version = 8;
    """

    /// The first sequence not yet processed is after this one: the last `through` of `queue_batches`, or
    /// the command of the log's last event of a queued command (`lastCommandEvent`), whichever is later.
    /// From version 13 a batch writes its row only when the second would not reach its last command
    /// (`SQLiteBatch.recordOutcomes`); outcomes are recorded for the oldest queued commands first.
    static let processedThrough = """
        (SELECT max((SELECT coalesce(max(through), 0) FROM queue_batches), coalesce((\(lastCommandEvent("c.seq"))), 0)))
        """

    /// `column` of the log's last event of a queued command and of that command (`c`, in `command_ids`),
    /// the timers' own events left out: walked back from the log's end (or from before `before`), one look-up of
    /// `command_ids` an event, down to the last `queue_batches` row's `after_event` at most. Every transaction that
    /// appends events writes such a row unless its last event is its last done command's (`SQLiteBatch.settle`),
    /// so the walk ends at its first step.
    static func lastCommandEvent(_ column: String, before: String? = nil) -> String {
        """
        SELECT \(column) FROM events e CROSS JOIN command_ids c ON c.id = e.command AND c.request = e.request
        WHERE e.seq > \(lastAfterEvent)\(before.map { " AND e.seq < \($0)" } ?? "")
        AND e.command NOT GLOB '\(CommandID.timerPrefix)*' ORDER BY e.seq DESC LIMIT 1
        """
    }

    /// The log's last event when the last `queue_batches` row was written: the rows' `through` and `after_event` only grow.
    static let lastAfterEvent = "coalesce((SELECT after_event FROM queue_batches ORDER BY through DESC LIMIT 1), 0)"

    /// When the queue was last processed: the last batch with a row of its own (a row of a queue never processed,
    /// `through` 0, says nothing), or the last of done commands (its last command's event), whichever is later.
    static func lastProcessed(before: String? = nil) -> String {
        """
        SELECT (SELECT processed_at FROM queue_batches WHERE through > 0 ORDER BY through DESC LIMIT 1),
            (\(lastCommandEvent("e.recorded", before: before)))
        """
    }

    static let requestsColumns = """
        request TEXT PRIMARY KEY,
        workflow TEXT NOT NULL,
        state TEXT NOT NULL,
        version INTEGER NOT NULL,
        updated INTEGER NOT NULL,
        head BLOB NOT NULL,
        body TEXT NOT NULL
        """

    static let schema = """
    CREATE TABLE definitions (
        hash TEXT PRIMARY KEY,
        workflow TEXT NOT NULL,
        body TEXT NOT NULL,
        loaded_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE workflows (
        id TEXT PRIMARY KEY,
        current TEXT NOT NULL REFERENCES definitions(hash),
        updated_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE directory_versions (
        version INTEGER PRIMARY KEY,
        effective_from TEXT NOT NULL,
        hash TEXT NOT NULL,
        body TEXT NOT NULL,
        imported_at INTEGER NOT NULL,
        source TEXT NOT NULL,
        UNIQUE (effective_from, hash)
    );
    -- Version 6 makes it `queue` (the same columns up to `source`) and the outcome tables.
    CREATE TABLE commands (
        \(queueColumns),
        status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'done', 'refused')),
        processed_at INTEGER,
        first_event INTEGER,
        refusal_code TEXT,
        refusal_message TEXT,
        refusal_article TEXT,
        refusal_hint TEXT
    );
    CREATE INDEX commands_queued ON commands (seq) WHERE status = 'queued';
    CREATE INDEX commands_by_request ON commands (request);
    -- As version 15 keeps it (version 1 had `UNIQUE (request, version)` and no `opening`).
    CREATE TABLE events (\(eventsColumns));
    -- A rowid table: WITHOUT ROWID would give each state (about 1 KB) an overflow page of its own.
    CREATE TABLE requests (\(requestsColumns));
    CREATE TABLE letter_registers (
        register TEXT PRIMARY KEY,
        last INTEGER NOT NULL
    ) WITHOUT ROWID;
    \(refuseEventUpdates)
    \(refuseEventDeletes)
    CREATE TRIGGER definitions_refuse_update BEFORE UPDATE ON definitions
        BEGIN SELECT RAISE(ABORT, 'workflow definitions are kept as loaded: UPDATE is refused'); END;
    CREATE TRIGGER definitions_refuse_delete BEFORE DELETE ON definitions
        BEGIN SELECT RAISE(ABORT, 'workflow definitions are kept as loaded: DELETE is refused'); END;
    CREATE TRIGGER directory_refuse_update BEFORE UPDATE ON directory_versions
        BEGIN SELECT RAISE(ABORT, 'directory versions are kept as imported: UPDATE is refused'); END;
    CREATE TRIGGER directory_refuse_delete BEFORE DELETE ON directory_versions
        BEGIN SELECT RAISE(ABORT, 'directory versions are kept as imported: DELETE is refused'); END;
    PRAGMA user_version = 1;
    """

    /// Version 2: the numbers of letters numbered elsewhere (SRIKANDI), one per register, so a
    /// number is recorded once. A register's own numbers are in `letter_registers`.
    static let externalNumbers = """
    CREATE TABLE letter_external_numbers (
        register TEXT NOT NULL,
        number TEXT NOT NULL,
        PRIMARY KEY (register, number)
    ) WITHOUT ROWID;
    PRAGMA user_version = 2;
    """

    /// Version 5: every printed letter number once (`letter_numbers`), drawn or given elsewhere,
    /// so a number identifies one letter; it replaces `letter_external_numbers`. Registers are keyed
    /// (unit, kode klasifikasi or else type, year) from now on. A file written before holds letters
    /// in registers keyed (unit, type, year): their numbers are recorded here in the order they were
    /// issued (a number two letters already share stays with the first, the second is still shown by
    /// its id), and each new register starts after the highest sequence its letters reached, so the
    /// next number drawn is new.
    /// (The table is created as version 7 keeps it, without the label version 5 had.)
    static let letterNumbers = """
    CREATE TABLE IF NOT EXISTS letter_numbers (\(letterNumbersColumns)) WITHOUT ROWID;
    DROP TABLE IF EXISTS temp.issued_letters;
    CREATE TEMP TABLE issued_letters AS
        SELECT seq, request, json_extract(data, '$.letter.number') AS number, json_extract(data, '$.letter.label') AS label,
               json_extract(data, '$.letter.register') AS register, json_extract(data, '$.letter.sequence') AS sequence,
               json_extract(data, '$.letter.numbering') AS numbering,
               COALESCE(json_extract(data, '$.letter.content.klasifikasi'), json_extract(data, '$.letter.type')) AS series
        FROM events WHERE json_extract(data, '$.letter.number') IS NOT NULL AND json_extract(data, '$.letter.numbering') IS NOT 'none';
    INSERT OR IGNORE INTO letter_numbers (number, letter, request)
        SELECT number, CASE WHEN numbering = 'external' THEN register || '/external:' || number ELSE register || '/' || sequence END, request
        FROM issued_letters ORDER BY seq;
    INSERT INTO letter_registers (register, last)
        SELECT substr(register, 1, instr(register, '/') - 1) || '/' || series || '/' || substr(register, -4), MAX(sequence)
        FROM issued_letters WHERE numbering IS NULL AND sequence > 0 GROUP BY 1
        ON CONFLICT (register) DO UPDATE SET last = max(last, excluded.last);
    DROP TABLE issued_letters;
    DROP TABLE IF EXISTS letter_external_numbers;
    PRAGMA user_version = 5;
    """

    /// Version 7: the parts of letters (`LetterParts`: a letter's frame, the request's contents)
    /// each stored once, keyed by the SHA-256 of their canonical JSON, append-only like the
    /// events. Events written from now on keep a letter's own members and its parts' hashes;
    /// letters issued before keep their whole content in their events, which are not rewritten.
    /// `letter_numbers` loses its `label` (`dropLetterNumberLabels`): the label of the letter
    /// carrying a number is read from that letter's event when a clash is refused. The table as
    /// version 16 makes it (`letterPartsTable`; version 7 made it `WITHOUT ROWID`, keyed by the hash).
    static let letterParts = """
    \(letterPartsTable)
    \(letterPartsTriggers)
    PRAGMA user_version = 7;
    """

    /// `letter_parts` from version 16: a rowid table, each part appended after the last, found by its hash's unique index.
    static let letterPartsTable = """
    CREATE TABLE IF NOT EXISTS letter_parts (
        hash BLOB NOT NULL UNIQUE,
        body TEXT NOT NULL
    );
    """
    static let letterPartsTriggers = """
    CREATE TRIGGER IF NOT EXISTS letter_parts_refuse_update BEFORE UPDATE ON letter_parts
        BEGIN SELECT RAISE(ABORT, 'letter parts are append-only: UPDATE is refused'); END;
    CREATE TRIGGER IF NOT EXISTS letter_parts_refuse_delete BEFORE DELETE ON letter_parts
        BEGIN SELECT RAISE(ABORT, 'letter parts are append-only: DELETE is refused'); END;
    """

    /// Runs a body in a transaction, turning any error into the `StoreError` it was or wraps.
    private func transaction<Result>(immediate: Bool, _ body: () throws -> Result) throws -> Result {
        try connection.transaction(immediate: immediate, body)
    }

    // MARK: Workflow definitions

    public func saveDefinition(workflow: WorkflowID, hash: DefinitionHash, body: String, now: Timestamp) throws -> DefinitionChange {
        // Counted before the write: a stamp read while it is under way is stale either way.
        catalogWrites += 1
        return try transaction(immediate: true) {
            let known = try connection.query("SELECT 1 FROM definitions WHERE hash = ?", [.text(hash.rawValue)]) { _ in true }.first ?? false
            let current = try connection.query("SELECT current FROM workflows WHERE id = ?", [.text(workflow.rawValue)]) { $0.text(0) }.first
            if current == hash.rawValue { return .unchanged }
            if !known {
                try connection.run("INSERT INTO definitions (hash, workflow, body, loaded_at) VALUES (?, ?, ?, ?)",
                                   [.text(hash.rawValue), .text(workflow.rawValue), .text(body), .integer(now.milliseconds)])
            }
            try connection.run("""
                INSERT INTO workflows (id, current, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET current = excluded.current, updated_at = excluded.updated_at
                """, [.text(workflow.rawValue), .text(hash.rawValue), .integer(now.milliseconds)])
            return known ? .reinstated : .added
        }
    }

    public func definitionBody(_ hash: DefinitionHash) throws -> String? {
        try connection.query("SELECT body FROM definitions WHERE hash = ?", [.text(hash.rawValue)]) { $0.text(0) }.first
    }

    public func currentDefinitions() throws -> [WorkflowID: DefinitionHash] {
        let rows = try connection.query("SELECT id, current FROM workflows") { (WorkflowID($0.text(0)), DefinitionHash($0.text(1))) }
        return Dictionary(rows, uniquingKeysWith: { first, _ in first })
    }

    public func catalogStamp() throws -> CatalogStamp {
        // data_version changes with every commit of another connection, never with this one's.
        CatalogStamp(others: try batchDataVersion ?? connection.query(SQLiteStore.dataVersionSQL) { $0.int64(0) }[0], own: catalogWrites)
    }

    public func definitionVersions() throws -> [DefinitionVersion] {
        try connection.query("""
            SELECT d.workflow, d.hash, d.loaded_at, w.current IS NOT NULL
            FROM definitions d LEFT JOIN workflows w ON w.id = d.workflow AND w.current = d.hash
            ORDER BY d.workflow, d.loaded_at, d.hash
            """) {
            DefinitionVersion(workflow: WorkflowID($0.text(0)), hash: DefinitionHash($0.text(1)),
                              loadedAt: Timestamp(milliseconds: $0.int64(2)), isCurrent: $0.int64(3) != 0)
        }
    }

    // MARK: Org directory

    public func saveDirectory(effectiveFrom: CivilDate, hash: String, body: String, source: String, now: Timestamp) throws -> DirectoryVersion {
        catalogWrites += 1
        return try transaction(immediate: true) {
            let existing = try directoryRows("WHERE effective_from = ? AND hash = ?", [.text(effectiveFrom.description), .text(hash)]).first
            if var existing {
                existing.isNew = false
                return existing
            }
            try connection.run("INSERT INTO directory_versions (effective_from, hash, body, imported_at, source) VALUES (?, ?, ?, ?, ?)",
                               [.text(effectiveFrom.description), .text(hash), .text(body), .integer(now.milliseconds), .text(source)])
            return try directoryRows("WHERE effective_from = ? AND hash = ?", [.text(effectiveFrom.description), .text(hash)]).first!
        }
    }

    public func directoryVersions() throws -> [DirectoryVersion] {
        try directoryRows("", [])
    }

    private func directoryRows(_ condition: String, _ bindings: [SQLiteValue]) throws(StoreError) -> [DirectoryVersion] {
        try connection.query("SELECT version, effective_from, hash, imported_at, source FROM directory_versions \(condition) ORDER BY effective_from, version", bindings) {
            (row) throws(StoreError) in
            guard let date = CivilDate(iso: row.text(1)) else { throw StoreError(.malformed, "directory version \(row.int64(0)) has a malformed date") }
            return DirectoryVersion(version: row.int64(0), effectiveFrom: date, hash: row.text(2),
                                    importedAt: Timestamp(milliseconds: row.int64(3)), source: row.text(4), isNew: true)
        }
    }

    public func directoryBody(version: Int64) throws -> String? {
        try connection.query("SELECT body FROM directory_versions WHERE version = ?", [.integer(version)]) { $0.text(0) }.first
    }

    // MARK: Intake

    public func enqueue(_ commands: [Command], source: String, now: Timestamp) throws -> [EnqueueResult] {
        try transaction(immediate: true) {
            var results: [EnqueueResult] = []
            var conflicts: [(Int, Int64)] = []
            for (index, command) in commands.enumerated() {
                let json = command.json
                let digest = Digest.sha256(json.canonicalBytes).bytes
                // The id once, in `command_ids`, whose rowid is the sequence: never deleted, it only grows
                // (done commands leave `queue`, whose own rowid could go back).
                try connection.run("""
                    INSERT INTO command_ids (id, digest, request, enqueued_at, source) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO NOTHING
                    """, [.text(command.id.rawValue), .blob(digest), .text(command.request.rawValue), .integer(now.milliseconds), .text(source)])
                if connection.changes == 1 {
                    let sequence = connection.lastInsertRowID
                    try connection.run("""
                        INSERT INTO queue (seq, id, digest, request, action, actor, workflow, at, data, enqueued_at, source)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, [.integer(sequence), .text(command.id.rawValue), .blob(digest), .text(command.request.rawValue), .text(command.action),
                              .text(command.actor.rawValue), .optional(command.workflow?.rawValue), .optional(command.at?.milliseconds),
                              .utf8(JSONValue.object(command.data).canonicalBytes), .integer(now.milliseconds), .text(source)])
                    results.append(.queued(sequence: sequence))
                    continue
                }
                let (sequence, storedDigest) = try connection.query(
                    "SELECT seq, digest FROM command_ids WHERE id = ?",
                    [.text(command.id.rawValue)]) { ($0.int64(0), $0.bytes(1)) }.first!
                if storedDigest == digest { results.append(.duplicate(sequence: sequence)) } else { conflicts.append((index, sequence)) }
            }
            if !conflicts.isEmpty {
                throw CommandIDConflict(indices: conflicts.map(\.0), sequences: conflicts.map(\.1))
            }
            return results
        }
    }

    // MARK: Processing

    /// The later of `lastProcessed`'s two columns.
    static func latest(_ row: SQLiteStatement) -> Int64? { [row.optionalInt64(0), row.optionalInt64(1)].compactMap { $0 }.max() }

    public func withBatch<Result>(_ body: (any StoreBatch) throws -> Result) throws -> Result {
        do {
            let (result, last) = try transaction(immediate: true) {
                var versions = try currentVersions()
                // A schema changed since (a table dropped, a file rewritten) voids what the cache knows.
                parts.check(schema: versions.schema)
                openings.check(schema: versions.schema)
                batchDataVersion = versions.data
                defer { batchDataVersion = nil }
                let known = lastSequence.flatMap { $0.versions == versions ? $0 : nil }
                var batch = SQLiteBatch(connection: connection, parts: parts, openings: openings, doneLeft: doneLeft,
                                        last: .init(sequence: known?.sequence, processed: known?.processed))
                // The catalogs as the batch began, read before its first commit (nobody else commits while it holds the lock).
                var catalogs: String?
                batch.commitHook = { [self, batch] (committed) throws -> Bool in
                    try batch.listUnsaved()
                    try batch.settle()
                    let began = try catalogs ?? decideStamp().catalogs
                    catalogs = began
                    let moved = try connection.commitAndBeginImmediate {
                        parts.commit()
                        openings.commit()
                        committed()
                        betweenCommits?()
                    }
                    // The pager's count unmoved, nobody committed in between: `data_version` is as the last check left it.
                    guard moved else { return true }
                    // data_version counts other connections' commits only: unchanged, nobody committed in between (and so
                    // nobody changed the schema, which only a commit does): the schema version is read only when it moved.
                    let data = try dataVersion()
                    if data == versions.data { return true }
                    let now = (schema: try schemaVersion(), data: data)
                    // Another connection committed: the batch goes on when what deciding reads is as it left it (`DecideStamp`),
                    // as after a `lintas submit`, which only queues commands.
                    guard now.schema == versions.schema, let sequence = batch.last.sequence, let processed = batch.last.processed,
                          try decideStamp() == DecideStamp(lastEvent: sequence, processed: processed, catalogs: began) else { return false }
                    // What this batch knows (its last sequence, the catalogs' stamp) holds at the new data_version.
                    versions = now
                    batchDataVersion = now.data
                    return true
                }
                let result = try body(batch)
                try batch.listUnsaved()
                try batch.settle()
                return (result, batch.last.sequence.map { ($0, batch.last.processed, versions) })
            }
            parts.commit()
            openings.commit()
            lastSequence = last
            return result
        } catch {
            parts.rollback()
            openings.rollback()
            doneLeft.forget()
            lastSequence = nil
            throw error
        }
    }

    /// What deciding a batch's commands reads that another connection's commit could change, the queue aside: what
    /// `commitAndContinue` compares after such a commit, so that a `lintas submit` (which only adds rows to `queue` and
    /// `command_ids`, after every command a batch claimed) does not void what the batch decided ahead.
    ///
    /// - `lastEvent`, the log's last sequence: events are append-only, so any event appended moves it.
    /// - `processed`, what the queue is processed through (`processedThrough`): any outcome recorded moves it.
    /// - `catalogs`: which definition is current for each workflow (`workflows`, what `lintas workflows load` changes; a
    ///   definition's body is kept as loaded, by its hash), the org directory's versions (`lintas org import` adds one;
    ///   kept as imported) and the file's `user_version` (a migration by another lintas).
    ///
    /// The rest deciding reads (projections, letter registers, printed numbers) only a batch writes (`withBatch`:
    /// the daemon's commands and timers), and a batch that writes any of it appends an event (a timer's, an accepted
    /// command's) or records an outcome: the first two move.
    struct DecideStamp: Equatable {
        var lastEvent: Int64
        var processed: Int64
        var catalogs: String
    }

    private static let decideStampSQL = FixedSQL("""
        SELECT (SELECT coalesce(max(seq), 0) FROM events), \(processedThrough),
            coalesce((SELECT group_concat(id || ' ' || current, ' ') FROM workflows), '') || ';'
            || coalesce((SELECT group_concat(version, ' ') FROM directory_versions), '') || ';' || (SELECT user_version FROM pragma_user_version)
        """)

    private func decideStamp() throws -> DecideStamp {
        try connection.query(SQLiteStore.decideStampSQL) { DecideStamp(lastEvent: $0.int64(0), processed: $0.int64(1), catalogs: $0.text(2)) }[0]
    }

    // The file's schema version and `data_version` are read by two `PRAGMA` statements, each prepared once: the
    // table-valued `pragma_schema_version` and `pragma_data_version` in one SELECT prepared a statement of their
    // own each time they were read (about 10,000 instructions a batch, a command's at batch size 1).
    static let schemaVersionSQL = FixedSQL("PRAGMA schema_version")
    private static let dataVersionSQL = FixedSQL("PRAGMA data_version")

    /// The file's schema version and `data_version` as this connection reads them now (at a batch's start; a commit of
    /// `commitAndContinue` reads `data_version`, and the schema version only when that moved): each its one row's,
    /// without an array of rows made and freed for it.
    private func currentVersions() throws -> Versions {
        (schema: try schemaVersion(), data: try dataVersion())
    }

    private func schemaVersion() throws -> Int64 { try connection.firstRow(SQLiteStore.schemaVersionSQL, []) { $0.int64(0) } ?? 0 }

    private func dataVersion() throws -> Int64 { try connection.firstRow(SQLiteStore.dataVersionSQL, []) { $0.int64(0) } ?? 0 }

    // MARK: Operating

    /// What a backup copied.
    public struct BackupReport: Sendable, Hashable {
        public var pages: Int
        public var events: Int64
        public var bytes: Int64
    }

    /// Copies the database into a new file with SQLite's online backup, on one consistent
    /// snapshot: a daemon may keep writing meanwhile (WAL readers do not block the writer).
    /// The copy is written as `PATH.part`, checked (`PRAGMA integrity_check`), then renamed.
    /// - Throws: `StoreError` when the copy fails or does not check out; no file is left at `path`.
    public func backup(to path: String) throws(StoreError) -> BackupReport {
        let partial = path + ".part"
        let pages = try connection.backup(to: partial)
        let events: Int64
        do throws(StoreError) {
            let copy = try SQLiteConnection(path: partial, create: false)
            let problems = try copy.query("PRAGMA integrity_check") { $0.text(0) }
            guard problems == ["ok"] else {
                throw StoreError(.corrupt, "the copy fails SQLite's integrity check: \(problems.prefix(3).joined(separator: "; "))")
            }
            events = try copy.query("SELECT count(*) FROM events") { $0.int64(0) }.first ?? 0
        } catch {
            SQLiteConnection.remove(partial)
            throw error
        }
        guard rename(partial, path) == 0 else {
            SQLiteConnection.remove(partial)
            throw StoreError(.io, "cannot rename \(partial) to \(path)")
        }
        var info = stat()
        let bytes = stat(path, &info) == 0 ? Int64(info.st_size) : 0
        return BackupReport(pages: pages, events: events, bytes: bytes)
    }

    /// Every problem SQLite's `PRAGMA integrity_check` finds; empty when the file is sound.
    public func integrityProblems() throws(StoreError) -> [String] {
        try connection.query("PRAGMA integrity_check") { $0.text(0) }.filter { $0 != "ok" }
    }

    // MARK: Reading

    public func readSnapshot<Result>(_ body: () throws -> Result) throws -> Result {
        try transaction(immediate: false) {
            // A deferred transaction takes its snapshot at the first read.
            _ = try connection.query("SELECT 1 FROM requests LIMIT 1") { _ in 0 }
            return try body()
        }
    }

    public func request(_ id: RequestID) throws -> StoredRequest? {
        try SQLiteBatch.request(id, on: connection)
    }

    public func stateBody(of id: RequestID) throws -> [UInt8]? {
        try connection.firstRow(SQLiteStore.stateBodySQL, [.text(id.rawValue)]) { $0.bytes(0) }
    }

    private static let stateBodySQL = FixedSQL("SELECT body FROM requests WHERE request = ?")

    public func withLookups<Result>(_ body: (any StoreLookups) throws -> Result) throws -> Result {
        try readSnapshot { try body(SQLiteBatch(connection: connection)) }
    }

    /// The events' columns, the detail's opening (schema version 11: `StoredOpenings`) last, from `eventsJoined`.
    static let eventColumns = eventColumns(opening: "o.body")
    /// The events' columns with the opening as the given last column.
    static func eventColumns(opening: String, request: String = "e.request") -> String {
        "e.seq, \(request), e.version, e.action, e.state, e.actor, e.at, e.recorded, e.command, e.data, e.hash, \(opening)"
    }
    static let eventsJoined = "events e LEFT JOIN openings o ON o.id = e.opening"

    /// The events the projection of `request` (an SQL expression) lists (`event_seqs`, schema version 15), as
    /// `event`, each found by its sequence; `\(event)_s.key` is its place in the list. A `FROM` clause: a
    /// request's events in the order they were appended, without an index on the events' request.
    static func listedEvents(of request: String, as event: String) -> String {
        "requests \(event)_l CROSS JOIN json_each('[' || \(event)_l.event_seqs || ']') \(event)_s "
            + "CROSS JOIN events \(event) ON \(event)_l.request = \(request) AND \(event).seq = \(event)_s.value"
    }

    static func eventRow(_ row: SQLiteStatement) -> StoredEvent {
        let envelope = EventEnvelope(request: RequestID(row.text(1)), version: Int(row.int64(2)), action: row.text(3),
                                     state: row.text(4), actor: NIP(row.text(5)), at: Timestamp(milliseconds: row.int64(6)),
                                     recorded: Timestamp(milliseconds: row.int64(7)), command: CommandID(row.text(8)))
        let data = row.isNull(11) ? row.bytes(9) : StoredOpenings.join(row.bytes(9), opening: row.bytes(11))
        return StoredEvent(sequence: row.int64(0), envelope: envelope, data: data, hash: row.bytes(10))
    }

    public func events(of request: RequestID) throws -> [StoredEvent] {
        // In the order its projection lists them (`event_seqs`), each looked up by its sequence, with its own `request`
        // column: one changed to another request's fails its hash in audit (as in `scanEvents`).
        try connection.query("SELECT \(SQLiteStore.eventColumns(opening: "o.body")) FROM \(SQLiteStore.listedEvents(of: "?", as: "e")) LEFT JOIN openings o ON o.id = e.opening ORDER BY e_s.key",
                             [.text(request.rawValue)], row: SQLiteStore.eventRow)
    }

    public func forEachStream(_ visit: (RequestID, [StoredEvent]) throws -> Void) throws {
        let statement = try connection.statement("SELECT \(SQLiteStore.eventColumns) FROM \(SQLiteStore.eventsJoined) ORDER BY e.request, e.version")
        defer { statement.reset() }
        var current: [StoredEvent] = []
        while try statement.step() {
            let row = SQLiteStore.eventRow(statement)
            if let first = current.first, first.request != row.request {
                try visit(first.request, current)
                current.removeAll(keepingCapacity: true)
            }
            current.append(row)
        }
        if let first = current.first { try visit(first.request, current) }
    }

    public func scanEvents(in range: RequestRange, projections: Bool, columns: ScanColumns, _ event: (StoredEventBytes) throws -> Void,
                           end: (StoredRequest?) throws -> Void) throws {
        // `request` compares as bytes (the BINARY collation): the order the scan uses.
        let (condition, bindings) = SQLiteStore.condition(range, column: "r.request")
        // The detail's opening from the openings read once, in the same snapshot, by `opening`, rather
        // than joined row by row (a lookup of the table per event cost about 1,000 instructions;
        // there are few openings against many events), each with where its `by` stands. A fold's
        // scan selects NULL in place of the columns it does not read (the same numbering) and
        // does not ask for them: each column costs SQLite's stepping and a call or two per row.
        let all = columns == .all
        // Each request's events as its projection lists them (`event_seqs`), requests in order, a stream by the list's
        // request. With every column (audit) an event is hashed with its own `request` column (the thirteenth): one
        // whose column was changed fails its hash, and one listed under another request is a version out of place
        // there. A fold reads the list's request alone.
        let selected = all ? SQLiteStore.eventColumns(opening: "e.opening", request: "r.request") + ", e.request"
            : "NULL, r.request, e.version, e.action, e.state, e.actor, e.at, NULL, NULL, e.data, NULL, e.opening"
        let statement = try connection.statement("""
            SELECT \(selected) FROM requests r CROSS JOIN json_each('[' || r.event_seqs || ']') s CROSS JOIN events e ON e.seq = s.value\(condition)
            ORDER BY r.request
            """)
        defer { statement.reset() }
        try statement.bind(bindings)
        // A fold reads each page of its range once, in order, keeping only the B-trees' inner pages and the leaves it
        // is on: it runs with a cache of 1 MiB instead of SQLite's 2,000 KiB, every page of which is memory touched for
        // the first time (at N = 10,000 the replay took 1,807 -> 1,313 page faults for 30 more reads, peak RSS 23.2 ->
        // 19.6 MB). Audit keeps the default: it looks letter parts up again and again (6,789 -> 9,383 reads).
        let cache = columns == .fold ? try connection.query("PRAGMA cache_size") { $0.int64(0) }.first : nil
        if cache != nil { try connection.execute("PRAGMA cache_size = \(SQLiteStore.foldCacheSize)") }
        defer { if let cache { try? connection.execute("PRAGMA cache_size = \(cache)") } }
        let openings = try ScannedOpenings(connection)
        // The projections in the same (binary) order as the events' requests, merged as they go. (Their columns selected
        // with the events' instead cost more: SQLite computes every column of the result for each event's row.)
        let stored = projections ? try connection.statement("SELECT \(SQLiteBatch.requestColumns) FROM requests r\(condition) ORDER BY request") : nil
        defer { stored?.reset() }
        try stored?.bind(bindings)
        // Whether the projections' statement stands on a row not yet matched (`true`), has none left (`nil`), or is to
        // step. A row's request is compared where SQLite holds it, and only the matching row read, into one
        // `StoredRequest` reused from request to request (`SQLiteBatch.read(_:into:)`): its buffers kept.
        var pending: Bool? = false
        var projection = StoredRequest(request: RequestID(""), body: [], head: [],
                                       columns: .init(workflow: WorkflowID(""), state: "", version: 0, updated: Timestamp(milliseconds: 0)))
        var current: [UInt8] = []
        var joined: [UInt8] = []
        var inStream = false
        func finish() throws {
            guard let stored else { return try end(nil) }
            while true {
                if pending == false { pending = try stored.step() ? true : nil }
                guard pending != nil else { return try end(nil) }
                let order = SQLiteStore.order(stored.borrowed(0), current)
                if order > 0 { return try end(nil) }
                pending = false
                if order == 0 {
                    SQLiteBatch.read(stored, into: &projection)
                    return try end(projection)
                }
            }
        }
        while try statement.step() {
            let request = statement.borrowed(1)
            if inStream && (current.count != request.count || (request.count > 0 && memcmp(current, request.baseAddress!, request.count) != 0)) {
                try finish()
                inStream = false
            }
            if !inStream {
                current.removeAll(keepingCapacity: true)
                current.append(contentsOf: request)
                inStream = true
            }
            func visit(data: UnsafeRawBufferPointer, by: Range<Int>? = nil, opening: Int? = nil, body: UnsafeRawBufferPointer? = nil) throws {
                let none = UnsafeRawBufferPointer(start: nil, count: 0)
                try event(StoredEventBytes(sequence: all ? statement.int64(0) : 0, request: all ? statement.borrowed(12) : request, version: Int(statement.int64(2)), action: statement.borrowed(3),
                                           state: statement.borrowed(4), actor: statement.borrowed(5), at: statement.int64(6), recorded: all ? statement.int64(7) : 0,
                                           command: all ? statement.borrowed(8) : none, data: data, hash: all ? statement.borrowed(10) : none, by: by,
                                           opening: opening, openingBody: body))
            }
            // The detail with its opening put back (`StoredOpenings`), in a buffer reused from row to row
            // (the opening first: its `by` stands where it does in the row); an opening that is not stored
            // leaves the detail as stored, as the join does (it fails its hash). A fold is given the rest and
            // the opening's body apart: it puts them together the first time it meets the opening in the scan.
            let rest = statement.borrowed(9)
            if let number = statement.optionalInt64(11), let opening = openings.index(of: number) {
                try openings.rows[opening].body.withUnsafeBytes { body in
                    if !all && Event.Detail.joins(rest: rest, opening: body) {
                        try visit(data: rest, by: openings.rows[opening].by, opening: opening, body: body)
                    } else if let count = Event.Detail.join(rest: rest, opening: body, into: &joined) {
                        try joined.withUnsafeBytes { try visit(data: UnsafeRawBufferPointer(rebasing: $0[..<count]), by: openings.rows[opening].by, opening: opening) }
                    } else {
                        try visit(data: rest)
                    }
                }
            } else {
                try visit(data: rest)
            }
        }
        if inStream { try finish() }
    }

    /// How `bytes` sorts against `other` as SQLite's BINARY collation sorts them (bytes compared unsigned, a
    /// prefix first): -1, 0 or 1.
    private static func order(_ bytes: UnsafeRawBufferPointer, _ other: [UInt8]) -> Int {
        let common = min(bytes.count, other.count)
        let compared = common == 0 ? 0 : other.withUnsafeBytes { memcmp(bytes.baseAddress!, $0.baseAddress!, common) }
        if compared != 0 { return compared < 0 ? -1 : 1 }
        return bytes.count == other.count ? 0 : bytes.count < other.count ? -1 : 1
    }

    /// A fold's page cache (`scanEvents`) as `PRAGMA cache_size` takes it (a negative number: KiB).
    static let foldCacheSize = -1024

    /// ` WHERE request >= ? AND request < ?` for the range's bounds, and their bindings.
    private static func condition(_ range: RequestRange, column: String) -> (String, [SQLiteValue]) {
        var conditions: [String] = []
        var bindings: [SQLiteValue] = []
        if let lower = range.lower {
            conditions.append("\(column) >= ?")
            bindings.append(.text(lower.rawValue))
        }
        if let upper = range.upper {
            conditions.append("\(column) < ?")
            bindings.append(.text(upper.rawValue))
        }
        return (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "), bindings)
    }

    public func requestCount() throws -> Int {
        Int(try connection.query("SELECT count(*) FROM requests") { $0.int64(0) }.first ?? 0)
    }

    public func splitRequests(into parts: Int) throws -> [RequestRange] {
        try splitRequests(into: parts, samples: SQLiteStore.splitSamples)
    }

    /// How many projections `splitRequests` reads a version from, across the whole table.
    static let splitSamples = 256

    /// `splitRequests` weighing each request by the version of one projection in every `samples`-th part of the
    /// table (every request's own when there are no more requests than that).
    func splitRequests(into parts: Int, samples: Int) throws -> [RequestRange] {
        // By events, not requests: a request weighs what its events do when its range is read, as many as its
        // projection's version. The log's events in all are its last sequence (gap-free; `audit` checks it), one step
        // down the events' B-tree. The requests are taken in order through their id's index alone (a few dozen ids a
        // page), not the table: reading each one's version read its 1.4 KB row, about half the table for two parts
        // (1,000 `pread`s of 8 KB at N = 10,000, about 6 ms before the readers could start). They are taken in runs of
        // `stride` (the table's last rowid, as many as its requests since none is deleted, over `samples`): a run's
        // first request's version is read, and each request of the run weighs what it does; SQLite steps over the
        // rest of the run to the next one's first (`OFFSET`), and to the request at a part's start within a run. Exact
        // when every request is read (runs of one), else each part within the sampling's error of its share. A log
        // that is not what its projections say only weighs the parts otherwise: every range is still read whole.
        let count = try connection.query("SELECT coalesce(max(seq), 0) FROM events") { $0.int64(0) }.first ?? 0
        guard parts > 1, count >= Int64(parts) else { return [.all] }
        let rows = try connection.query("SELECT coalesce(max(rowid), 0) FROM requests") { $0.int64(0) }.first ?? 0
        let stride = max(1, rows / Int64(max(1, samples)))
        var bounds: [RequestID] = []
        var before: Int64 = 0
        var part = 1
        // Where each part should start in the log's events, and the weights summed, without trapping on a file whose
        // numbers were changed (a version or rowid far too large): the sums stop at the largest integer.
        func start(_ part: Int) -> Int64 { Int64(parts).dividingFullWidth(count.multipliedFullWidth(by: Int64(part))).quotient }
        func capped(_ result: (partialValue: Int64, overflow: Bool)) -> Int64 { result.overflow ? .max : result.partialValue }
        var run = try connection.firstRow(SQLiteStore.firstRequestSQL, []) { ($0.text(0), $0.int64(1)) }
        while part < parts, let (first, row) = run {
            let events = try connection.firstRow(SQLiteStore.versionByRowSQL, [.integer(row)]) { $0.int64(0) } ?? 0
            let weight = events > 0 ? capped(stride.multipliedReportingOverflow(by: events)) : 0
            // The request holding the event at that place in the log's (request, version) order; the part starts with it,
            // so its events stay in one part (none before the first request). Past the last request, no more parts.
            while part < parts, weight > 0, start(part) < capped(before.addingReportingOverflow(weight)) {
                let offset = max(0, start(part) - before) / events
                guard let bound = try connection.firstRow(SQLiteStore.requestAfterSQL, [.text(first), .integer(offset)], row: { $0.text(0) }) else {
                    part = parts
                    break
                }
                if before > 0 || offset > 0, bounds.last.map({ $0.rawValue != bound }) ?? true { bounds.append(RequestID(bound)) }
                part += 1
            }
            before = capped(before.addingReportingOverflow(weight))
            run = try connection.firstRow(SQLiteStore.requestAfterSQL, [.text(first), .integer(stride)]) { ($0.text(0), $0.int64(1)) }
        }
        var ranges: [RequestRange] = []
        var lower: RequestID?
        for bound in bounds {
            ranges.append(RequestRange(lower: lower, upper: bound))
            lower = bound
        }
        ranges.append(RequestRange(lower: lower, upper: nil))
        return ranges
    }

    static let versionByRowSQL = FixedSQL("SELECT version FROM requests WHERE rowid = ?")
    /// The first request in order, and the one `offset` after a given one, each with its rowid (the id's index alone).
    private static let firstRequestSQL = FixedSQL("SELECT request, rowid FROM requests ORDER BY request LIMIT 1")
    private static let requestAfterSQL = FixedSQL("SELECT request, rowid FROM requests WHERE request >= ? ORDER BY request LIMIT 1 OFFSET ?")

    public func openReader() throws -> (any EventStore)? {
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file::memory:") else { return nil }
        return try SQLiteStore(reading: path)
    }

    /// Another connection to a file this process has open, to read only: nothing is migrated or
    /// set but reading's (the file is in WAL mode already), so opening it writes nothing. Its
    /// reader scans a range of the log (`SnapshotReaders`).
    private init(reading path: String) throws(StoreError) {
        self.path = path
        connection = try SQLiteConnection(path: path, create: false)
        connection.waitForLock(milliseconds: 10_000)
        try connection.setUpForReading(mapBytes: ReadSettings.mapBytes(for: .scans))
    }

    public func snapshotMark() throws -> SnapshotMark {
        try connection.query("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1") { SnapshotMark(sequence: $0.int64(0), hash: $0.bytes(1)) }.first
            ?? SnapshotMark(sequence: 0, hash: [])
    }

    public func forEachRequest(_ visit: (StoredRequest) throws -> Void) throws {
        let statement = try connection.statement("SELECT \(SQLiteBatch.requestColumns) FROM requests ORDER BY request")
        defer { statement.reset() }
        while try statement.step() {
            try visit(SQLiteBatch.storedRequest(statement))
        }
    }

    public func forEachEventHash(through last: Int64?, _ visit: (Int64, UnsafeRawBufferPointer) throws -> Void) throws {
        let statement = try connection.statement("SELECT seq, hash FROM events WHERE seq <= ? ORDER BY seq")
        defer { statement.reset() }
        try statement.bind([.integer(last ?? Int64.max)])
        while try statement.step() {
            try visit(statement.int64(0), statement.borrowed(1))
        }
    }

    public func sequenceSummary() throws -> SequenceSummary {
        try connection.query("SELECT count(*), min(seq), max(seq) FROM events") {
            SequenceSummary(count: $0.int64(0), first: $0.optionalInt64(1), last: $0.optionalInt64(2))
        }[0]
    }

    public func highestSequence() throws -> Int64? {
        try connection.query("SELECT max(seq) FROM events") { $0.optionalInt64(0) }[0]
    }

    public func withLetterPart<Result>(named name: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result? {
        guard name.count == 2 * Digest.byteCount else { return nil }
        // The digest decoded on the stack, the body read where SQLite holds it: from the row the ordered read
        // is on when it is that part's, else by the hash's index (where the ordered read then follows).
        return try withUnsafeTemporaryAllocation(byteCount: Digest.byteCount, alignment: 1) { digest in
            guard Digest.decode(hexDigits: name, into: digest) else { return nil }
            let digest = UnsafeRawBufferPointer(digest)
            if let part = try orderedParts?.part(digest) { return try body(part) }
            return try connection.firstRow(SQLiteStore.letterPartSQL, [.borrowedBlob(digest)]) { row in
                orderedParts?.found(at: row.int64(1))
                return try body(row.borrowed(0))
            }
        }
    }

    static let letterPartSQL = FixedSQL("SELECT body, rowid FROM letter_parts WHERE hash = ?")

    public func readingPartsInOrder<Result>(_ body: () throws -> Result) throws -> Result {
        guard orderedParts == nil else { return try body() }
        orderedParts = try OrderedParts(connection)
        defer {
            orderedParts?.end()
            orderedParts = nil
        }
        return try body()
    }

    public func storedOpenings() throws -> [(hash: String, body: [UInt8])] {
        try connection.query("SELECT hash, body FROM openings ORDER BY id") { (Digest(bytes: $0.bytes(0))?.hex ?? "(not a SHA-256)", $0.bytes(1)) }
    }

    public func commands(_ filter: CommandFilter) throws -> [CommandRecord] {
        // The two halves of the `commands` view, each filtered by the keys of its own tables rather than
        // through the view (whose computed columns and union would be scanned).
        var queued: [String] = []
        var processed: [String] = []
        var bindings: [SQLiteValue] = []
        switch filter.status {
        case .queued?: queued.append("q.seq > \(SQLiteStore.processedThrough)")
        case .done?: queued.append("0")
        case .refused?: queued.append("q.seq IN (SELECT seq FROM command_refusals)")
        case nil: break
        }
        if filter.status == .queued || filter.status == .refused { processed.append("0") }
        if let request = filter.request {
            bindings.append(.text(request.rawValue))
            // `queue` (commands waiting or refused) has no index on request; done ones are found by the log's.
            queued.append("q.request = ?\(bindings.count)")
            processed.append("p.id IN (SELECT e.command FROM \(SQLiteStore.listedEvents(of: "?\(bindings.count)", as: "e"))) AND p.request = ?\(bindings.count)")
        }
        if let id = filter.id {
            bindings.append(.text(id.rawValue))
            queued.append("q.seq = (SELECT seq FROM command_ids WHERE id = ?\(bindings.count))")
            processed.append("p.id = ?\(bindings.count)")
        }
        bindings.append(.integer(Int64(filter.limit)))
        func clause(_ conditions: [String], after where: Bool = false) -> String {
            conditions.isEmpty ? "" : (`where` ? "AND " : "WHERE ") + conditions.joined(separator: " AND ")
        }
        // Each half in its own sequence order, up to the limit (no sort of all commands), then merged.
        func records(_ select: String, _ seq: String) throws(StoreError) -> [CommandRecord] {
            try connection.query("""
                SELECT seq, id, request, workflow, action, actor, at, data, enqueued_at, source, status, processed_at, first_event,
                       refusal_code, refusal_message, refusal_article, refusal_hint
                FROM (\(select) ORDER BY \(seq) LIMIT ?\(bindings.count))
                """, bindings) { (row) throws(StoreError) in
                let queued = SQLiteBatch.queuedCommand(row)
                var refusal: Refusal?
                if let code = row.optionalText(13) {
                    refusal = Refusal(Refusal.Code(rawValue: code), row.text(14), article: row.optionalText(15), hint: row.optionalText(16))
                }
                return CommandRecord(sequence: queued.sequence, command: queued.command, status: CommandStatus(rawValue: row.text(10)) ?? .queued,
                                     enqueuedAt: queued.enqueuedAt, processedAt: row.optionalInt64(11).map(Timestamp.init),
                                     refusal: refusal, firstEvent: row.optionalInt64(12), source: row.text(9))
            }
        }
        let waiting = try records("\(SQLiteStore.waitingCommandsSelect) \(clause(queued, after: true))", "q.seq")
        let done = try records("\(SQLiteStore.processedCommandsSelect) \(clause(processed, after: true))", "p.seq")
        return Array((waiting + done).sorted { $0.sequence < $1.sequence }.prefix(filter.limit))
    }

    public func queueSummary() throws -> QueueSummary {
        let through = SQLiteStore.processedThrough
        let (all, queued, refused) = try connection.query("""
            SELECT (SELECT count(*) FROM command_ids), (SELECT count(*) FROM queue WHERE seq > \(through)),
                (SELECT count(*) FROM command_refusals)
            """) { (Int($0.int64(0)), Int($0.int64(1)), Int($0.int64(2))) }[0]
        var summary = QueueSummary(queued: queued, done: all - queued - refused, refused: refused, oldestQueued: nil)
        summary.oldestQueued = try connection.query("SELECT min(enqueued_at) FROM queue WHERE seq > \(through)") {
            $0.optionalInt64(0).map(Timestamp.init)
        }.first ?? nil
        summary.lastProcessed = try connection.query(SQLiteStore.lastProcessed()) { SQLiteStore.latest($0).map(Timestamp.init) }.first ?? nil
        return summary
    }
}

/// What a connection stored once by its canonical JSON and saw committed, with what names it:
/// the letter parts (`LetterPartCache`, their hashes) and the openings (`OpeningCache`, their row ids).
/// A letter's frame recurs in every letter an office issues at a step, the request's part in each
/// of its letters, and an official's `by` in each of their steps, so most need neither a SHA-256
/// nor an insert again. Both tables are append-only, so a row committed stays; those of a
/// transaction count only once it commits, and all are forgotten when the file's schema changes.
final class StoredOnceCache<Value> {
    private var committed: [BytesKey: Value] = [:]
    private var pending: [BytesKey: Value] = [:]
    private var schema: Int64?

    func check(schema current: Int64) {
        if schema != current { committed.removeAll() }
        schema = current
    }
    /// At most this many are kept; beyond, the cache is emptied and refilled.
    static var limit: Int { 4_096 }

    /// What `body` was stored with; else `store` stores it (in the transaction under way) and
    /// what it gives is remembered, counted once the transaction commits.
    func value<E: Error>(of body: [UInt8], storing store: () throws(E) -> Value) throws(E) -> Value {
        try value(of: BytesKey(body), storing: store)
    }

    /// `value(of:storing:)` by a key made before (its bytes hashed once, wherever it was made).
    func value<E: Error>(of key: BytesKey, storing store: () throws(E) -> Value) throws(E) -> Value {
        if let known = known(key) { return known }
        let value = try store()
        pending[key] = value
        return value
    }

    /// What the bytes `key` holds were stored with, if they were (in the transaction under way or committed).
    func known(_ key: BytesKey) -> Value? { committed[key] ?? pending[key] }

    func commit() {
        // Most commits of a command store nothing new here: no merge to start, no table to clear.
        guard !pending.isEmpty else { return }
        if committed.count + pending.count > Self.limit { committed.removeAll(keepingCapacity: true) }
        committed.merge(pending) { _, new in new }
        pending.removeAll(keepingCapacity: true)
    }

    func rollback() { if !pending.isEmpty { pending.removeAll(keepingCapacity: true) } }
}

/// Canonical JSON as a dictionary key, hashed once when it is made, every byte (a part's tree,
/// string by string and member by member, cost more than the SHA-256 it saves: measured). A
/// lookup compares the key with every entry its probe passes, so keys whose hashes differ are
/// told apart by the hash kept, without comparing their bytes. Sampling a few words of the
/// bytes instead made W1's request parts, which differ only in a number near their start
/// ("kegiatan 1195"), equal in hash by the hundred: ten comparisons of 640 bytes a lookup.
struct BytesKey: Hashable, Sendable {
    let bytes: [UInt8]
    private let digest: UInt64

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        digest = BytesKey.digest(bytes)
    }

    static func == (left: BytesKey, right: BytesKey) -> Bool { left.digest == right.digest && left.bytes.sameBytes(as: right.bytes) }

    func hash(into hasher: inout Hasher) { hasher.combine(digest) }

    /// Every byte, eight at a time, each step a bijection of the digest (bytes that differ in one
    /// word always differ in digest); `Hasher` mixes the result. About half an instruction a byte,
    /// against SipHash's two or three.
    private static func digest(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { raw in
            let prime: UInt64 = 0x0000_0100_0000_01B3
            var digest = UInt64(raw.count) &* 0x9E37_79B9_7F4A_7C15
            var offset = 0
            while offset + 8 <= raw.count {
                digest = (digest ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* prime
                offset += 8
            }
            while offset < raw.count {
                digest = (digest ^ UInt64(raw[offset])) &* prime
                offset += 1
            }
            return digest
        }
    }
}

/// The letter parts stored, by their canonical JSON, with their hashes (hex).
typealias LetterPartCache = StoredOnceCache<String>
/// The openings stored (`StoredOpenings`), by their bytes, with their row ids.
typealias OpeningCache = StoredOnceCache<Int64>

/// The timers of stored states (`StateTimer`: whether the state has one, the end of its period)
/// during a migration, from the definitions in the file, each parsed once.
private final class StateTimers {
    let path: String
    private let bodies: [DefinitionHash: String]
    private var parsed: [DefinitionHash: WorkflowDefinition] = [:]

    init(store: SQLiteStore) throws(StoreError) {
        path = store.path
        bodies = Dictionary(try store.connection.query("SELECT hash, body FROM definitions") { (DefinitionHash($0.text(0)), $0.text(1)) },
                            uniquingKeysWith: { first, _ in first })
    }

    func of(_ state: RequestState) throws(StoreError) -> StateTimer {
        let hash = state.definition
        if let known = parsed[hash] { return StateTimer.of(state, in: known) }
        // A state without a period (no field with an `end` date) does not end, and one pinned to a definition the
        // file lacks has no timer the daemon could run, whatever its definition says.
        let period = state.fields.values.contains { PeriodEnd.of(period: $0) != nil }
        guard bodies[hash] != nil else {
            guard period else { return .none }
            throw StoreError(.corrupt, "\(path): request \(state.request) is pinned to definition \(hash.short), which is not in the file: the end of its period (`ends`, schema version 9) cannot be derived")
        }
        do {
            return StateTimer.of(state, in: try definition(hash)!)
        } catch {
            guard period else { return .none }
            throw StoreError(.corrupt, "\(path): definition \(hash.short), which request \(state.request) is pinned to, cannot be read (\(error)): the end of its period cannot be derived")
        }
    }

    /// The states with a timer in any definition of the file that reads.
    func timedStates() -> Set<String> {
        var states = Set<String>()
        for hash in bodies.keys {
            if let definition = try? definition(hash) { states.formUnion(StateTimer.states(in: definition)) }
        }
        return states
    }

    /// The definition stored under `hash`, parsed once (`nil` when the file has none).
    private func definition(_ hash: DefinitionHash) throws -> WorkflowDefinition? {
        if let known = parsed[hash] { return known }
        guard let body = bodies[hash] else { return nil }
        let definition = try WorkflowDefinition.stored(body, hash: hash)
        parsed[hash] = definition
        return definition
    }
}

/// The done commands a connection's batches left in `queue` (schema version 12): a batch records its
/// outcomes without deleting its done commands, which `recordOutcomes` deletes together once
/// `every` are done, and when the queue is empty. A commit of a batch of one then writes the
/// queue's page once in `every`, not every time. Until deleted they are not claimed again (they
/// are at or before what is processed, `SQLiteStore.processedThrough`) and are listed from `command_ids`.
final class DoneLeft {
    /// The done commands up to this sequence are gone from `queue`: `nil` until this connection
    /// has deleted them once (then from the first), and after a transaction that failed.
    var deletedThrough: Int64?
    /// Done commands recorded since.
    var count = 0
    /// Done commands deleted together: two or three of `queue`'s 8 KB leaves with W1's commands.
    static let every = 64

    func forget() {
        deletedThrough = nil
        count = 0
    }
}

/// The write side of one daemon transaction on SQLite.
struct SQLiteBatch: StoreBatch {
    let connection: SQLiteConnection
    var parts = LetterPartCache()
    var openings = OpeningCache()
    var doneLeft = DoneLeft()
    /// The sequences `claimQueued` handed out in this transaction, oldest first: what
    /// `recordOutcomes` checks its outcomes against without a query.
    let claimed = Claimed()
    /// The last event sequence, once known: from the store's last batch, a query, or the last append.
    var last = LastSequence(sequence: nil)
    /// The events appended whose request's projection is not written yet (`saveRequest` lists them).
    let listed = Listed()
    /// `StoreBatch.commitAndContinue`, given by `SQLiteStore.withBatch` (it commits the store's caches too).
    var commitHook: (_ committed: () -> Void) throws -> Bool = { _ in throw StoreError(.other, "this batch cannot commit part of itself") }

    func commitAndContinue(committed: () -> Void) throws -> Bool { try commitHook(committed) }

    final class Claimed {
        var sequences: [Int64] = []
        /// How many of `sequences` have their outcomes recorded: the first, counted, not removed (each removal moved
        /// the rest of the claim, up to a batch's sequences, at every commit of one command).
        var recorded = 0
        /// How many are claimed without an outcome yet.
        var left: Int { sequences.count - recorded }
    }

    /// By request, the events this transaction appended since its projection was last written: their first and
    /// last versions, and their sequences as `event_seqs` lists them (decimal, comma-separated). The last
    /// request's are kept apart (`run`): a command's events are appended, then its projection written, so the
    /// others (a timer sweep's, whose projections are written after all its events) are rarely hashed.
    final class Listed {
        struct Pending {
            let request: RequestID
            let first: Int
            var last: Int
            var sequences: String
        }

        private var run: Pending?
        private var others: [RequestID: Pending] = [:]

        /// The request's events appended since its projection was written, taken out.
        func take(_ request: RequestID) -> Pending? {
            if let run, run.request == request {
                self.run = nil
                return run
            }
            return others.isEmpty ? nil : others.removeValue(forKey: request)
        }

        func put(_ pending: Pending) {
            if let run { others[run.request] = run }
            run = pending
        }

        /// Every request's, taken out.
        func takeAll() -> [Pending] {
            // At each commit, and almost always none (a command's projection takes its events' list): no arrays made.
            if run == nil && others.isEmpty { return [] }
            defer { (run, others) = (nil, [:]) }
            return (run.map { [$0] } ?? []) + others.values.sorted { $0.request.rawValue < $1.request.rawValue }
        }
    }

    final class LastSequence {
        var sequence: Int64?
        /// What the queue is processed through (`SQLiteStore.processedThrough`), once known.
        var processed: Int64?
        /// The command (id and request) of the last event this transaction appended.
        var appended: (command: CommandID, request: RequestID)?
        /// The first event appended since what is processed was last settled (a row written, or derived from
        /// the log's last event), if any: `settle` writes a row for it and those after it.
        var unsettledFrom: Int64?
        init(sequence: Int64?, processed: Int64? = nil) {
            self.sequence = sequence
            self.processed = processed
        }
    }

    static let requestColumns = "request, body, head, workflow, state, version, updated, ends, timed"

    /// A `requests` row selected with `requestColumns`.
    /// (A new one made from the row: read into an empty one, `read(_:into:)`, each buffer was grown by appending.)
    static func storedRequest(_ row: SQLiteStatement) -> StoredRequest {
        StoredRequest(request: RequestID(row.text(0)), body: row.bytes(1), head: row.bytes(2),
                      columns: .init(workflow: WorkflowID(row.text(3)), state: row.text(4), version: Int(row.int64(5)),
                                     updated: Timestamp(milliseconds: row.int64(6)), ends: row.optionalText(7).flatMap(CivilDate.init(iso:)),
                                     timed: row.int64(8) != 0))
    }

    /// `storedRequest` read into `stored` in place: the body's and head's buffers reused, the
    /// workflow and state kept when the row holds the same bytes. What audit's scan reads each
    /// request's projection with: nothing allocated for it once the buffers have grown, where a
    /// new `StoredRequest` a request cost four allocations and a fresh 1 KB body.
    static func read(_ row: SQLiteStatement, into stored: inout StoredRequest) {
        func replace(_ bytes: inout [UInt8], with column: Int32) {
            let source = row.borrowed(column)
            bytes.removeAll(keepingCapacity: true)
            bytes.append(contentsOf: source.assumingMemoryBound(to: UInt8.self))
        }
        /// Whether `text` is the column's text, compared where both stand.
        func holds(_ text: String, _ column: Int32) -> Bool {
            let bytes = row.borrowed(column)
            guard text.utf8.count == bytes.count else { return false }
            return bytes.isEmpty || text.utf8.withContiguousStorageIfAvailable { memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 } == true
        }
        stored.request = RequestID(row.text(0))
        replace(&stored.body, with: 1)
        replace(&stored.head, with: 2)
        if !holds(stored.columns.workflow.rawValue, 3) { stored.columns.workflow = WorkflowID(row.text(3)) }
        if !holds(stored.columns.state, 4) { stored.columns.state = row.text(4) }
        stored.columns.version = Int(row.int64(5))
        stored.columns.updated = Timestamp(milliseconds: row.int64(6))
        stored.columns.ends = row.optionalText(7).flatMap(CivilDate.init(iso:))
        stored.columns.timed = row.int64(8) != 0
    }

    static func queuedCommand(_ row: SQLiteStatement) -> QueuedCommand {
        var damage: String?
        var data: [String: JSONValue] = [:]
        do {
            if let object = try JSONValue.parse(row.bytes(7)).objectValue { data = object } else { damage = "data is not an object" }
        } catch {
            damage = "data is not readable JSON (\(error))"
        }
        let command = Command(id: CommandID(row.text(1)), request: RequestID(row.text(2)), workflow: row.optionalText(3).map(WorkflowID.init),
                              action: row.text(4), actor: NIP(row.text(5)), at: row.optionalInt64(6).map(Timestamp.init), data: data)
        return QueuedCommand(sequence: row.int64(0), command: command, enqueuedAt: Timestamp(milliseconds: row.int64(8)), damage: damage)
    }

    // Built once: SQL interpolated at each call is a new string to build, hash and compare each batch.
    private static let claimSQL = FixedSQL("""
        SELECT seq, id, request, workflow, action, actor, at, data, enqueued_at
        FROM queue WHERE seq > ? ORDER BY seq LIMIT ?
        """)

    func claimQueued(limit: Int) throws -> [QueuedCommand] {
        let commands = try connection.query(SQLiteBatch.claimSQL, [.integer(try processedThrough()), .integer(Int64(limit))]) { SQLiteBatch.queuedCommand($0) }
        // The longest claim stands: a claim again in the same transaction hands out the same oldest commands.
        if commands.count > claimed.left { claimed.sequences = commands.map(\.sequence); claimed.recorded = 0 }
        return commands
    }

    func request(_ id: RequestID) throws -> StoredRequest? {
        try SQLiteBatch.request(id, on: connection)
    }

    static func request(_ id: RequestID, on connection: SQLiteConnection) throws -> StoredRequest? {
        try connection.firstRow(requestSQL, [.text(id.rawValue)]) { storedRequest($0) }
    }

    static let requestSQL = FixedSQL("SELECT \(requestColumns) FROM requests WHERE request = ?")

    func stateAndHead(of id: RequestID) throws -> (body: [UInt8], head: [UInt8], row: Int64?)? {
        try connection.firstRow(SQLiteBatch.stateAndHeadSQL, [.text(id.rawValue)]) { ($0.bytes(0), $0.bytes(1), $0.int64(2)) }
    }

    /// Two columns of the row, and its rowid (which the request's index holds): the other seven, each a value made from
    /// its column (two `String`s, a date parsed), are not read.
    static let stateAndHeadSQL = FixedSQL("SELECT body, head, rowid FROM requests WHERE request = ?")

    func requests(inStates states: [String]) throws -> [StoredRequest] {
        try states.flatMap { state in
            // `timed = 1`, the condition of `requests_timed`, so that the look reads that index.
            try connection.query("SELECT \(SQLiteBatch.requestColumns) FROM requests WHERE state = ? AND timed = 1 ORDER BY request", [.text(state)]) {
                SQLiteBatch.storedRequest($0)
            }
        }
    }

    func requests(inState state: String, endingBefore date: CivilDate) throws -> [StoredRequest] {
        // ISO dates compare as text: a range of `requests_timed` (NULL is never `<`).
        try connection.query("""
            SELECT \(SQLiteBatch.requestColumns) FROM requests
            WHERE state = ? AND timed = 1 AND ends < ? ORDER BY request
            """, [.text(state), .text(date.description)]) { SQLiteBatch.storedRequest($0) }
    }

    func chain(_ event: Event, after previous: Digest, letter encoded: LetterParts.Encoded?) -> ChainedEvent {
        // Each part named by this connection's cache of those stored: one look-up by its bytes.
        ChainedEvent(event, previous: previous, letter: encoded) { [parts] body in
            let key = BytesKey(body)
            if let hex = parts.known(key) { return (hex, nil) }
            let part = LetterPartNames.Name(key)
            return (part.hex, part)
        }
    }

    func append(_ event: ChainedEvent) throws -> Int64 {
        for part in event.parts {
            _ = try parts.value(of: part.key) { () throws(StoreError) in
                try connection.run(SQLiteBatch.partSQL, [.blob(part.hash.bytes), .utf8(part.key.bytes)])
                return part.hex
            }
        }
        let envelope = event.envelope
        var pending = listed.take(envelope.request)
        // A version this transaction appended already; one the stored projection has is refused by `saveRequest`.
        if let known = pending, envelope.version <= known.last {
            listed.put(known)
            throw SQLiteBatch.versionTaken(envelope.request, envelope.version)
        }
        let openingID = event.opening.isEmpty ? nil : try openings.value(of: event.opening) { () throws(StoreError) in
            try StoredOpenings.id(of: event.opening, in: connection)
        }
        try connection.run(SQLiteBatch.appendSQL, [.text(envelope.request.rawValue), .integer(Int64(envelope.version)), .text(envelope.action),
                  .text(envelope.state), .text(envelope.actor.rawValue), .integer(envelope.at.milliseconds), .integer(envelope.recorded.milliseconds),
                  .text(envelope.command.rawValue), .utf8(event.rest), .blob(event.hash.bytes), .optional(openingID)])
        let sequence = connection.lastInsertRowID
        if pending == nil {
            pending = Listed.Pending(request: envelope.request, first: envelope.version, last: envelope.version, sequences: String(sequence))
        } else {
            pending!.last = envelope.version
            pending!.sequences += "," + String(sequence)
        }
        listed.put(pending!)
        last.sequence = sequence
        last.appended = (envelope.command, envelope.request)
        if last.unsettledFrom == nil { last.unsettledFrom = sequence }
        return sequence
    }

    private static let appendSQL = FixedSQL("""
        INSERT INTO events (request, version, action, state, actor, at, recorded, command, data, hash, opening)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)
    private static let partSQL = FixedSQL("INSERT OR IGNORE INTO letter_parts (hash, body) VALUES (?, ?)")

    /// Writes the projection with the events appended for it since (`listed`), added to its `event_seqs` in the same
    /// statement. The stored projection must be older than the first of them: otherwise their version is taken (the
    /// row is left as it was, and the batch rolls back on the error).
    ///
    /// A command's events name the row they need: from version 1 a request that has none (a plain insert), after it
    /// one whose projection is older than the first (a plain update of that row), each without the upsert's other path
    /// (an insert that fails on the key before the update, or an update's look before the insert). Any other case
    /// (the plain statement changed no row, or no events were appended) is the upsert's, which decides as before.
    ///
    /// A plain update goes to the row by its rowid when `row` names it (`updateRowSQL`: the table's B-tree alone, not
    /// the request's index first), and only if that row holds the request: a rowid another writer's changes made
    /// stale changes nothing, and the update by request decides as before.
    func saveRequest(_ state: RequestState, body: UnsafeRawBufferPointer, head: Digest, timer: StateTimer, row: Int64?) throws -> Int64? {
        let appended = listed.take(state.request)
        var values: [SQLiteValue] = [.text(state.request.rawValue), .text(state.workflow.rawValue), .text(state.state), .integer(Int64(state.version)),
                                     .integer(state.updated.milliseconds), .blob(head.bytes), .borrowedUTF8(body), .optional(timer.ends?.description),
                                     .integer(timer.timed ? 1 : 0), .text(appended?.sequences ?? ""), .integer(Int64(appended?.first ?? 0)),
                                     .integer(row ?? 0)]
        if let appended {
            if appended.first == 1 {
                try connection.run(SQLiteBatch.insertRequestSQL, Array(values[..<10]))
                if connection.changes == 1 { return connection.lastInsertRowID }
            } else if let row {
                try connection.run(SQLiteBatch.updateRowSQL, values)
                if connection.changes == 1 { return row }
            }
        }
        values.removeLast()
        if let appended, appended.first != 1 {
            try connection.run(SQLiteBatch.updateRequestSQL, values)
            if connection.changes == 1 { return nil }
        }
        try connection.run(SQLiteBatch.saveRequestSQL, values)
        if let appended, connection.changes == 0 { throw SQLiteBatch.versionTaken(state.request, appended.first) }
        return nil
    }

    static func versionTaken(_ request: RequestID, _ version: Int) -> StoreError {
        StoreError(.versionConflict, "request \(request) already has an event with version \(version)")
    }

    /// The projection inserted, or its row updated when older than the first event appended (`?11`; any with none).
    static let saveRequestSQL = FixedSQL("""
        \(insertRequest)
        ON CONFLICT (request) DO UPDATE SET workflow = excluded.workflow, state = excluded.state, version = excluded.version,
            updated = excluded.updated, head = excluded.head, body = excluded.body, ends = excluded.ends, timed = excluded.timed,
            event_seqs = trim(requests.event_seqs || ',' || excluded.event_seqs, ',')
        WHERE ?11 = 0 OR requests.version < ?11
        """)
    /// A request's first projection (`saveRequest`): nothing when the request has one.
    private static let insertRequestSQL = FixedSQL("""
        \(insertRequest)
        ON CONFLICT (request) DO NOTHING
        """)
    private static let insertRequest = """
        INSERT INTO requests (request, workflow, state, version, updated, head, body, ends, timed, event_seqs) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
        """
    /// A stored projection older than the first event appended (`saveRequest`), its list extended as the upsert's `trim`
    /// would: a list that starts with a digit (`>= '0'`: not empty, no leading comma) and the appended sequences (digits
    /// at both ends) joined by one comma are what `trim` leaves. Any other list is left to the upsert.
    static let updateRequestSQL = FixedSQL("\(updateRequest) request = ?1 AND \(updateCondition)")
    /// `updateRequestSQL` at the row `?12` (the rowid), if it holds the request.
    static let updateRowSQL = FixedSQL("\(updateRequest) rowid = ?12 AND request = ?1 AND \(updateCondition)")
    private static let updateRequest = """
        UPDATE requests SET workflow = ?2, state = ?3, version = ?4, updated = ?5, head = ?6, body = ?7, ends = ?8, timed = ?9,
            event_seqs = event_seqs || ',' || ?10
        WHERE
        """
    private static let updateCondition = "version < ?11 AND event_seqs >= '0'"

    /// At the end of the transaction: events appended without their projection written after (none that lintas
    /// appends) are added to the stored projection's list, if there is one; audit reports an event no list names.
    func listUnsaved() throws {
        for appended in listed.takeAll() {
            try connection.run(SQLiteBatch.listUnsavedSQL, [.text(appended.sequences), .text(appended.request.rawValue)])
        }
    }

    private static let listUnsavedSQL = FixedSQL("UPDATE requests SET event_seqs = trim(event_seqs || ',' || ?, ',') WHERE request = ?")

    func recordOutcomes(_ outcomes: [QueuedOutcome], now: Timestamp) throws {
        guard !outcomes.isEmpty else {
            // Nothing queued: the done commands left in `queue` go (all of them, from a connection that has not deleted any yet).
            if doneLeft.count > 0 || doneLeft.deletedThrough == nil {
                try deleteDone(through: try processedThrough())
            }
            return
        }
        // Done is implicit (processed, not refused), so the outcomes must be those of every command the batch
        // reaches: the oldest this transaction claimed, each once (what `claimQueued` handed out is the oldest queued).
        // Outcomes in order (one committed alone, a batch's as decided) are taken as they stand: no array made, no
        // command copied. Each member read where it stands, by index.
        let ordered = outcomes.indices.dropFirst().allSatisfy { outcomes[$0 - 1].command.sequence < outcomes[$0].command.sequence }
        let sorted = ordered ? outcomes : outcomes.sorted { $0.command.sequence < $1.command.sequence }
        let first = claimed.recorded
        guard sorted.count <= claimed.left, sorted.indices.allSatisfy({ sorted[$0].command.sequence == claimed.sequences[first + $0] }) else {
            throw StoreError(.other, "outcomes must be recorded for the oldest queued commands this transaction claimed, each once: \(outcomes.count) given up to #\(sorted[sorted.count - 1].command.sequence), \(claimed.left) claimed")
        }
        var refused = 0
        for index in sorted.indices {
            guard case .refused(let refusal) = sorted[index].outcome else { continue }
            refused += 1
            try connection.run(SQLiteBatch.refusalSQL,
                               [.integer(sorted[index].command.sequence), .text(refusal.code.rawValue), .text(refusal.message),
                                .optional(refusal.article), .optional(refusal.hint)])
        }
        let lastIndex = sorted.count - 1
        let through = sorted[lastIndex].command.sequence
        // A batch of done commands whose last one's event is the log's last is processed through it without a row
        // (`SQLiteStore.processedThrough`), and each done command when its first event was recorded: at batch size 1
        // the commit leaves `queue_batches`' page alone. A refusal's time is its batch's row.
        let derived = refused == 0 && !sorted[lastIndex].command.command.id.isTimerShaped
            && last.appended.map { $0.command == sorted[lastIndex].command.command.id && $0.request == sorted[lastIndex].command.command.request } == true
        if !derived {
            try connection.run(SQLiteBatch.batchSQL, [.integer(through), .integer(now.milliseconds), .integer(try lastEventSequence())])
        }
        last.processed = through
        last.unsettledFrom = nil
        claimed.recorded += sorted.count
        // The done commands stay in `queue` (its `commands` view and `commands(_:)` list them from `command_ids`)
        // until enough are done to delete together: a commit of a batch of one then leaves the queue's page alone.
        doneLeft.count += sorted.count - refused
        if doneLeft.count >= DoneLeft.every { try deleteDone(through: through) }
    }

    /// Deletes the done commands left in `queue` up to `through` (refused ones stay): one range of rowids
    /// from where this connection last deleted, the refusals in it left out.
    private func deleteDone(through: Int64) throws {
        try connection.run(SQLiteBatch.deleteDoneSQL, [.integer(doneLeft.deletedThrough ?? 0), .integer(through)])
        doneLeft.deletedThrough = through
        doneLeft.count = 0
    }

    private static let deleteDoneSQL = FixedSQL("""
        DELETE FROM queue WHERE seq > ?1 AND seq <= ?2 AND seq NOT IN (SELECT seq FROM command_refusals WHERE seq > ?1 AND seq <= ?2)
        """)
    private static let processedThroughSQL = FixedSQL("SELECT \(SQLiteStore.processedThrough)")

    /// What the queue is processed through: as this connection's last batch left it while no other committed since.
    private func processedThrough() throws -> Int64 {
        if let known = last.processed { return known }
        let through = try connection.query(SQLiteBatch.processedThroughSQL) { $0.int64(0) }[0]
        last.processed = through
        return through
    }
    private static let refusalSQL = FixedSQL("INSERT INTO command_refusals (seq, code, message, article, hint) VALUES (?, ?, ?, ?, ?)")
    private static let batchSQL = FixedSQL("INSERT INTO queue_batches (through, processed_at, after_event) VALUES (?, ?, ?)")

    /// At the end of the transaction: events appended after what is processed was last settled (a timer sweep's, a
    /// batch's after its outcomes) get a `queue_batches` row recording the log's last event, what is processed as it
    /// was before them, and when, so that `SQLiteStore.lastCommandEvent` never walks back over them. A timer sweep is
    /// rare next to commands; a batch of commands settles in `recordOutcomes`.
    func settle() throws {
        guard let from = last.unsettledFrom, let end = last.sequence else { return }
        let (through, at) = try connection.query(SQLiteBatch.settledSQL, [.integer(from)]) { row in
            (row.optionalInt64(2) ?? 0, SQLiteStore.latest(row) ?? 0)
        }[0]
        try connection.run(SQLiteBatch.settleSQL, [.integer(through), .integer(at), .integer(end)])
        last.unsettledFrom = nil
    }

    private static let settledSQL = FixedSQL("""
        \(SQLiteStore.lastProcessed(before: "?1")),
            (SELECT max((SELECT coalesce(max(through), 0) FROM queue_batches), coalesce((\(SQLiteStore.lastCommandEvent("c.seq", before: "?1"))), 0)))
        """)
    /// A row at an existing `through` (the last, a refusal's) keeps its time.
    private static let settleSQL = FixedSQL("""
        INSERT INTO queue_batches (through, processed_at, after_event) VALUES (?1, ?2, ?3)
        ON CONFLICT (through) DO UPDATE SET after_event = excluded.after_event
        """)

    func requests(workflow: WorkflowID, quotaUnit unit: UnitID, states: [String]) throws -> [RequestID] {
        guard !states.isEmpty else { return [] }
        let placeholders = Array(repeating: "?", count: states.count).joined(separator: ", ")
        return try connection.query("""
            SELECT request FROM requests
            WHERE workflow = ? AND state IN (\(placeholders)) AND json_extract(body, '$.fields.\(RuleSpec.quotaField)') = ?
            """, [.text(workflow.rawValue)] + states.map { .text($0) } + [.text(unit.rawValue)]) { RequestID($0.text(0)) }
    }

    /// The register's `last`, or, while it is open, the highest sequence of its letters recorded in `letter_numbers` if
    /// higher: every drawn number is recorded there in the commit that draws it, so none is drawn twice or skipped
    /// after a batch that stopped before closing its registers (a crash, another writer's commit).
    func letterSequence(register: String) throws -> Int {
        let values: [SQLiteValue] = [.text(register)]
        let row = try connection.firstRow(SQLiteBatch.registerSQL, values) { ($0.int64(0), $0.int64(1) != 0) }
        guard let (last, open) = row else { return 0 }
        guard open else { return Int(last) }
        let drawn = try connection.firstRow(SQLiteBatch.registerLettersSQL, values) { $0.int64(0) } ?? 0
        return Int(max(last, drawn))
    }

    func letter(numbered number: String) throws -> NumberedLetter? {
        // The label is the carrying letter's, from its event (the first of its request that carries the number).
        try connection.query(SQLiteBatch.numberSQL, [.text(number)]) {
            NumberedLetter(id: $0.text(0), request: RequestID($0.text(1)), label: $0.optionalText(2) ?? "letter")
        }.first
    }

    private static let registerSQL = FixedSQL("SELECT last, open FROM letter_registers WHERE register = ?")
    /// The highest sequence among the letter ids `register/sequence` (a scan: `letter_numbers` is keyed by number).
    private static let registerLettersSQL = FixedSQL("""
        SELECT coalesce(max(CAST(substr(letter, length(?1) + 2) AS INTEGER)), 0) FROM letter_numbers
        WHERE substr(letter, 1, length(?1) + 1) = ?1 || '/' AND substr(letter, length(?1) + 2) NOT GLOB '*[^0-9]*'
        """)
    private static let numberSQL = FixedSQL("""
        SELECT n.letter, n.request, (SELECT json_extract(e.data, '$.letter.label') FROM \(SQLiteStore.listedEvents(of: "n.request", as: "e"))
                                     WHERE json_extract(e.data, '$.letter.number') = n.number ORDER BY e.version LIMIT 1)
        FROM letter_numbers n WHERE n.number = ?
        """)

    func recordLetterNumber(_ number: String, of letter: NumberedLetter) throws {
        try connection.run(SQLiteBatch.recordNumberSQL,
                           [.text(number), .text(letter.id), .text(letter.request.rawValue)])
    }

    func lastEventSequence() throws -> Int64 {
        if let known = last.sequence { return known }
        // max() of the rowid is one step down the B-tree, not a scan.
        let sequence = try connection.query("SELECT max(seq) FROM events") { $0.optionalInt64(0) ?? 0 }.first ?? 0
        last.sequence = sequence
        return sequence
    }

    /// The register's row updated where it is, as all but a register's first number find it, and inserted only when
    /// the update changed none: the upsert's insert, failing on the key, looked for it first every time.
    func setLetterSequence(register: String, to sequence: Int, open: Bool) throws {
        let values: [SQLiteValue] = [.text(register), .integer(Int64(sequence)), .integer(open ? 1 : 0)]
        try connection.run(SQLiteBatch.updateRegisterSQL, values)
        if connection.changes == 0 { try connection.run(SQLiteBatch.setRegisterSQL, values) }
    }

    private static let recordNumberSQL = FixedSQL("INSERT INTO letter_numbers (number, letter, request) VALUES (?, ?, ?)")
    /// A register's first number (`setLetterSequence`), or the register's last set.
    static let setRegisterSQL = FixedSQL("""
        INSERT INTO letter_registers (register, last, open) VALUES (?, ?, ?)
        ON CONFLICT (register) DO UPDATE SET last = excluded.last, open = excluded.open
        """)
    private static let updateRegisterSQL = FixedSQL("UPDATE letter_registers SET last = ?2, open = ?3 WHERE register = ?1")
}
