import CSQLite
import Foundation

/// The machine's limits, measured through SQLite's C API in the same run (`workload.md`):
/// what lintas's figures are fractions of.
enum Limits {
    /// The events table as lintas declares it, so that the raw rows have the same shape: since schema version 15
    /// without the `(request, version)` index (before it the bulk insert wrote that index too, a lower limit).
    static let eventsTable = """
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY, request TEXT NOT NULL, version INTEGER NOT NULL, action TEXT NOT NULL,
            state TEXT NOT NULL, actor TEXT NOT NULL, at INTEGER NOT NULL, recorded INTEGER NOT NULL,
            command TEXT NOT NULL, data TEXT NOT NULL, hash BLOB NOT NULL)
        """

    /// Rows per second for `rows` event-shaped rows (round-robin over requests, `dataBytes` of
    /// data each) inserted in one transaction; and the file's bytes per row afterwards.
    static func bulkInsert(path: String, rows: Int, requests: Int, dataBytes: Int) -> (rowsPerSecond: Double, bytesPerRow: Double) {
        let db = open(path)
        defer { sqlite3_close_v2(db) }
        exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; " + eventsTable)
        let insert = prepare(db, "INSERT INTO events (request, version, action, state, actor, at, recorded, command, data, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        defer { sqlite3_finalize(insert) }
        let data = [UInt8](repeating: UInt8(ascii: "x"), count: dataBytes)
        let hash = [UInt8](repeating: 7, count: 32)
        let requestIDs = (0..<requests).map { "PML-W1-\($0)" }
        let clock = Stopwatch()
        exec(db, "BEGIN IMMEDIATE")
        for row in 0..<rows {
            let request = row % requests, version = row / requests + 1
            bindText(insert, 1, requestIDs[request])
            sqlite3_bind_int64(insert, 2, Int64(version))
            bindText(insert, 3, "recommend")
            bindText(insert, 4, "recommended")
            bindText(insert, 5, "197502142000031005")
            sqlite3_bind_int64(insert, 6, 1_741_000_000_000 + Int64(row))
            sqlite3_bind_int64(insert, 7, 1_741_000_000_000 + Int64(row))
            bindText(insert, 8, requestIDs[request] + "-\(version)")
            data.withUnsafeBytes { _ = lintas_sqlite3_bind_text_transient(insert, 9, $0.baseAddress!.assumingMemoryBound(to: CChar.self), Int32($0.count)) }
            hash.withUnsafeBytes { _ = lintas_sqlite3_bind_blob_transient(insert, 10, $0.baseAddress!, 32) }
            guard sqlite3_step(insert) == SQLITE_DONE else { fatal(db, "bulk insert") }
            sqlite3_reset(insert)
        }
        exec(db, "COMMIT")
        let seconds = clock.seconds
        exec(db, "PRAGMA wal_checkpoint(TRUNCATE)")
        return (Double(rows) / seconds, Double(fileSize(path)) / Double(rows))
    }

    /// Commits per second, one small row per transaction, `synchronous = FULL` in WAL mode, in the
    /// steady state the durable phase runs in: its WAL already grown by the phases before it and
    /// overwritten from its start after each checkpoint. A new file's first `walFirstCycle` commits,
    /// which grow its WAL (each sync then also commits the file's new size: about 1.8 times as long
    /// a commit on this machine), are made first and not timed.
    static func durableCommits(path: String, commits: Int) -> Double {
        let db = open(path)
        defer { sqlite3_close_v2(db) }
        exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        let insert = prepare(db, "INSERT INTO t (v) VALUES (?)")
        defer { sqlite3_finalize(insert) }
        let begin = prepare(db, "BEGIN IMMEDIATE"), commit = prepare(db, "COMMIT")
        defer { sqlite3_finalize(begin); sqlite3_finalize(commit) }
        func commitRow(_ row: Int) {
            step(db, begin)
            bindText(insert, 1, "row \(row)")
            step(db, insert)
            step(db, commit)
        }
        for row in 0..<walFirstCycle { commitRow(row) }
        let clock = Stopwatch()
        for row in walFirstCycle..<(walFirstCycle + commits) { commitRow(row) }
        return Double(commits) / clock.seconds
    }

    /// The commits that take a new file's WAL past SQLite's automatic checkpoint (1,000 frames, a
    /// frame a commit of one small row) and back to its start.
    static let walFirstCycle = 1_100

    /// Rows per second to read every column of every row of lintas's events table in storage
    /// order and fold them (a sum over the columns, so nothing is optimised away).
    static func scan(path: String) -> (rows: Int, rowsPerSecond: Double) {
        let db = open(path, readOnly: true)
        defer { sqlite3_close_v2(db) }
        let clock = Stopwatch()
        let select = prepare(db, "SELECT seq, request, version, action, state, actor, at, recorded, command, data, hash FROM events")
        defer { sqlite3_finalize(select) }
        var rows = 0, fold: Int64 = 0
        while sqlite3_step(select) == SQLITE_ROW {
            rows += 1
            for column: Int32 in [0, 2, 6, 7] { fold &+= sqlite3_column_int64(select, column) }
            for column: Int32 in [1, 3, 4, 5, 8, 9, 10] {
                let bytes = sqlite3_column_blob(select, column)
                fold &+= Int64(sqlite3_column_bytes(select, column))
                if let bytes { fold &+= Int64(bytes.load(as: UInt8.self)) }
            }
        }
        let seconds = clock.seconds
        if fold == 42 { print("") }  // keeps the fold alive
        return (rows, Double(rows) / seconds)
    }

    /// Milliseconds of point lookups of a request's stored state by key: `(median, p99)`.
    static func pointLookups(path: String, requests: [String]) -> (median: Double, p99: Double) {
        let db = open(path, readOnly: true)
        defer { sqlite3_close_v2(db) }
        let select = prepare(db, "SELECT body FROM requests WHERE request = ?")
        defer { sqlite3_finalize(select) }
        var times: [Double] = []
        for request in requests {
            let clock = Stopwatch()
            bindText(select, 1, request)
            guard sqlite3_step(select) == SQLITE_ROW else { fatal(db, "point lookup of \(request)") }
            _ = sqlite3_column_blob(select, 0)
            sqlite3_reset(select)
            times.append(clock.seconds * 1000)
        }
        return (percentile(times, 0.5), percentile(times, 0.99))
    }

    /// Bytes of a database file, with its WAL folded in first.
    static func checkpointedSize(_ path: String) -> Int {
        let db = open(path)
        exec(db, "PRAGMA wal_checkpoint(TRUNCATE)")
        sqlite3_close_v2(db)
        return fileSize(path)
    }

    // MARK: C API helpers

    static func open(_ path: String, readOnly: Bool = false) -> OpaquePointer {
        var db: OpaquePointer?
        let flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        guard sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let db else { fatalError("cannot open \(path)") }
        return db
    }

    static func exec(_ db: OpaquePointer, _ sql: String) {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { fatal(db, sql) }
    }

    static func prepare(_ db: OpaquePointer, _ sql: String) -> OpaquePointer {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else { fatal(db, sql) }
        return statement
    }

    static func step(_ db: OpaquePointer, _ statement: OpaquePointer) {
        guard sqlite3_step(statement) == SQLITE_DONE else { fatal(db, "step") }
        sqlite3_reset(statement)
    }

    static func bindText(_ statement: OpaquePointer, _ index: Int32, _ text: String) {
        var text = text
        text.withUTF8 { _ = lintas_sqlite3_bind_text_transient(statement, index, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), Int32($0.count)) }
    }

    static func fatal(_ db: OpaquePointer, _ what: String) -> Never {
        fatalError("SQLite failed in \(what): \(String(cString: sqlite3_errmsg(db)))")
    }

    static func fileSize(_ path: String) -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0 }
        var size = Int(info.st_size)
        if stat(path + "-wal", &info) == 0 { size += Int(info.st_size) }
        return size
    }
}

/// Elapsed time on the monotonic clock.
struct Stopwatch {
    let start = DispatchTime.now().uptimeNanoseconds
    var seconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
}

/// The value below which a fraction `p` of the values lie (nearest rank).
func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
}

/// Median of a few values.
func median(_ values: [Double]) -> Double { percentile(values, 0.5) }
