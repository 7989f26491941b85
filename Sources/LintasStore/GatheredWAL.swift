internal import CSQLite
import Glibc
import Synchronization

/// An SQLite VFS that writes a commit's WAL frames with one system call: `lintas-wal-gather`.
///
/// SQLite's `unix` VFS writes each WAL frame as two `pwrite`s, its 24-byte header and then its page
/// (about 9 to 14 a commit of the daemon's, 4.4 frames). This VFS is `unix` in every respect but one:
/// on a WAL file (`SQLITE_OPEN_WAL`), writes that follow one another in the file are gathered in
/// memory and handed to `unix`'s `xWrite` as one, when SQLite next syncs the file (`xSync`, which a
/// commit calls after its last frame), reads it, asks its size, truncates it, sends it a file
/// control, closes it, or writes elsewhere in it (the WAL restarting at offset 0, a frame rewritten),
/// and when the gathered bytes would pass `capacity` (just under 128 KiB, so that a batch of 500
/// commands holds no more). Every other file (the database, its `-shm`, temporary files) is `unix`'s own, opened in
/// place with `unix`'s methods.
///
/// Why it is safe, and only with `synchronous = FULL` (`SQLiteStore`'s `gatherWALWrites`, which
/// refuses a connection that does not read back FULL or EXTRA and checks it again at every commit in
/// debug builds):
/// - With FULL, a commit in WAL mode syncs the WAL (`xSync`) after its frames and before it writes the
///   wal-index header that publishes them; the sync writes what is gathered first. So no other
///   connection or process can read a frame still held here: they find frames through the wal-index,
///   and every published frame is in the file (and synced) before it is published.
/// - A crash (SIGKILL, power) before that `xSync` loses only frames of a transaction not yet
///   committed, which recovery would discard anyway (no commit frame, or frames whose checksums do not
///   follow): exactly what a power cut loses with `unix` alone. After `xSync` the commit is on disk.
/// - With NORMAL (or OFF) a commit does not call `xSync`: its frames would stay here while the
///   wal-index published them, so another connection would read stale bytes of the WAL, and a process
///   that crashed after `COMMIT` returned would lose a commit NORMAL promises to keep. Hence FULL only.
/// - This connection's own reads of the WAL (a page it committed and dropped from its cache, a
///   checkpoint copying frames into the database) go through `xRead`, which writes what is gathered
///   first; a checkpoint syncs the WAL (`xSync`) before it copies, and the WAL restarting writes its
///   header at offset 0, not after the gathered bytes: both write them first.
/// - A transaction that spills frames before its commit and is rolled back: its frames are written
///   when the next write lands elsewhere (the next transaction writes from the WAL's last committed
///   frame), as `unix` would have written them at once; no commit covers them.
enum GatheredWAL {
    /// The VFS's name, for `sqlite3_open_v2`. Registered once a process, not as the default.
    static let name = "lintas-wal-gather"
    /// The most bytes gathered before they are written: the most `unix` writes in one call (its
    /// `seekAndWriteFd` keeps the low 17 bits of the length: a write of 128 KiB or more would be cut
    /// and fail as `SQLITE_FULL`). 15 frames of 8 KB pages; a commit of the durable figure is 4.4.
    static let capacity = 0x1ffff

    /// Registers the VFS (once a process) and returns its name, or `nil` when SQLite has no `unix` VFS.
    static var registeredName: String? { registered ? name : nil }

    /// Writes made by SQLite to gathered WAL files, and the writes they were handed on as: tests only.
    static let gatheredWrites = Atomic<Int>(0)
    static let flushes = Atomic<Int>(0)

