internal import CSQLite
import Glibc
import Synchronization

/// SQL written once in the source and numbered when it is made: a connection finds the statement
/// it prepared for it by that number, an array index, instead of hashing and comparing the text
/// (about 750 instructions a lookup; a batch of one ran eleven of them). For the statements every
/// batch runs; other SQL is found by its text (`SQLiteConnection.statement(_:)`).
struct FixedSQL: Sendable {
    let text: String
    fileprivate let number: Int

    init(_ text: String) {
        self.text = text
        number = FixedSQL.made.add(1, ordering: .relaxed).oldValue
    }

    private static let made = Atomic<Int>(0)
}

/// One connection to an SQLite file.
///
/// Deliberately not `Sendable`: the C handle is used by one thread at a time, the one
/// that owns the store. Statements are prepared once and cached by their SQL.
final class SQLiteConnection {
    let path: String
    private let handle: OpaquePointer
    /// The statements prepared for other SQL, with their text, in the order they were prepared.
    private var statements: [TextStatement] = []
    /// The statements of `FixedSQL`, by its number.
    private var fixed: [SQLiteStatement?] = []
    /// How this connection waits for another's write lock (`waitForLock(milliseconds:)`).
    private let lockWait: LockWait
    /// When this connection's last `COMMIT` returned, and since when it has held the write lock with
    /// no pause longer than `LockWait.pause` (monotonic nanoseconds; `beginImmediate()`).
    private var lastCommit: UInt64 = 0
    private var holdingSince: UInt64 = 0
    /// How many times this connection left the write lock free for `LockWait.pause` (tests).
    private(set) var pauses = 0

    /// A statement found by its SQL's text: the texts' lengths compared first, then their bytes
    /// (ASCII, so `==` compares bytes). A list, where a dictionary keyed by the text (hashed by its
    /// length and first bytes) had its storage's type made at run time by name when the first
    /// statement was cached, the key's `Hashable` conformance looked up through all of the binary's
    /// (about 350,000 instructions in every process); the few dozen texts a process prepares are
    /// told apart by length mostly.
    private struct TextStatement {
        let text: String
        let length: Int
        let statement: SQLiteStatement
    }

    /// Whether this connection writes its WAL through `GatheredWAL` (a commit's frames in one write).
    let gathersWAL: Bool

