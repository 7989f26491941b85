import LintasCore
import LintasEngine
import LintasStore

/// `lintas requests`: the requests in progress and whose turn it is, across requests. Listed the
/// longest waiting first, or summed up per official (`--by-official`): who holds how many, since when.
enum WorklistCommand {
    /// One request of the worklist: its state, the definition it is pinned to, whose turn it is.
    struct Entry {
        var state: RequestState
        var definition: WorkflowDefinition?
        var awaiting: [AwaitedParty]
        var isFinal: Bool { definition?.isFinal(state.state) ?? false }

        /// The worklist's order: in its state since earlier, then by request id.
        func waitsLonger(than other: Entry) -> Bool {
            (state.since, state.request.rawValue) < (other.state.since, other.state.request.rawValue)
        }
    }

    /// The command line's filters, checked against the store, and what the scan needs to apply them.
    struct Worklist {
        let view: RequestCommands.View
        let now: Timestamp
        let today: CivilDate
        let directory: Directory?
        let workflow: WorkflowID?
        let state: String?
        let official: NIP?
        /// Ended requests are listed: `--all`, or `--state` naming a final state.
        let listsEnded: Bool
        /// States final in every loaded version of their workflow: a request in one has ended, whichever
        /// version it is pinned to, so its projection need not be decoded to know it.
        let ended: [WorkflowID: Set<String>]

        init(_ context: Context) throws {
            let arguments = context.arguments
            official = try arguments.option("awaiting").map { text in
                if let problem = NIP.problem(with: text) { throw UsageError("--awaiting takes an official's NIP: \(problem)") }
                return NIP(text)
            }
            if official != nil && arguments.has("by-official") {
                throw UsageError("--awaiting lists one official's requests, --by-official sums up every official's: give one of them")
            }
            view = try RequestCommands.View(context)
            let out = context.output
            now = context.clock.now()
            let definitions = try view.definitions.all()
            let workflow = arguments.option("workflow").map(WorkflowID.init)
            if let workflow, !definitions.contains(where: { $0.id == workflow }) {
                out.error("Error: no workflow \(workflow) in the database.")
                out.error("Loaded: \(Set(definitions.map(\.id.rawValue)).sorted().joined(separator: ", ")) (see 'lintas workflows list').")
                throw Failure()
            }
            let state = arguments.option("state")
            if let state {
                let states = Set(definitions.filter { workflow == nil || $0.id == workflow }.flatMap { $0.states.map(\.id) })
                guard states.contains(state) else {
                    out.error("Error: no state \"\(state)\" in \(workflow.map { "workflow \($0)" } ?? "any loaded workflow").")
                    out.error("Its states: \(states.sorted().joined(separator: ", ")).")
                    throw Failure()
                }
            }
            directory = try view.directories.directory(at: now)
            today = now.civilDate(in: view.zone)
            if let official, directory?.employees[official] == nil {
                out.error("Error: NIP \(official.grouped) is not in the org directory in force on \(today): nobody by that NIP can act today.")
                out.error("Check the NIP, or see 'lintas org versions' for the directory in force.")
                throw Failure()
            }
            var ended: [WorkflowID: Set<String>] = [:]
            for definition in definitions {
                let final = Set(definition.states.map(\.id).filter { definition.isFinal($0) })
                ended[definition.id] = ended[definition.id].map { $0.intersection(final) } ?? final
            }
            self.workflow = workflow
            self.state = state
            self.ended = ended
            listsEnded = arguments.has("all") || state != nil
        }

        /// Visits every request the filters keep; `awaiting` is resolved when `resolving` or `--awaiting` asks.
        func forEach(resolving: Bool, _ visit: (Entry) throws -> Void) throws {
            try view.store.forEachRequest { stored in
                if let workflow, stored.columns.workflow != workflow { return }
                if let state, stored.columns.state != state { return }
                if !listsEnded, ended[stored.columns.workflow]?.contains(stored.columns.state) == true { return }
                let state = try stored.decode(keepingParticipants: true)
                var entry = Entry(state: state, definition: try view.definitions.definition(state.definition), awaiting: [])
                if entry.isFinal, !listsEnded { return }
                if resolving || official != nil { entry.awaiting = awaiting(entry) }
                if let official, !entry.awaiting.contains(where: { $0.holders.contains { $0.nip == official } }) { return }
                try visit(entry)
            }
        }

        /// Who must act next, against the directory in force today.
        func awaiting(_ entry: Entry) -> [AwaitedParty] {
            entry.definition?.awaiting(entry.state, directory: directory, on: today) ?? []
        }
    }

    static func run(_ context: Context) throws -> Int32 {
        let limit = try context.arguments.positiveInteger("limit") ?? 100
        let worklist = try Worklist(context)
        return context.arguments.has("by-official") ? try byOfficial(worklist, context.output) : try list(worklist, limit: limit, context.output)
    }

    // MARK: the list