    private static let registered: Bool = {
        guard let unix = sqlite3_vfs_find("unix") else { return false }
        // `unix`'s other methods do not read the VFS they are given (its `xOpen` does, and is
        // called with `unix` itself), so the copy keeps them and only opens files differently.
        let vfs = UnsafeMutablePointer<sqlite3_vfs>.allocate(capacity: 1)
        vfs.initialize(to: unix.pointee)
        vfs.pointee.pNext = nil
        vfs.pointee.zName = UnsafePointer(strdup(name))
        vfs.pointee.szOsFile = Int32(realOffset) + unix.pointee.szOsFile
        vfs.pointee.pAppData = UnsafeMutableRawPointer(unix)
        vfs.pointee.xOpen = { vfs, path, file, flags, outFlags in
            guard let vfs, let file, let unix = vfs.pointee.pAppData?.assumingMemoryBound(to: sqlite3_vfs.self) else { return SQLITE_MISUSE }
            guard flags & SQLITE_OPEN_WAL != 0 else {
                // Not a WAL: `unix`'s file where SQLite put ours, with `unix`'s methods.
                return unix.pointee.xOpen!(unix, path, file, flags, outFlags)
            }
            file.pointee.pMethods = nil
            let code = unix.pointee.xOpen!(unix, path, real(file), flags, outFlags)
            guard code == SQLITE_OK else {
                // `unix` closes what it opened when it fails; SQLite calls no method of ours after this.
                return code
            }
            let gathered = UnsafeMutablePointer<Gathered>.allocate(capacity: 1)
            gathered.initialize(to: Gathered())
            (UnsafeMutableRawPointer(file) + stateOffset).storeBytes(of: gathered, as: UnsafeMutablePointer<Gathered>.self)
            file.pointee.pMethods = UnsafePointer(methods)
            return SQLITE_OK
        }
        return sqlite3_vfs_register(vfs, 0) == SQLITE_OK
    }()

    /// A WAL file of this VFS: the `sqlite3_file` SQLite sees (its methods, ours), then the state's
    /// address, then `unix`'s file.
    private static let stateOffset = MemoryLayout<sqlite3_file>.stride
    private static let realOffset = (stateOffset + MemoryLayout<UnsafeMutableRawPointer>.stride + 15) & ~15

    private static func real(_ file: UnsafeMutablePointer<sqlite3_file>) -> UnsafeMutablePointer<sqlite3_file> {
        (UnsafeMutableRawPointer(file) + realOffset).assumingMemoryBound(to: sqlite3_file.self)
    }

    private static func state(_ file: UnsafeMutablePointer<sqlite3_file>) -> UnsafeMutablePointer<Gathered> {
        (UnsafeMutableRawPointer(file) + stateOffset).load(as: UnsafeMutablePointer<Gathered>.self)
    }

    /// `unix`'s methods of the real file.
    private static func unix(_ file: UnsafeMutablePointer<sqlite3_file>) -> UnsafePointer<sqlite3_io_methods> {
        real(file).pointee.pMethods
    }

    /// The bytes gathered for one WAL file: `count` of them, to be written at `start`.
    private struct Gathered {
        var bytes: UnsafeMutableRawPointer?
        var allocated = 0
        var count = 0
        var start: Int64 = 0
        var end: Int64 { start + Int64(count) }
    }

    /// Writes what is gathered for the file, as one write of `unix`'s, and empties it.
    private static func flush(_ file: UnsafeMutablePointer<sqlite3_file>) -> Int32 {
        let gathered = state(file)
        guard gathered.pointee.count > 0, let bytes = gathered.pointee.bytes else { return SQLITE_OK }
        let count = gathered.pointee.count
        gathered.pointee.count = 0
        flushes.add(1, ordering: .relaxed)
        return unix(file).pointee.xWrite!(real(file), bytes, Int32(count), gathered.pointee.start)
    }

    /// `flush`, then the method of `unix`'s.
    private static func flushed(_ file: UnsafeMutablePointer<sqlite3_file>?, _ then: (UnsafeMutablePointer<sqlite3_file>) -> Int32) -> Int32 {
        guard let file else { return SQLITE_MISUSE }
        let code = flush(file)
        return code == SQLITE_OK ? then(file) : code
    }