    /// Opens a database file.
    /// - Parameters:
    ///   - create: create the file when it does not exist; otherwise a missing file is an error.
    ///   - gatherWAL: open it with the VFS `GatheredWAL`: only for a connection that writes with
    ///     `synchronous = FULL` (`SQLiteStore`'s `gatherWALWrites` checks it).
    init(path: String, create: Bool, gatherWAL: Bool = false) throws(StoreError) {
        SQLiteConnection.configure()
        self.path = path
        lockWait = LockWait(database: path)
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX
        let vfs = gatherWAL ? GatheredWAL.registeredName : nil
        gathersWAL = vfs != nil
        let code = sqlite3_open_v2(path, &handle, flags, vfs)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            var status = stat()
            if code == SQLITE_CANTOPEN && stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR {
                throw StoreError(.notFound, "\(path) is a folder, not a database file")
            }
            if code == SQLITE_CANTOPEN && !create {
                throw StoreError(.notFound, "no database at \(path)")
            }
            throw StoreError(sqliteCode: code, message: "cannot open \(path): \(message)")
        }
        self.handle = handle
        sqlite3_extended_result_codes(handle, 1)
    }

    /// Sets up a connection that only reads, the one place for it (`ReadSettings`): it refuses to
    /// write (`PRAGMA query_only`: a write fails with `SQLITE_READONLY`, `StoreError.Code.readOnly`),
    /// and SQLite reads up to `mapBytes` of the file in place through a memory map instead of
    /// copying each page it needs into its own cache with `pread` (`PRAGMA mmap_size`; 0: no map).
    func setUpForReading(mapBytes: Int) throws(StoreError) {
        try execute("PRAGMA mmap_size = \(mapBytes); PRAGMA query_only = ON")
    }

    /// Process-wide settings, made before the first connection opens (SQLite takes them only
    /// before it initializes): no count of the memory SQLite allocates, so its every malloc and
    /// free (a few dozen a command, binding a text included) takes no global mutex. Nothing in
    /// lintas reads the count (`sqlite3_memory_used`, a heap limit).
    private static func configure() { _ = configured }
    private static let configured: Bool = lintas_sqlite3_config_memstatus(0) == SQLITE_OK

    deinit {
        for cached in statements { cached.statement.finalize() }
        sqlite3_close_v2(handle)
    }

    /// Runs SQL without results, possibly several statements.
    func execute(_ sql: String) throws(StoreError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        if code != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? lastMessage
            sqlite3_free(message)
            throw StoreError(sqliteCode: code, message: text)
        }
    }

    /// A prepared statement for the SQL, from the cache when it was prepared before.
    func statement(_ sql: String) throws(StoreError) -> SQLiteStatement {
        let length = sql.utf8.count
        for cached in statements where cached.length == length && cached.text == sql { return cached.statement }
        var pointer: OpaquePointer?
        let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &pointer, nil)
        guard code == SQLITE_OK, let pointer else { throw StoreError(sqliteCode: code, message: "\(lastMessage) in: \(sql)") }
        let statement = SQLiteStatement(pointer, connection: self)
        statements.append(TextStatement(text: sql, length: length, statement: statement))
        return statement
    }

    /// The prepared statement of SQL fixed in the source, found by its number.
    func statement(_ sql: FixedSQL) throws(StoreError) -> SQLiteStatement {
        if sql.number < fixed.count, let statement = fixed[sql.number] { return statement }
        let statement = try statement(sql.text)
        if fixed.count <= sql.number { fixed.append(contentsOf: repeatElement(nil, count: sql.number + 1 - fixed.count)) }
        fixed[sql.number] = statement
        return statement
    }

    /// Runs one statement with bindings and collects a value from each row.
    func query<Row>(_ sql: String, _ bindings: [SQLiteValue] = [], row: (SQLiteStatement) throws(StoreError) -> Row) throws(StoreError) -> [Row] {
        try query(statement(sql), bindings, row: row)
    }

    func query<Row>(_ sql: FixedSQL, _ bindings: [SQLiteValue] = [], row: (SQLiteStatement) throws(StoreError) -> Row) throws(StoreError) -> [Row] {
        try query(statement(sql), bindings, row: row)
    }

    /// The row of a query that finds at most one (by a unique key), read with one step: a second step
    /// only learns that no other follows, and collecting into an array makes one to throw away.
    func firstRow<Row>(_ sql: FixedSQL, _ bindings: [SQLiteValue], row: (SQLiteStatement) throws -> Row) throws -> Row? {
        let statement = try statement(sql)
        defer { statement.reset() }
        try statement.bind(bindings)
        return try statement.step() ? try row(statement) : nil
    }

    private func query<Row>(_ statement: SQLiteStatement, _ bindings: [SQLiteValue], row: (SQLiteStatement) throws(StoreError) -> Row) throws(StoreError) -> [Row] {
        defer { statement.reset() }
        try statement.bind(bindings)
        var rows: [Row] = []
        while try statement.step() { rows.append(try row(statement)) }
        return rows
    }

    /// Runs one statement with bindings, ignoring any rows.
    func run(_ sql: String, _ bindings: [SQLiteValue] = []) throws(StoreError) {
        try run(statement(sql), bindings)
    }

    func run(_ sql: FixedSQL, _ bindings: [SQLiteValue] = []) throws(StoreError) {
        try run(statement(sql), bindings)
    }

    private func run(_ statement: SQLiteStatement, _ bindings: [SQLiteValue]) throws(StoreError) {
        defer { statement.reset() }
        try statement.bind(bindings)
        while try statement.step() {}
    }

    private static let beginImmediate = FixedSQL("BEGIN IMMEDIATE")
    private static let beginDeferred = FixedSQL("BEGIN DEFERRED")
    private static let commit = FixedSQL("COMMIT")

    /// Waits up to `milliseconds` for another connection's lock, trying again every millisecond
    /// (`LockWait`), where SQLite's own handler (`PRAGMA busy_timeout`) sleeps longer and longer, up
    /// to 100 ms between tries, and so seldom finds free a lock that a busy writer leaves free for
    /// a moment only (`beginImmediate()`).
    func waitForLock(milliseconds: Int) {
        lockWait.timeout = UInt64(max(milliseconds, 0)) * 1_000_000
        sqlite3_busy_handler(handle, { context, count in
            guard let context else { return 0 }
            return Unmanaged<LockWait>.fromOpaque(context).takeUnretainedValue().tryAgain(count: count) ? 1 : 0
        }, Unmanaged.passUnretained(lockWait).toOpaque())
    }

    /// Takes the write lock (`BEGIN IMMEDIATE`). A connection that has held it, but for the instants
    /// between its commits, for `LockWait.holdLimit` first leaves it free for `LockWait.pause` when
    /// another writer waits for it (a `lintas submit`, trying every millisecond: `LockWait.othersWait`),
    /// so that it gets the lock, where a daemon working through a long queue would take it again at
    /// once, commit after commit. With nobody waiting it goes on, and looks again after another hold.
    private func beginImmediate() throws(StoreError) {
        let now = LockWait.now()
        if now &- lastCommit >= LockWait.pause {
            holdingSince = now
        } else if now &- holdingSince >= LockWait.holdLimit {
            if lockWait.othersWait() {
                usleep(UInt32(LockWait.pause / 1_000))
                pauses += 1
            }
            holdingSince = LockWait.now()
        }
        defer { lockWait.stopWaiting() }
        try run(SQLiteConnection.beginImmediate)
    }

    private func commit() throws(StoreError) {
        // A debug build checks what `GatheredWAL` relies on at every commit: FULL syncs the WAL before it publishes.
        assert(!gathersWAL || (try? syncsEveryCommit()) == true, "a connection gathering its WAL writes must keep synchronous = FULL")
        try run(SQLiteConnection.commit)
        lastCommit = LockWait.now()
        // A statement of the transaction that waited for a lock has it.
        lockWait.stopWaiting()
    }

    /// Runs the body in a transaction: committed when it returns, rolled back when it throws
    /// (the first error is the one rethrown). `immediate` takes the write lock at once.
    func transaction<Result>(immediate: Bool, _ body: () throws -> Result) throws -> Result {
        // Prepared once, like every other statement (`execute` would prepare them each time).
        if immediate { try beginImmediate() } else { try run(SQLiteConnection.beginDeferred) }
        do {
            let result = try body()
            try commit()
            return result
        } catch {
            if sqlite3_get_autocommit(handle) == 0 { try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Inside `transaction(immediate: true)`: commits what it wrote, runs `committed`, and begins
    /// the next immediate transaction, which the enclosing `transaction` commits or rolls back.
    /// - Returns: whether the main database's data version as its pager counts it (`SQLITE_FCNTL_DATA_VERSION`) moved
    ///   between the commit and the new transaction's start. Another connection's commit in between moves it (the
    ///   transaction finds the WAL's header changed and empties the pager's cache): `false` says nobody committed.
    func commitAndBeginImmediate(_ committed: () -> Void) throws(StoreError) -> Bool {
        try commit()
        let version = pagerDataVersion()
        committed()
        try beginImmediate()
        return pagerDataVersion() != version
    }

    /// `SQLITE_FCNTL_DATA_VERSION` of the main database: a counter in the pager, read without a statement.
    private func pagerDataVersion() -> UInt32 {
        var version: UInt32 = 0
        _ = sqlite3_file_control(handle, "main", SQLITE_FCNTL_DATA_VERSION, &version)
        return version
    }

    /// Copies the whole database into a new file with the online backup API, in one step so
    /// the copy is one snapshot. Retries while another connection holds a conflicting lock.
    /// - Returns: the number of pages copied.
    func backup(to path: String) throws(StoreError) -> Int {
        var destination: OpaquePointer?
        let opened = sqlite3_open_v2(path, &destination, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_EXCLUSIVE, nil)
        guard opened == SQLITE_OK, let destination else {
            let message = destination.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(destination)
            throw StoreError(sqliteCode: opened, message: "cannot create \(path): \(message)")
        }
        defer { sqlite3_close_v2(destination) }
        guard let backup = sqlite3_backup_init(destination, "main", handle, "main") else {
            throw StoreError(sqliteCode: sqlite3_errcode(destination), message: "cannot start the backup: \(String(cString: sqlite3_errmsg(destination)))")
        }
        var code: Int32
        var attempts = 0
        repeat {
            code = sqlite3_backup_step(backup, -1)
            if code == SQLITE_BUSY || code == SQLITE_LOCKED {
                attempts += 1
                sqlite3_sleep(50)
            }
        } while (code == SQLITE_OK || code == SQLITE_BUSY || code == SQLITE_LOCKED) && attempts < 400
        let pages = Int(sqlite3_backup_pagecount(backup))
        let finished = sqlite3_backup_finish(backup)
        guard code == SQLITE_DONE, finished == SQLITE_OK else {
            let failure = code == SQLITE_DONE ? finished : code
            SQLiteConnection.remove(path)
            throw StoreError(sqliteCode: failure, message: "the backup to \(path) failed: \(String(cString: sqlite3_errstr(failure)))")
        }
        return pages
    }

    /// Removes a database file and its WAL companions.
    static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm", "-journal"] { unlink(path + suffix) }
    }

    /// Whether every commit in WAL mode syncs the WAL before it is published: `synchronous` FULL (2) or EXTRA (3).
    /// (Out of WAL mode no file is opened as a WAL, and `GatheredWAL` gathers nothing.)
    func syncsEveryCommit() throws(StoreError) -> Bool {
        try query("PRAGMA synchronous") { $0.int64(0) }.first ?? 0 >= 2
    }

    var changes: Int { Int(sqlite3_changes(handle)) }

    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    var lastMessage: String { String(cString: sqlite3_errmsg(handle)) }
}

/// A value bound to a statement parameter.
enum SQLiteValue {
    case integer(Int64)
    case text(String)
    /// Text given as its UTF-8 bytes, bound without making a `String` first.
    case utf8([UInt8])
    case blob([UInt8])
    /// A blob's bytes held elsewhere, valid while `bind` runs (which copies them, as every value).
    case borrowedBlob(UnsafeRawBufferPointer)
    /// Text's UTF-8 bytes held elsewhere, valid while `bind` runs (which copies them).
    case borrowedUTF8(UnsafeRawBufferPointer)
    case null

    static func optional(_ text: String?) -> SQLiteValue { text.map(SQLiteValue.text) ?? .null }
    static func optional(_ number: Int64?) -> SQLiteValue { number.map(SQLiteValue.integer) ?? .null }
}

/// A prepared statement. Reset after each use by `SQLiteConnection`, and bound (`bind`) before each.
final class SQLiteStatement {
    private let pointer: OpaquePointer
    private unowned let connection: SQLiteConnection
    /// The bytes of the text and blob values bound, one after the other, which SQLite reads where
    /// they stand (`SQLITE_STATIC`) instead of copying each into memory of its own (a malloc and a
    /// free a value, about 500 instructions a text). Only `bind` writes here, and every use of a
    /// statement resets it before it is bound again, so they stay as bound while SQLite reads them.
    private var bound: UnsafeMutableRawPointer
    private var boundCapacity = 512
    /// How many parameters the statement has: `bind` given fewer clears the rest (`reset` leaves them as bound).
    private let parameters: Int

    fileprivate init(_ pointer: OpaquePointer, connection: SQLiteConnection) {
        self.pointer = pointer
        self.connection = connection
        parameters = Int(sqlite3_bind_parameter_count(pointer))
        bound = .allocate(byteCount: boundCapacity, alignment: 8)
    }

    deinit { bound.deallocate() }

    fileprivate func finalize() { sqlite3_finalize(pointer) }

    /// Binds `values` to the first parameters, and NULL to any after them: every use of a statement binds it before it
    /// steps, so `reset` need not clear what the last use bound (`sqlite3_clear_bindings`, about 130 instructions a
    /// statement run): a statement given all its values, as nearly every one is, has each of them replaced here.
    func bind(_ values: [SQLiteValue]) throws(StoreError) {
        if values.count < parameters { sqlite3_clear_bindings(pointer) }
        var needed = 0
        // Each value read in place by index: taking it out (`for value in`) copies it, its text or bytes retained.
        for index in values.indices {
            switch values[index] {
            case .text(let text): needed += text.utf8.count
            case .utf8(let bytes), .blob(let bytes): needed += bytes.count
            case .borrowedBlob(let bytes), .borrowedUTF8(let bytes): needed += bytes.count
            case .integer, .null: break
            }
        }
        if needed > boundCapacity {
            boundCapacity = max(needed, boundCapacity * 2)
            bound.deallocate()
            bound = .allocate(byteCount: boundCapacity, alignment: 8)
        }
        var end = 0
        /// The bytes copied after the last ones bound: where SQLite reads them.
        func place(_ bytes: UnsafeRawBufferPointer) -> (UnsafeMutableRawPointer, Int32) {
            let start = bound + end
            if let source = bytes.baseAddress { start.copyMemory(from: source, byteCount: bytes.count) }
            end += bytes.count
            return (start, Int32(bytes.count))
        }
        for offset in values.indices {
            let index = Int32(offset + 1)
            let code: Int32
            switch values[offset] {
            case .integer(let number): code = sqlite3_bind_int64(pointer, index, number)
            case .text(let text):
                var text = text
                let (start, count) = text.withUTF8 { place(UnsafeRawBufferPointer($0)) }
                code = lintas_sqlite3_bind_text_static(pointer, index, start.assumingMemoryBound(to: CChar.self), count)
            case .utf8(let bytes):
                let (start, count) = bytes.withUnsafeBytes(place)
                code = lintas_sqlite3_bind_text_static(pointer, index, start.assumingMemoryBound(to: CChar.self), count)
            case .blob(let bytes):
                let (start, count) = bytes.withUnsafeBytes(place)
                code = lintas_sqlite3_bind_blob_static(pointer, index, start, count)
            case .borrowedBlob(let bytes):
                let (start, count) = place(bytes)
                code = lintas_sqlite3_bind_blob_static(pointer, index, start, count)
            case .borrowedUTF8(let bytes):
                let (start, count) = place(bytes)
                code = lintas_sqlite3_bind_text_static(pointer, index, start.assumingMemoryBound(to: CChar.self), count)
            case .null: code = sqlite3_bind_null(pointer, index)
            }
            // The connection (`unowned`: each use retains and releases it, about 60 instructions) only on a failure.
            if code != SQLITE_OK { throw StoreError(sqliteCode: code, message: connection.lastMessage) }
        }
    }

    /// Advances to the next row. Returns false when done.
    func step() throws(StoreError) -> Bool {
        let code = sqlite3_step(pointer)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw StoreError(sqliteCode: code, message: connection.lastMessage)
        }
    }

    /// The steps SQLite's virtual machine took for this statement since it was prepared or last asked, counted
    /// from zero again (`SQLITE_STMTSTATUS_VM_STEP`): it grows with the rows a query visits, so a test can bound them.
    func virtualMachineSteps() -> Int32 {
        sqlite3_stmt_status(pointer, SQLITE_STMTSTATUS_VM_STEP, 1)
    }

    /// How many times this statement was run since it was prepared or last asked, counted from zero again
    /// (`SQLITE_STMTSTATUS_RUN`): a test can count the look-ups a walk made.
    func runs() -> Int32 {
        sqlite3_stmt_status(pointer, SQLITE_STMTSTATUS_RUN, 1)
    }

    /// Ends the statement's run. Its values stay bound (SQLite reads them only when it steps, after the next `bind`),
    /// pointing into `bound`, which only that `bind` writes.
    func reset() {
        sqlite3_reset(pointer)
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(pointer, column) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(pointer, column) == SQLITE_NULL }

    /// The column looked up once (`sqlite3_column_value`, see `borrowed`) for its type and its
    /// integer, where `isNull` and `int64` each looked it up (about 60 instructions a row in a scan).
    func optionalInt64(_ column: Int32) -> Int64? {
        guard let value = sqlite3_column_value(pointer, column), sqlite3_value_type(value) != SQLITE_NULL else { return nil }
        return sqlite3_value_int64(value)
    }

    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(pointer, column) else { return "" }
        let count = Int(sqlite3_column_bytes(pointer, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }

    /// The bytes of a TEXT or BLOB column as SQLite holds them: valid until the statement steps or is reset.
    /// The column is looked up once (`sqlite3_column_value`) for both its bytes and their count, where
    /// `sqlite3_column_blob` and `sqlite3_column_bytes` each look it up and check the statement's state
    /// again (about 25 instructions a column, a fold's scan reads five a row). SQLite calls such a value
    /// unprotected: not safe while another thread uses the connection, which lintas never does (each
    /// connection is used by one thread at a time, opened `SQLITE_OPEN_NOMUTEX`).
    func borrowed(_ column: Int32) -> UnsafeRawBufferPointer {
        guard let value = sqlite3_column_value(pointer, column) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let base = sqlite3_value_blob(value)
        let count = Int(sqlite3_value_bytes(value))
        return UnsafeRawBufferPointer(start: count > 0 ? base : nil, count: count)
    }

    /// The bytes of a BLOB column as SQLite holds them (as `borrowed`), `nil` for a value of another type
    /// (which no BLOB bound to `=` equals).
    func borrowedBlob(_ column: Int32) -> UnsafeRawBufferPointer? {
        guard let value = sqlite3_column_value(pointer, column), sqlite3_value_type(value) == SQLITE_BLOB else { return nil }
        let count = Int(sqlite3_value_bytes(value))
        return UnsafeRawBufferPointer(start: count > 0 ? sqlite3_value_blob(value) : nil, count: count)
    }

    /// The bytes of a TEXT or BLOB column.
    func bytes(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(pointer, column))
        guard count > 0, let base = sqlite3_column_blob(pointer, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: base, count: count))
    }
}

