import Foundation
import LintasCore

/// The file `DB.daemon` beside a database: held locked (`flock`) by the daemon serving that
/// database for as long as it runs, and holding its heartbeat as one JSON object.
///
/// The kernel releases the lock when the process ends, however it ends (even `kill -9`), so
/// "locked" means "a daemon runs" without stale pid files. A second daemon on the same
/// database is refused, which also makes it the only one that claims spool files.
public final class DaemonLock {
    public let path: String
    private let descriptor: Int32
    private var lastWrite: Timestamp?
    /// The `state` the file was last written with.
    private var lastState: String?

    /// The lock file of a database.
    public static func path(forDatabase database: String) -> String { database + ".daemon" }

    /// Takes the lock of a database.
    /// - Throws: `DaemonLockError` when another daemon holds it (naming its pid) or the file cannot be opened.
    public init(database: String) throws(DaemonLockError) {
        path = DaemonLock.path(forDatabase: database)
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw DaemonLockError(message: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let pid = DaemonLock.read(path)?["pid"]?.intValue.map { " (pid \($0))" } ?? ""
            close(descriptor)
            throw DaemonLockError(message: "another lintas daemon\(pid) is running on \(database); stop it first, or give this one another --db")
        }
    }

    deinit {
        // Unlocks with the close; the file stays, so status can show the last heartbeat.
        close(descriptor)
    }

    /// Rewrites the heartbeat (no sync): at most once a second, unless `force` or its `state` changed.
    /// Not after every batch: at batch size 1 that was a write and a truncate, and the heartbeat's JSON,
    /// for every command.
    public func beat(_ heartbeat: Heartbeat, now: Timestamp, force: Bool = false) {
        if !force, heartbeat.state == lastState, let lastWrite, now.milliseconds - lastWrite.milliseconds < 1000 { return }
        lastWrite = now
        lastState = heartbeat.state
        var members: [String: JSONValue] = [
            "pid": .int(Int64(getpid())), "started": .string(heartbeat.started.description), "beat": .string(now.description),
            "batches": .int(Int64(heartbeat.batches)), "commands": .int(Int64(heartbeat.commands)),
            "state": .string(heartbeat.state),
        ]
        if let lastBatch = heartbeat.lastBatch { members["last_batch"] = .string(lastBatch.description) }
        if let spool = heartbeat.spool { members["spool"] = .string(spool) }
        if let retry = heartbeat.retry { members["retry"] = .string(retry) }
        let bytes = Array((JSONValue.object(members).canonicalText + "\n").utf8)
        _ = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        _ = ftruncate(descriptor, off_t(bytes.count))
    }

    /// What the daemon writes about itself.
    public struct Heartbeat: Sendable, Hashable {
        public var started: Timestamp
        public var lastBatch: Timestamp?
        public var batches = 0
        public var commands = 0
        /// `running`, `retrying` or `stopping`.
        public var state = "running"
        /// The last store error being retried.
        public var retry: String?
        public var spool: String?

        public init(started: Timestamp, spool: String? = nil) {
            self.started = started
            self.spool = spool
        }
    }

    /// Whether a daemon holds the lock of a database, and its last heartbeat.
    public static func inspect(database: String) -> (running: Bool, heartbeat: JSONValue?) {
        let path = DaemonLock.path(forDatabase: database)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return (false, nil) }
        defer { close(descriptor) }
        let running = flock(descriptor, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK
        return (running, read(path))
    }

    private static func read(_ path: String) -> JSONValue? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONValue.parse([UInt8](data))
    }
}

/// The daemon lock cannot be taken.
public struct DaemonLockError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