    private static func write(_ file: UnsafeMutablePointer<sqlite3_file>, _ source: UnsafeRawPointer, _ amount: Int32, _ offset: Int64) -> Int32 {
        gatheredWrites.add(1, ordering: .relaxed)
        let gathered = state(file)
        let amount = Int(amount)
        if gathered.pointee.count > 0 && (offset != gathered.pointee.end || gathered.pointee.count + amount > capacity) {
            let code = flush(file)
            guard code == SQLITE_OK else { return code }
        }
        guard amount <= capacity else { return unix(file).pointee.xWrite!(real(file), source, Int32(amount), offset) }
        if gathered.pointee.count + amount > gathered.pointee.allocated {
            let allocated = min(max(gathered.pointee.allocated * 2, gathered.pointee.count + amount, 64 * 1024), capacity)
            guard let bytes = realloc(gathered.pointee.bytes, allocated) else { return SQLITE_NOMEM }
            gathered.pointee.bytes = bytes
            gathered.pointee.allocated = allocated
        }
        if gathered.pointee.count == 0 { gathered.pointee.start = offset }
        (gathered.pointee.bytes! + gathered.pointee.count).copyMemory(from: source, byteCount: amount)
        gathered.pointee.count += amount
        return SQLITE_OK
    }

    nonisolated(unsafe) private static let methods: UnsafeMutablePointer<sqlite3_io_methods> = {
        var methods = sqlite3_io_methods()
        methods.iVersion = 3
        methods.xClose = { file in
            guard let file else { return SQLITE_MISUSE }
            let written = flush(file)
            let closed = unix(file).pointee.xClose!(real(file))
            let gathered = state(file)
            free(gathered.pointee.bytes)
            gathered.deallocate()
            file.pointee.pMethods = nil
            return written == SQLITE_OK ? closed : written
        }
        methods.xRead = { file, bytes, amount, offset in flushed(file) { unix($0).pointee.xRead!(real($0), bytes, amount, offset) } }
        methods.xWrite = { file, bytes, amount, offset in
            guard let file, let bytes else { return SQLITE_MISUSE }
            return write(file, bytes, amount, offset)
        }
        methods.xTruncate = { file, size in flushed(file) { unix($0).pointee.xTruncate!(real($0), size) } }
        methods.xSync = { file, flags in flushed(file) { unix($0).pointee.xSync!(real($0), flags) } }
        methods.xFileSize = { file, size in flushed(file) { unix($0).pointee.xFileSize!(real($0), size) } }
        methods.xLock = { file, lock in unix(file!).pointee.xLock!(real(file!), lock) }
        methods.xUnlock = { file, lock in unix(file!).pointee.xUnlock!(real(file!), lock) }
        methods.xCheckReservedLock = { file, out in unix(file!).pointee.xCheckReservedLock!(real(file!), out) }
        methods.xFileControl = { file, operation, argument in flushed(file) { unix($0).pointee.xFileControl!(real($0), operation, argument) } }
        methods.xSectorSize = { file in unix(file!).pointee.xSectorSize!(real(file!)) }
        methods.xDeviceCharacteristics = { file in unix(file!).pointee.xDeviceCharacteristics!(real(file!)) }
        methods.xShmMap = { file, page, size, extend, address in unix(file!).pointee.xShmMap!(real(file!), page, size, extend, address) }
        methods.xShmLock = { file, offset, count, flags in unix(file!).pointee.xShmLock!(real(file!), offset, count, flags) }
        methods.xShmBarrier = { file in unix(file!).pointee.xShmBarrier!(real(file!)) }
        methods.xShmUnmap = { file, delete in unix(file!).pointee.xShmUnmap!(real(file!), delete) }
        methods.xFetch = { file, offset, amount, address in flushed(file) { unix($0).pointee.xFetch!(real($0), offset, amount, address) } }
        methods.xUnfetch = { file, offset, address in unix(file!).pointee.xUnfetch!(real(file!), offset, address) }
        let pointer = UnsafeMutablePointer<sqlite3_io_methods>.allocate(capacity: 1)
        pointer.initialize(to: methods)
        return pointer
    }()
}