extension StoreError {
    init(sqliteCode: Int32, message: String) {
        let primary = sqliteCode & 0xFF
        let code: Code = switch primary {
        case SQLITE_BUSY, SQLITE_LOCKED: .busy
        case SQLITE_FULL: .diskFull
        case SQLITE_CORRUPT, SQLITE_NOTADB: .corrupt
        case SQLITE_CONSTRAINT: .constraint
        case SQLITE_READONLY: .readOnly
        case SQLITE_CANTOPEN, SQLITE_IOERR: .io
        default: .other
        }
        self.init(code, message)
    }
}

/// What a connection that only reads is for: it decides whether SQLite maps the file.
public enum Reading: Sendable {
    /// Rows by key, many of them over the life of a process that stays (the benchmark's warm
    /// status lookups): the file mapped, each page read in place without a `pread` and a copy.
    case lookUps
    /// A few rows by key in a process that shows them and ends: every reading command of the CLI
    /// that looks up (`lintas status`, `history`, the letter commands, `requests`, …). Not mapped
    /// unless `LINTAS_READ_MMAP_MB` asks for it: such a process touches a few dozen pages once, and
    /// a page fault on the map costs what the `pread` does when the page is in the kernel's cache;
    /// when it is not (a large file, the more so the larger), each fault on a map reads the
    /// kernel's whole read-around window (the disk's `read_ahead_kb`: 8 MiB on the benchmark's
    /// machine), a `pread` the page. Measured at N = 100,000: a cold `lintas status` of a request
    /// whose pages were not cached read 24 MiB mapped, 24 KiB with `pread`.
    case once
    /// The whole log or file in order (`audit`, `checkpoint`, `backup`, replaying every request):
    /// not mapped. Measured at N = 100,000, a mapped scan was slower (replay 5.1 → 6.4 s, a page
    /// fault for every 4 KB of each reader's own map instead of one `pread` an 8 KB page) and
    /// counted the whole file in its resident set (23 → 662 MB).
    case scans
}

