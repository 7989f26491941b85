import LintasCore
import LintasEngine
import LintasStore

/// Read commands about requests: status, history, replay, commands.
enum RequestCommands {
    /// Explains on stderr a request the log does not hold (never opened, or never asked for)
    /// and fails with exit 1; `status`, `history`, `audit REQ` and the letter commands share it.
    static func explainUnknown(_ id: RequestID, store: SQLiteStore, _ context: Context) throws -> Never {
        let commands = try store.commands(CommandFilter(request: id, limit: 20))
        context.output.error("Error: no request \(id).")
        if commands.isEmpty {
            context.output.error("No command was ever queued for it; check the id, or see 'lintas commands'.")
        } else {
            let refused = commands.filter { $0.status == .refused }.count
            let queued = commands.filter { $0.status == .queued }.count
            context.output.error("It was never opened: \(Render.plural(Int64(commands.count), "command")) for it "
                                 + "(\(refused) refused, \(queued) still queued):")
            for record in commands { context.output.error("  " + Render.commandLine(record)) }
        }
        throw Failure()
    }

    /// Everything a read command needs to describe a request in the regency's terms.
    struct View {
        let store: SQLiteStore
        let definitions: DefinitionCatalog
        let directories: DirectoryCatalog
        let zone: TimeZoneOffset

        init(_ context: Context) throws {
            store = try context.openStore(reading: .once)
            definitions = try DefinitionCatalog(store: store)
            directories = try DirectoryCatalog(store: store)
            zone = try directories.timeZone()
        }

        /// The stored state of a request, or an explanation on stderr and exit 1.
        func state(_ id: RequestID, _ context: Context) throws -> RequestState {
            guard let body = try store.stateBody(of: id) else { try RequestCommands.explainUnknown(id, store: store, context) }
            // Looked at, not stepped: its participants kept as stored until asked for.
            return try RequestState(bytes: body, keepingParticipants: true)
        }

        /// A field's value for people: unit names, employee names, periods.
        func describe(_ name: String, _ value: JSONValue, definition: WorkflowDefinition?, directory: Directory?) -> String {
            switch definition?.fieldKinds[name] {
            case .unit?:
                let id = value.stringValue ?? ""
                return directory?.units[UnitID(id)].map { "\($0.name) (\(id))" } ?? id
            case .employees?:
                return (value.arrayValue ?? []).compactMap(\.stringValue).map { nip in
                    directory?.employees[NIP(nip)].map { "\($0.name) (NIP \(nip))" } ?? nip
                }.joined(separator: ", ")
            default:
                return Render.fieldValue(value)
            }
        }
    }

    // MARK: status

    static func status(_ context: Context) throws -> Int32 {
        let view = try View(context)
        let state = try view.state(RequestID(context.arguments.positionals[0]), context)
        if context.output.json {
            context.output.document(try statusJSON(state, view: view, now: context.clock.now()))
        } else {
            try printStatus(state, view: view, now: context.clock.now(), output: context.output)
        }
        return 0
    }

    /// Who must act next, resolved against the directory in force now; nobody, and no directory
    /// read, in a state no transition leaves (an ended request).
    static func awaiting(_ state: RequestState, _ definition: WorkflowDefinition?, view: View, now: Timestamp) throws -> [AwaitedParty] {
        guard let definition, !definition.transitions(from: state.state).isEmpty else { return [] }
        return definition.awaiting(state, directory: try view.directories.directory(at: now), on: now.civilDate(in: view.zone))
    }

    static func statusJSON(_ state: RequestState, view: View, now: Timestamp) throws -> JSONValue {
        let definition = try view.definitions.definition(state.definition)
        let awaiting = try awaiting(state, definition, view: view, now: now)
        return .object([
            "request": .string(state.request.rawValue), "workflow": .string(state.workflow.rawValue),
            "definition": .string(state.definition.rawValue), "state": .string(state.state),
            "state_label": .string(definition?.state(state.state)?.label ?? state.state),
            "final": .bool(definition?.isFinal(state.state) ?? false), "version": .int(Int64(state.version)),
            "since": Render.iso(state.since, view.zone), "updated": Render.iso(state.updated, view.zone),
            "awaiting": awaitingJSON(awaiting),
            "fields": .object(state.fields), "warnings": .array(state.warnings.map(JSONValue.string)),
            "letters": .array(try IssuedLetters.load(state, in: view.store).map(letterJSON)),
        ])
    }

