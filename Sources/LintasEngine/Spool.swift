import Foundation
import LintasCore
import LintasStore

/// A spool folder that other systems drop command files into, for the daemon to queue.
///
/// ```
/// DIR/inbox/        other systems write NAME.tmp (or .NAME, NAME.part) here, then rename it to NAME
/// DIR/processing/   a file the daemon has claimed (renamed out of inbox/, atomically)
/// DIR/done/         queued: every command is in the queue (or was already, same id and content)
/// DIR/failed/       refused, nothing of it queued; NAME.errors.json beside it lists every problem
/// ```
///
/// A file is queued whole or not at all, through `Intake`. A crash between the claim and the
/// move leaves the file in `processing/`; the next poll queues it again, which idempotency keys
/// make harmless (its commands come back as duplicates), then moves it on. So a file is never
/// lost and never queued twice.
///
/// Only one daemon serves a database (see `DaemonLock`), so only one process claims files.
public struct Spool: Sendable {
    public let root: String
    public var inbox: String { folder("inbox") }
    public var processing: String { folder("processing") }
    public var done: String { folder("done") }
    public var failed: String { folder("failed") }

    /// The largest file read; a larger one is moved to `failed/` unread.
    public static let maximumFileBytes = 64 << 20

    /// Opens a spool folder, creating its four sub-folders when missing.
    /// - Throws: `SpoolError` when a folder cannot be created.
    public init(root: String) throws(SpoolError) {
        self.root = root
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: root, isDirectory: &isFolder) && !isFolder.boolValue {
            throw SpoolError(message: "the spool \(root) is a file, not a folder")
        }
        for name in ["inbox", "processing", "done", "failed"] {
            do {
                try FileManager.default.createDirectory(atPath: folder(name), withIntermediateDirectories: true)
            } catch {
                throw SpoolError(message: "cannot create the spool folder \(folder(name)): \(error.localizedDescription)")
            }
        }
    }

    private func folder(_ name: String) -> String { (root as NSString).appendingPathComponent(name) }

    /// Whether a file name in `inbox/` is ready to read: files still being written are named
    /// with a leading `.` or end in `.tmp` or `.part`, and are left alone.
    public static func isReady(_ name: String) -> Bool {
        !name.hasPrefix(".") && !name.hasSuffix(".tmp") && !name.hasSuffix(".part")
    }

    /// What became of one file.
    public struct FileOutcome: Sendable, Hashable {
        public var name: String
        /// The path the file was moved to.
        public var movedTo: String
        public var queued = 0
        public var duplicates = 0
        /// Every problem, when the file was refused (moved to `failed/`).
        public var problems: [Intake.LineProblem] = []
        /// The file had been claimed by a run that stopped before moving it on.
        public var recovered = false
        public var failed: Bool { !problems.isEmpty }
    }

    /// Queues every waiting file: first those a stopped run left in `processing/`, then the
    /// ready files of `inbox/` in name order.
    /// - Returns: what became of each file.
    /// - Throws: a `StoreError` from queuing; the file in hand stays in `processing/` and is
    ///   taken again by the next poll. `SpoolError` when the folders cannot be read or written.
    public func poll(into store: any EventStore, now: Timestamp) throws -> [FileOutcome] {
        var outcomes: [FileOutcome] = []
        for name in try regularFiles(in: processing) {
            var outcome = try queue(name, into: store, now: now)
            outcome.recovered = true
            outcomes.append(outcome)
        }
        for name in try regularFiles(in: inbox) where Spool.isReady(name) {
            let claimed = (processing as NSString).appendingPathComponent(name)
            // A same-named file still in processing/ is taken first; never overwrite it.
            if FileManager.default.fileExists(atPath: claimed) { continue }
            guard rename((inbox as NSString).appendingPathComponent(name), claimed) == 0 else {
                if errno == ENOENT { continue } // gone meanwhile
                throw SpoolError(message: "cannot claim \(name) from \(inbox): \(String(cString: strerror(errno)))")
            }
            outcomes.append(try queue(name, into: store, now: now))
        }
        return outcomes
    }

    /// Whether `inbox/` or `processing/` holds a file still to be queued.
    public func hasWaitingFiles() throws -> Bool {
        try !regularFiles(in: processing).isEmpty || regularFiles(in: inbox).contains(where: Spool.isReady)
    }

    /// Queues one claimed file and moves it to `done/` or `failed/`.
    private func queue(_ name: String, into store: any EventStore, now: Timestamp) throws -> FileOutcome {
        let path = (processing as NSString).appendingPathComponent(name)
        let source = (inbox as NSString).appendingPathComponent(name)
        var problems: [Intake.LineProblem] = []
        var report = Intake.Report()
        // The size of what reading the path reads: a symbolic link's target (`regularFiles` takes a link to a regular file).
        if let size = DocumentFile.regularFileSize(at: path, followingLinks: true), size > Spool.maximumFileBytes {
            problems = [Intake.LineProblem(line: 0, message: "the file has \(size) bytes, more than the \(Spool.maximumFileBytes) a spool file may have; split it")]
        } else if let data = FileManager.default.contents(atPath: path) {
            do {
                report = try Intake.submit([UInt8](data), source: source, to: store, now: now)
            } catch let refused as Intake.Refused {
                problems = refused.problems
            }
        } else {
            problems = [Intake.LineProblem(line: 0, message: "the file cannot be read (permissions?)")]
        }
        if problems.isEmpty {
            let destination = try move(name, to: done)
            return FileOutcome(name: name, movedTo: destination, queued: report.queuedIDs.count, duplicates: report.duplicateIDs.count)
        }
        let target = (failed as NSString).appendingPathComponent(try freeName(name, in: failed))
        let errors = JSONValue.object([
            "file": .string(name), "refused": .string(now.description),
            "message": .string("nothing of this file was queued; correct every line listed and drop the whole file into inbox/ again"),
            "problems": .array(problems.map { .object(["line": .int(Int64($0.line)), "message": .string($0.message)]) }),
        ])
        // The errors file first, then the move: a crash between the two leaves the file in
        // processing/, and the next poll writes the same errors file again.
        try write(errors.prettyText + "\n", to: target + ".errors.json")
        try moveFile(path, to: target)
        return FileOutcome(name: name, movedTo: target, problems: problems)
    }

    private func move(_ name: String, to folder: String) throws(SpoolError) -> String {
        let target = (folder as NSString).appendingPathComponent(try freeName(name, in: folder))
        try moveFile((processing as NSString).appendingPathComponent(name), to: target)
        return target
    }

    private func moveFile(_ from: String, to target: String) throws(SpoolError) {
        guard rename(from, target) == 0 else {
            throw SpoolError(message: "cannot move \(from) to \(target): \(String(cString: strerror(errno)))")
        }
    }

    /// `name`, or `name.2`, `name.3`, … when a file of that name was moved there before.
    private func freeName(_ name: String, in folder: String) throws(SpoolError) -> String {
        var candidate = name
        var number = 1
        while FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(candidate)) {
            number += 1
            candidate = "\(name).\(number)"
        }
        return candidate
    }

    private func write(_ text: String, to path: String) throws(SpoolError) {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw SpoolError(message: "cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// The regular files of a folder, by name.
    private func regularFiles(in folder: String) throws(SpoolError) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw SpoolError(message: "cannot list the spool folder \(folder): \(error.localizedDescription)")
        }
        return names.filter { DocumentFile.regularFileSize(at: (folder as NSString).appendingPathComponent($0), followingLinks: true) != nil }.sorted()
    }
}

/// The spool folders cannot be read or written.
public struct SpoolError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