/// How connections that only read are set up (`SQLiteConnection.setUpForReading`).
public enum ReadSettings {
    /// The environment variable that sets how much of the file a connection that looks up
    /// (`Reading.lookUps`, `Reading.once`) maps, in MiB: `0` turns the map off (every page is
    /// read with `pread`).
    public static let mapVariable = "LINTAS_READ_MMAP_MB"
    /// What `Reading.lookUps` maps unless `LINTAS_READ_MMAP_MB` says otherwise: 2 GiB, about the
    /// most Debian's SQLite maps (`SQLITE_MAX_MMAP_SIZE`, 2,147,418,112 bytes); pages beyond it are
    /// read with `pread`. `Reading.once` maps nothing unless the variable says otherwise.
    public static let defaultMapMebibytes = 2048

    /// Bytes of the file a connection maps for this use, `LINTAS_READ_MMAP_MB` as set in this
    /// process (read once per process).
    public static func mapBytes(for reading: Reading) -> Int {
        switch reading {
        case .lookUps: lookUpMapBytes
        case .once: onceMapBytes
        case .scans: 0
        }
    }

    private static let lookUpMapBytes = mapBytes(for: .lookUps, setting: setting)
    private static let onceMapBytes = mapBytes(for: .once, setting: setting)

    /// Bytes mapped for this use with the variable's value (`nil` when it is not set; a wrong
    /// value, which the commands refuse, `settingProblem`, gives the default): scans never map.
    static func mapBytes(for reading: Reading, setting: String?) -> Int {
        let fallback: Int
        switch reading {
        case .lookUps: fallback = defaultMapMebibytes
        case .once: fallback = 0
        case .scans: return 0
        }
        return min(setting.flatMap(mebibytes) ?? fallback, Int.max >> 20) << 20
    }