    /// The parties whose turn it is, as `status --json` and `requests --json` list them.
    static func awaitingJSON(_ parties: [AwaitedParty]) -> JSONValue {
        .array(parties.map { party in
            .object([
                "role": .string(party.role), "label": .string(party.roleLabel),
                "people": .array(party.holders.map { .object(["nip": .string($0.nip.rawValue), "name": .string($0.name),
                                                              "title": .string($0.title), "capacity": .string($0.capacity.rawValue)]) }),
                "actions": .array(party.steps.map { .object(["action": .string($0.action), "label": .string($0.label), "article": .string($0.article)]) }),
            ])
        })
    }

    /// Who can act for a party, as status and the worklist print them.
    static func people(_ party: AwaitedParty) -> String {
        party.holders.isEmpty
            ? "nobody holds this office today (vacant, no Plt/Plh)"
            : party.holders.map { "\($0.name) (NIP \($0.nip.grouped)), \($0.title)" }.joined(separator: "; ")
    }

    /// A letter as `status --json` lists it: its reference, and its signer from the content in its event.
    static func letterJSON(_ letter: IssuedLetter) -> JSONValue {
        let reference = letter.reference
        var members = LetterCommands.members(of: reference, request: letter.request)
        members["version"] = .int(Int64(reference.version))
        members["signer"] = .null
        if let signature = letter.record.content?["signature"] {
            var signer: [String: JSONValue] = [:]
            for key in ["name", "nip", "title", "capacity", "on_behalf_of"] { signer[key] = signature[key] }
            members["signer"] = .object(signer)
        }
        return .object(members)
    }

    static func printStatus(_ state: RequestState, view: View, now: Timestamp, output out: Output) throws {
        let definition = try view.definitions.definition(state.definition)
        let awaiting = try awaiting(state, definition, view: view, now: now)
        let isFinal = definition?.isFinal(state.state) ?? false
        out.line("Request   \(state.request)")
        if let definition {
            out.line("Workflow  \(definition.title) (\(definition.id))")
            out.line("          \(definition.regulation.short), \(definition.article) · definition \(state.definition.short)")
        } else {
            out.line("Workflow  \(state.workflow) · definition \(state.definition.short) (not in the store: run 'lintas audit')")
        }
        out.line("State     \(state.state) · \(definition?.state(state.state)?.label ?? state.state)\(isFinal ? " (final)" : "")")
        out.line("Since     \(Render.time(state.since, view.zone)) (\(Render.relative(state.since, now: now)))")
        if isFinal {
            out.line("Awaiting  nobody: the request has ended")
        } else if awaiting.isEmpty {
            out.line("Awaiting  nobody can act in this state (check the workflow)")
        }
        for (index, party) in awaiting.enumerated() {
            out.line((index == 0 ? "Awaiting  " : "          ") + "\(party.roleLabel): \(people(party))")
            for step in party.steps {
                out.line("            \(step.action) · \(step.label) · \(step.article)")
            }
        }
        for letter in state.letters {
            out.line("Letter    \(letter.label) " + (letter.numbered ? "Nomor \(letter.number)" : "(\(LetterView.noNumber))") + (letter.date.map { ", \($0)" } ?? ""))
        }
        if let reason = state.fields["reason"]?.stringValue, definition?.isFinal(state.state) ?? false {
            out.line("Reason    \(reason)")
        }
        for warning in state.warnings { out.line("Warning   \(warning)") }
    }

    // MARK: history

