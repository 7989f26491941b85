import Foundation
import LintasCore
import LintasEngine
import LintasStore

/// Commands for the operator: daemon status, backup.
enum OperationsCommands {
    // MARK: daemon status

    static func daemonStatus(_ context: Context) throws -> Int32 {
        let store = try context.openStore(reading: .once)
        let now = context.clock.now()
        let zone = (try? DirectoryCatalog(store: store).timeZone()) ?? .wib
        let (running, heartbeat) = DaemonLock.inspect(database: context.databasePath)
        let queue = try store.queueSummary()
        let oldest = queue.queued > 0 ? try store.commands(CommandFilter(status: .queued, limit: 1)).first : nil
        let overdue = try overdueRequests(store)
        let calendar = try WriteCommands.workingCalendar(context)
        let calendarWarning = calendar?.endWarning(on: now.civilDate(in: zone))
        let out = context.output
        if out.json {
            var daemon: [String: JSONValue] = ["running": .bool(running), "lock_file": .string(DaemonLock.path(forDatabase: context.databasePath))]
            if let heartbeat { daemon["heartbeat"] = heartbeat }
            var queueMembers: [String: JSONValue] = ["queued": .int(Int64(queue.queued)), "done": .int(Int64(queue.done)),
                                                     "refused": .int(Int64(queue.refused))]
            if let oldest {
                queueMembers["oldest"] = .object([
                    "id": .string(oldest.command.id.rawValue), "request": .string(oldest.command.request.rawValue),
                    "action": .string(oldest.command.action), "enqueued": Render.iso(oldest.enqueuedAt, zone),
                    "waiting_seconds": .int((now.milliseconds - oldest.enqueuedAt.milliseconds) / 1000),
                ])
            }
            var document: [String: JSONValue] = ["daemon": .object(daemon), "queue": .object(queueMembers),
                                                 "overdue": .array(overdue.map { state in
                                                     .object(["request": .string(state.request.rawValue), "state": .string(state.state),
                                                              "since": Render.iso(state.since, zone)])
                                                 })]
            if let last = queue.lastProcessed { document["last_batch"] = Render.iso(last, zone) }
            if let calendar {
                var members: [String: JSONValue] = ["id": .string(calendar.id), "years": .array(calendar.years.sorted().map { .int(Int64($0)) })]
                if let last = calendar.lastDay { members["last_day"] = .string(last.description) }
                if let calendarWarning { members["warning"] = .string(calendarWarning) }
                document["calendar"] = .object(members)
            }
            out.document(.object(document))
            return 0
        }
        if running {
            let pid = heartbeat?["pid"]?.intValue.map { "pid \($0)" } ?? "pid unknown"
            var line = "Daemon     running (\(pid)"
            if let started = heartbeat?["started"]?.stringValue.flatMap(Timestamp.init(iso8601:)) {
                line += ", started \(Render.time(started, zone))"
            }
            if let beat = heartbeat?["beat"]?.stringValue.flatMap(Timestamp.init(iso8601:)) {
                line += ", last heartbeat \(Render.relative(beat, now: now))"
            }
            out.line(line + ")")
            if let retry = heartbeat?["retry"]?.stringValue { out.line("           retrying: \(retry)") }
            if let spool = heartbeat?["spool"]?.stringValue { out.line("           spool \(spool)") }
        } else {
            out.line("Daemon     not running (start it with 'lintas daemon'; see docs/operations.md)")
        }
        if let oldest {
            out.line("Queue      \(Render.plural(Int64(queue.queued), "command")) waiting; oldest \(oldest.command.id) (\(oldest.command.action) on "
                     + "\(oldest.command.request)), queued \(Render.time(oldest.enqueuedAt, zone)), \(Render.relative(oldest.enqueuedAt, now: now))")
        } else {
            out.line("Queue      empty")
        }
        out.line("Processed  \(queue.done) done, \(queue.refused) refused")
        if overdue.isEmpty {
            out.line("Overdue    none")
        } else {
            out.line("Overdue    \(Render.plural(Int64(overdue.count), "request")) past the deadline of their next step:")
            for state in overdue.prefix(20) {
                out.line("           \(state.request) in \(state.state) since \(Render.time(state.since, zone)) (\(Render.relative(state.since, now: now)))")
            }
            if overdue.count > 20 { out.line("           … and \(overdue.count - 20) more") }
        }
        if let last = queue.lastProcessed {
            out.line("Last batch \(Render.time(last, zone)) (\(Render.relative(last, now: now)))")
        } else {
            out.line("Last batch none yet")
        }
        if let calendar {
            out.line("Calendar   \(calendar.id), \(calendar.years.sorted().map(String.init).joined(separator: ", "))")
            if let calendarWarning { out.line("           WARNING: \(calendarWarning)") }
        } else {
            out.line("Calendar   none found: deadlines in working days are not counted (give --calendar PATH)")
        }
        return 0
    }

    /// Requests still waiting in a state whose deadline passed (`isOverdue`).
    static func overdueRequests(_ store: SQLiteStore) throws -> [RequestState] {
        var overdue: [RequestState] = []
        let marker = Array("\"reminded_for\"".utf8)
        try store.forEachRequest { stored in
            // Only projections that carry a reminder are worth decoding.
            guard stored.body.count >= marker.count,
                  (0...(stored.body.count - marker.count)).contains(where: { stored.body[$0..<$0 + marker.count].elementsEqual(marker) }),
                  let state = try? stored.decode(keepingParticipants: true), state.isOverdue
            else { return }
            overdue.append(state)
        }
        return overdue.sorted { $0.since < $1.since }
    }

    // MARK: backup

    static func backup(_ context: Context) throws -> Int32 {
        let target = context.arguments.positionals[0]
        if FileManager.default.fileExists(atPath: target) {
            context.output.error("Error: \(target) exists already; a backup never overwrites a file.")
            context.output.error("Give a new path, e.g. \(target).\(context.clock.now().civilDate(in: .wib)).")
            throw Failure()
        }
        let folder = URL(fileURLWithPath: target).deletingLastPathComponent().path
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder)
        guard exists && isFolder.boolValue else {
            context.output.error("Error: cannot back up to \(target): \(folder) " + (exists ? "is a file, not a folder." : "does not exist."))
            context.output.error("Create the folder first, or give a path in a folder that exists.")
            throw Failure()
        }
        let store = try context.openStore(reading: .scans)
        let report = try store.backup(to: target)
        if context.output.json {
            context.output.document(.object(["path": .string(target), "pages": .int(Int64(report.pages)), "events": .int(report.events),
                                             "bytes": .int(report.bytes)]))
        } else {
            context.output.line("Backed up \(context.databasePath) to \(target): \(Render.plural(report.events, "event")), "
                                + "\(report.bytes) bytes; integrity check ok.")
            context.output.line("Restore by stopping the daemon and copying \(target) over the database (see docs/operations.md).")
        }
        return 0
    }
}