    /// The variable's value; `nil` when it is not set or empty (as `LINTAS_DB` is read).
    static var setting: String? { getenv(mapVariable).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } }

    /// What is wrong with `LINTAS_READ_MMAP_MB` as set in this process, for a reading command to
    /// refuse it: `nil` when it is unset, empty or a whole number of 0 or more.
    public static var settingProblem: String? { problem(setting: setting) }

    /// What is wrong with the value, or `nil`.
    static func problem(setting: String?) -> String? {
        guard let setting, mebibytes(setting) == nil else { return nil }
        return "\(mapVariable) is \"\(setting)\": give a whole number of MiB of the file to map, 0 or more (0 turns the map off)"
    }

    private static func mebibytes(_ setting: String) -> Int? { Int(setting).flatMap { $0 >= 0 ? $0 : nil } }
}

/// How a connection waits for another's lock: SQLite calls `tryAgain` each time it finds the lock
/// taken (`sqlite3_busy_handler`), `count` the tries before for this lock; it sleeps a millisecond
/// and has SQLite try again, until `timeout` has passed since the first.
///
/// While it waits it says so to the connection holding the lock (`othersWait`): it holds a shared
/// `flock` on the database's folder, opened for that alone, until its transaction takes the lock or
/// ends (`stopWaiting`), or the connection closes. An `flock` on the folder, not on the database or
/// its `-shm`: SQLite's own locks there are POSIX locks, which closing any other descriptor of the
/// same file in the process would drop. Other databases in the same folder share the sign: a
/// writer waiting for one makes a writer of another leave its lock free too, as every writer did
/// before the sign.
private final class LockWait {
    /// Nanoseconds; 0: give up at once.
    var timeout: UInt64 = 0
    private var firstTry: UInt64 = 0
    /// The database's folder (`nil` for an in-memory one: no sign, a holder leaves its lock free).
    private let folder: String?
    /// The folder opened for `flock`: -1 not yet, -2 when it cannot be (a holder then leaves its lock free).
    private var descriptor: Int32 = -1
    /// Whether this connection holds the sign that it waits.
    private var signalled = false