    static func history(_ context: Context) throws -> Int32 {
        let view = try View(context)
        let id = RequestID(context.arguments.positionals[0])
        let state = try view.state(id, context)
        let definition = try view.definitions.definition(state.definition)
        var entries: [JSONValue] = []
        let out = context.output
        if !out.json { out.line("History of \(id) · \(definition?.title ?? state.workflow.rawValue)") }
        for row in try view.store.events(of: id) {
            let event = try row.decode()
            let directory = try view.directories.directory(at: event.at)
            let label = definition?.transitions.first { $0.action == event.action }?.label ?? Timers.labels[event.action] ?? event.action
            let detail = event.detail
            if out.json {
                var members: [String: JSONValue] = [
                    "sequence": .int(row.sequence), "version": .int(Int64(event.version)), "action": .string(event.action),
                    "label": .string(label), "state": .string(event.state), "at": Render.iso(event.at, view.zone),
                    "recorded": Render.iso(event.recorded, view.zone), "article": .string(detail.article),
                    "actor": .object(["nip": .string(event.actor.rawValue), "name": .string(detail.actorName), "title": .string(detail.actorTitle),
                                      "capacity": .string(detail.capacity.rawValue), "role": .string(detail.role)]),
                    "fields": .object(detail.fields), "command": .string(event.command.rawValue),
                    "hash": .string(Digest(bytes: row.hash)?.hex ?? ""),
                ]
                if let letter = detail.letter {
                    members["letter"] = .object(["type": .string(letter.type), "label": .string(letter.label),
                                                 "number": letter.numbering == .none ? .null : .string(letter.number)])
                }
                if !detail.warnings.isEmpty { members["warnings"] = .array(detail.warnings.map(JSONValue.string)) }
                entries.append(.object(members))
                continue
            }
            out.line("")
            out.line("\(event.version). \(Render.time(event.at, view.zone))  \(event.action) · \(label) → \(event.state)")
            out.line("   by       \(detail.actorName)\(event.actor == Timers.actor ? "" : " (NIP \(event.actor.grouped))"), \(detail.actorTitle)")
            out.line("   article  \(detail.article)")
            if let reason = detail.fields["reason"] { out.line("   reason   \(Render.fieldValue(reason))") }
            if let letter = detail.letter {
                out.line("   letter   \(letter.label) " + (letter.numbering == .none ? "(\(LetterView.noNumber))" : "Nomor \(letter.number)"))
            }
            // In the order the transition declares its fields, with its labels.
            let specs = definition?.transitions.first { $0.action == event.action }?.fields ?? []
            let names = specs.map(\.name).filter { detail.fields[$0] != nil } + detail.fields.keys.sorted().filter { name in !specs.contains { $0.name == name } }
            for name in names where name != "reason" {
                let fieldLabel = specs.first { $0.name == name }?.label ?? name
                out.line("   \(fieldLabel): \(view.describe(name, detail.fields[name]!, definition: definition, directory: directory))")
            }
            for warning in detail.warnings { out.line("   warning  \(warning)") }
            if event.recorded != event.at { out.line("   recorded \(Render.time(event.recorded, view.zone))") }
        }
        if out.json { out.document(.object(["request": .string(id.rawValue), "events": .array(entries)])) }
        return 0
    }

    // MARK: replay

    static func replay(_ context: Context) throws -> Int32 {
        let version = try context.arguments.positiveInteger("version")
        let view = try View(context)
        let id = RequestID(context.arguments.positionals[0])
        let steps: [Replay.Step]
        do {
            steps = try Replay.steps(of: id, in: view.store, upTo: version)
        } catch let error as StoreError where error.code == .notFound {
            _ = try view.state(id, context)
            throw error
        }
        if let version, let last = steps.last?.event.version, version > last {
            context.output.error("Error: request \(id) has only \(Render.plural(Int64(last), "event")); --version takes 1 to \(last), not \(version).")
            context.output.error("See 'lintas history \(id)' for its events.")
            throw Failure()
        }
        let out = context.output
        if out.json {
            out.document(.object(["request": .string(id.rawValue), "steps": .array(steps.map { step in
                .object(["sequence": .int(step.stored.sequence), "version": .int(Int64(step.event.version)),
                         "action": .string(step.event.action), "state": step.state.json])
            })]))
            return 0
        }
        for step in steps {
            out.line("v\(step.event.version)  \(Render.time(step.event.at, view.zone))  \(step.event.action) by \(step.event.detail.actorName) → \(step.state.state)")
        }
        if let last = steps.last {
            out.line("")
            out.line("State after version \(last.state.version): \(last.state.state), since \(Render.time(last.state.since, view.zone))")
            for name in last.state.fields.keys.sorted() {
                out.line("  \(name): \(Render.fieldValue(last.state.fields[name]!))")
            }
        }
        return 0
    }

    // MARK: commands

    static func commands(_ context: Context) throws -> Int32 {
        var filter = CommandFilter(limit: try context.arguments.positiveInteger("limit") ?? 100)
        if let status = context.arguments.option("status") {
            guard let parsed = CommandStatus(rawValue: status) else {
                throw UsageError("--status takes \(CommandStatus.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(status)\"")
            }
            filter.status = parsed
        }
        filter.request = context.arguments.option("request").map(RequestID.init)
        filter.id = context.arguments.option("id").map(CommandID.init)
        let view = try View(context)
        let records = try view.store.commands(filter)
        if context.output.json {
            context.output.document(.object(["commands": .array(records.map { Render.command($0, view.zone) })]))
        } else if records.isEmpty {
            context.output.line("No commands match.")
        } else {
            for record in records { context.output.line(Render.commandLine(record)) }
        }
        return 0
    }
}