    static func list(_ worklist: Worklist, limit: Int, _ out: Output) throws -> Int32 {
        // The `limit` longest waiting, in order, and how many matched: memory stays flat whatever the count.
        var shown: [Entry] = []
        var total = 0
        try worklist.forEach(resolving: false) { entry in
            total += 1
            guard shown.count < limit || entry.waitsLonger(than: shown[shown.count - 1]) else { return }
            if shown.count == limit { shown.removeLast() }
            shown.insert(entry, at: shown.firstIndex { entry.waitsLonger(than: $0) } ?? shown.count)
        }
        if worklist.official == nil {
            for index in shown.indices { shown[index].awaiting = worklist.awaiting(shown[index]) }
        }
        let zone = worklist.view.zone
        if out.json {
            out.document(.object([
                "total": .int(Int64(total)),
                "requests": .array(shown.map { entry in
                    .object([
                        "request": .string(entry.state.request.rawValue), "workflow": .string(entry.state.workflow.rawValue),
                        "state": .string(entry.state.state), "state_label": .string(entry.definition?.state(entry.state.state)?.label ?? entry.state.state),
                        "final": .bool(entry.isFinal), "since": Render.iso(entry.state.since, zone),
                        "overdue": .bool(entry.state.isOverdue), "awaiting": RequestCommands.awaitingJSON(entry.awaiting),
                    ])
                }),
            ]))
            return 0
        }
        let whose = worklist.official.map { nip in "awaiting \(worklist.directory?.employees[nip]?.name ?? nip.rawValue) (NIP \(nip.grouped))" }
        guard total > 0 else {
            out.line(whose.map { "No request is \($0)." } ?? "No requests match.")
            return 0
        }
        out.line("\(Render.plural(Int64(total), "request"))\(whose.map { " " + $0 } ?? ""), the longest waiting first:")
        for entry in shown {
            let state = entry.state
            out.line("")
            out.line("\(state.request)  \(state.state) · \(entry.definition?.state(state.state)?.label ?? state.state)"
                     + (entry.isFinal ? " (final)" : "") + (state.isOverdue ? "  OVERDUE" : ""))
            out.line("    since \(Render.time(state.since, zone)) (\(Render.relative(state.since, now: worklist.now))) · \(state.workflow)")
            for party in entry.awaiting {
                out.line("    awaiting \(party.roleLabel): \(RequestCommands.people(party))")
            }
        }
        if total > shown.count { out.line("\n… and \(total - shown.count) more (--limit \(limit))") }
        return 0
    }

    // MARK: per official

    /// What waits on one official, or on an office nobody holds today.
    struct Desk {
        /// The official; `nil` for a vacant office, named by `office`.
        var holder: AwaitedParty.Holder?
        var office: String
        var requests = 0
        var overdue = 0
        var oldest: Entry

        func json(_ zone: TimeZoneOffset) -> JSONValue {
            var members: [String: JSONValue] = [
                "requests": .int(Int64(requests)), "overdue": .int(Int64(overdue)),
                "oldest": .object(["request": .string(oldest.state.request.rawValue), "since": Render.iso(oldest.state.since, zone)]),
            ]
            if let holder {
                members["nip"] = .string(holder.nip.rawValue)
                members["name"] = .string(holder.name)
                members["title"] = .string(holder.title)
            } else {
                members["vacant"] = .string(office)
            }
            return .object(members)
        }
    }

    /// Every official with requests waiting on them: how many, how many overdue, and the one waiting
    /// longest; a request several people may act on counts for each. An office nobody holds today is
    /// listed by its role, so that a vacancy holding requests up shows.
    static func byOfficial(_ worklist: Worklist, _ out: Output) throws -> Int32 {
        var desks: [String: Desk] = [:]
        var total = 0
        try worklist.forEach(resolving: true) { entry in
            total += 1
            var keys = Set<String>()
            for party in entry.awaiting {
                let holders: [AwaitedParty.Holder?] = party.holders.isEmpty ? [nil] : party.holders
                for holder in holders {
                    let key = holder.map { "nip " + $0.nip.rawValue } ?? "vacant " + party.roleLabel
                    guard keys.insert(key).inserted else { continue }
                    var desk = desks[key] ?? Desk(holder: holder, office: party.roleLabel, oldest: entry)
                    desk.requests += 1
                    if entry.state.isOverdue { desk.overdue += 1 }
                    if entry.waitsLonger(than: desk.oldest) { desk.oldest = entry }
                    desks[key] = desk
                }
            }
        }
        // The longest waiting first; among desks of one request, by office, then NIP: the same order every run.
        let ordered = desks.values.sorted {
            ($0.oldest.state.since, $0.oldest.state.request.rawValue, $0.office, $0.holder?.nip.rawValue ?? "")
                < ($1.oldest.state.since, $1.oldest.state.request.rawValue, $1.office, $1.holder?.nip.rawValue ?? "")
        }
        let zone = worklist.view.zone
        if out.json {
            out.document(.object([
                "total": .int(Int64(total)),
                "officials": .array(ordered.map { $0.json(zone) }),
            ]))
            return 0
        }
        guard total > 0 else {
            out.line("No requests match.")
            return 0
        }
        out.line("\(Render.plural(Int64(total), "request")) in progress, by whom they wait on, the longest waiting first:")
        for desk in ordered {
            out.line("")
            out.line(desk.holder.map { "\($0.name) (NIP \($0.nip.grouped)), \($0.title)" } ?? "\(desk.office): nobody holds this office today (vacant, no Plt/Plh)")
            let oldest = desk.oldest.state
            out.line("    \(Render.plural(Int64(desk.requests), "request"))" + (desk.overdue > 0 ? ", \(desk.overdue) OVERDUE" : "")
                     + "; the oldest \(oldest.request) since \(Render.time(oldest.since, zone)) (\(Render.relative(oldest.since, now: worklist.now)))")
        }
        return 0
    }
}