    /// How long a writer leaves the lock free, and after holding it how long (`beginImmediate()`).
    /// A waiting writer tries every millisecond; what it costs a busy daemon is the pause's share
    /// (2 %) when a writer waits, nothing otherwise, and no other writer waits more than about the
    /// hold, a batch or two of `--commit-each`.
    static let pause: UInt64 = 2_000_000
    static let holdLimit: UInt64 = 100_000_000

    init(database path: String) {
        if path.isEmpty || path == ":memory:" || path.hasPrefix("file:") {
            folder = nil
        } else if let slash = path.lastIndex(of: "/") {
            folder = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            folder = "."
        }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    func tryAgain(count: Int32) -> Bool {
        let now = LockWait.now()
        if count == 0 { firstTry = now }
        guard now &- firstTry < timeout else { return false }
        // Tried again at each wait until it holds: a holder looking (`othersWait`) keeps it out for an instant.
        if !signalled, let descriptor = opened() { signalled = flock(descriptor, LOCK_SH | LOCK_NB) == 0 }
        usleep(1_000)
        return true
    }

    /// Drops the sign that this connection waits: it has the lock, or its transaction ended.
    func stopWaiting() {
        guard signalled else { return }
        signalled = false
        flock(descriptor, LOCK_UN)
    }

    /// Whether another connection, of this process or another, waits for a lock of a database in
    /// this one's folder (or that cannot be told: then as if one did).
    func othersWait() -> Bool {
        stopWaiting()
        guard let descriptor = opened() else { return true }
        // Refused while any other holds it shared (a waiting connection) or is looking at this instant.
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { return true }
        flock(descriptor, LOCK_UN)
        return false
    }

    private func opened() -> Int32? {
        if descriptor == -1 {
            descriptor = folder.map { open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) } ?? -2
            if descriptor < 0 { descriptor = -2 }
        }
        return descriptor >= 0 ? descriptor : nil
    }

    /// Monotonic nanoseconds.
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
