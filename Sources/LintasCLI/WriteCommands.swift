import Foundation
import LintasCore
import LintasEngine
import LintasStore

/// Commands that write: submit, daemon, workflows, org.
enum WriteCommands {
    // MARK: submit

    static func submit(_ context: Context) throws -> Int32 {
        let path = context.arguments.positionals[0]
        let bytes: [UInt8]
        let source: String
        if path == "-" {
            bytes = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
            source = "stdin"
        } else {
            bytes = try DocumentFile.bytes(path)
            source = path
        }
        let store = try context.openStore(create: true)
        let report = try Intake.submit(bytes, source: source, to: store, now: context.clock.now())
        // A resent id is answered with what became of it the first time.
        let earlier = try report.duplicateIDs.map { id in try store.commands(CommandFilter(id: id, limit: 1)).first }
        let out = context.output
        if out.json {
            let zone = (try? DirectoryCatalog(store: store).timeZone()) ?? .wib
            out.document(.object([
                "queued": .array(zip(report.queuedLines, report.queuedIDs).map { .object(["line": .int(Int64($0)), "id": .string($1.rawValue)]) }),
                "duplicates": .array(zip(zip(report.duplicateLines, report.duplicateIDs), earlier).map { pair, record in
                    var members: [String: JSONValue] = ["line": .int(Int64(pair.0)), "id": .string(pair.1.rawValue)]
                    if let record {
                        members["status"] = .string(record.status.rawValue)
                        members["outcome"] = Render.command(record, zone)
                    }
                    return .object(members)
                }),
            ]))
            return 0
        }
        out.line("Queued \(Render.plural(Int64(report.queuedIDs.count), "command")) from \(source).")
        if !report.duplicateIDs.isEmpty {
            out.line("Skipped \(Render.plural(Int64(report.duplicateIDs.count), "command")) already queued with the same id and content; their first outcome stands:")
            for ((line, id), record) in zip(zip(report.duplicateLines, report.duplicateIDs), earlier) {
                let outcome: String
                switch (record?.status, record?.refusal) {
                case (.done?, _): outcome = "done" + (record?.firstEvent.map { ", event #\($0)" } ?? "")
                case (.refused?, let refusal?): outcome = "refused (\(refusal.code)): \(refusal.message)"
                default: outcome = "still queued"
                }
                out.line("  line \(line): \(id): \(outcome)")
            }
        }
        if !report.queuedIDs.isEmpty { out.line("Run 'lintas daemon' (or 'lintas daemon --until-idle') to process them.") }
        return 0
    }

    // MARK: daemon

    static func daemon(_ context: Context) throws -> Int32 {
        var options = Daemon.Options()
        options.untilIdle = context.arguments.has("until-idle")
        options.batchSize = try context.arguments.positiveInteger("batch") ?? options.batchSize
        options.commitEach = context.arguments.has("commit-each")
        options.claimBatches = try context.arguments.positiveInteger("claim-batches") ?? options.claimBatches
        options.pollMilliseconds = try context.arguments.positiveInteger("poll-ms") ?? options.pollMilliseconds
        var level = Logger.Level.info
        if let name = context.arguments.option("log-level") {
            guard let parsed = Logger.Level(name: name) else {
                throw UsageError("--log-level takes \(Logger.Level.allCases.map(\.name).joined(separator: ", ")), not \"\(name)\"")
            }
            level = parsed
        }
        options.timerIntervalMilliseconds = Int64(try context.arguments.positiveInteger("timer-seconds") ?? 60) * 1000
        options.calendar = try workingCalendar(context)
        let spool = try context.arguments.option("spool").map { path throws(SpoolError) in try Spool(root: path) }
        let store = try SQLiteStore(path: context.databasePath, create: true, busyTimeout: try context.busyMilliseconds(),
                                    pageCacheKilobytes: Daemon.pageCacheKilobytes,
                                    gatherWALWrites: true)
        let lock = try DaemonLock(database: context.databasePath)
        let stop = StopFlag()
        let sources = stop.installSignalHandlers()
        defer { sources.forEach { $0.cancel() } }
        let daemon = Daemon(processor: try Processor(store: store, batchSize: options.batchSize), clock: context.clock,
                            logger: Logger(level: level, clock: context.clock), options: options, stop: stop,
                            spool: spool, lock: lock)
        _ = try daemon.run()
        return 0
    }

    // MARK: workflows

    static func workflowsCheck(_ context: Context) throws -> Int32 {
        let path = try context.workflowsPath(context.arguments.positionals.first)
        let report = DataFiles.check(path)
        let out = context.output
        if out.json {
            out.document(.object([
                "regulations": .array(report.regulations.map { .object(["path": .string($0.path), "id": .string($0.regulation.id)]) }),
                "workflows": .array(report.workflows.map { .object(["path": .string($0.path), "id": .string($0.definition.id.rawValue),
                                                                    "hash": .string($0.definition.hash.rawValue)]) }),
                "calendars": .array(report.calendars.map { .object(["path": .string($0.path), "id": .string($0.calendar.id),
                                                                    "years": .array($0.calendar.years.sorted().map { .int(Int64($0)) }),
                                                                    "days_off": .int(Int64($0.calendar.daysOff.count))]) }),
                "directories": .array(report.directories.map { .object(["path": .string($0.path), "effective_from": .string($0.directory.effectiveFrom.description)]) }),
                "problems": problemsJSON(report.failures),
                "warnings": problemsJSON(report.warnings),
            ]))
        } else {
            for file in report.regulations {
                out.line("ok      \(file.path): regulation \(file.regulation.id) (\(file.regulation.short), in force from \(file.regulation.inForceFrom))"
                         + (file.regulation.appraisers.rules.isEmpty ? "" : ", \(file.regulation.appraisers.rules.count) PPK rules (\(file.regulation.appraisers.article))"))
            }
            for file in report.workflows {
                out.line("ok      \(file.path): workflow \(file.definition.id) (\(file.definition.regulation.short), \(file.definition.article)), "
                         + "\(file.definition.states.count) states, \(file.definition.transitions.count) transitions")
            }
            for file in report.calendars {
                let days = file.calendar.daysOff.values
                out.line("ok      \(file.path): calendar \(file.calendar.id), \(days.filter { $0.kind == .liburNasional }.count) hari libur nasional and "
                         + "\(days.filter { $0.kind == .cutiBersama }.count) cuti bersama in \(file.calendar.years.sorted().map(String.init).joined(separator: ", "))")
            }
            for file in report.directories {
                out.line("ok      \(file.path): org directory of \(file.directory.regency) from \(file.directory.effectiveFrom), "
                         + "\(file.directory.units.count) units, \(file.directory.employees.count) employees")
            }
            for failure in report.failures {
                for problem in failure.problems { out.error("invalid \(failure.source): \(problem)") }
            }
            printWarnings(report.warnings, out)
        }
        return report.failures.isEmpty ? 0 : 1
    }

    /// `[{"file", "path", "message"}]`: the problems or warnings of each file.
    private static func problemsJSON(_ documents: [InvalidDocument]) -> JSONValue {
        .array(documents.flatMap { document in
            document.problems.map { .object(["file": .string(document.source), "path": .string($0.path), "message": .string($0.message)]) }
        })
    }

    /// Warnings go to stderr, one a line: `warning FILE: PATH: MESSAGE`; they do not change the exit status.
    private static func printWarnings(_ documents: [InvalidDocument], _ out: Output) {
        for document in documents {
            for problem in document.problems { out.error("warning \(document.source): \(problem)") }
        }
    }

    static func workflowsGraph(_ context: Context) throws -> Int32 {
        let name = context.arguments.option("format") ?? "dot"
        guard let format = WorkflowDefinition.GraphFormat(rawValue: name) else {
            throw UsageError("--format takes \(WorkflowDefinition.GraphFormat.allCases.map(\.rawValue).joined(separator: " or ")), not \"\(name)\"")
        }
        let report = DataFiles.check(try context.workflowsPath(context.arguments.option("workflows")))
        guard let name = context.arguments.positionals.first else {
            guard format == .mermaid else { throw UsageError("without ID, every workflow is drawn as Markdown: give --format mermaid") }
            if !report.failures.isEmpty { throw InvalidDocuments(documents: report.failures) }
            context.output.text(proceduresMarkdown(report.workflows.map(\.definition)))
            return 0
        }
        let id = WorkflowID(name)
        guard let file = report.workflows.first(where: { $0.definition.id == id }) else {
            context.output.error("Error: no workflow \(id) in the workflows folder.")
            context.output.error("Known: \(report.workflows.map(\.definition.id.rawValue).sorted().joined(separator: ", ")).")
            for failure in report.failures { context.output.error("invalid \(failure)") }
            throw Failure()
        }
        context.output.text(file.definition.graph(format))
        return 0
    }

    /// Every procedure as a Mermaid diagram, grouped by regulation: `docs/procedures.md`.
    static func proceduresMarkdown(_ definitions: [WorkflowDefinition]) -> String {
        var text = """
            # The procedures, drawn

            Every workflow in `workflows/`, grouped by regulation: each edge names the action, the office
            that takes it and the article that prescribes it. Generated by
            `lintas workflows graph --format mermaid > docs/procedures.md`; a test fails when this page
            no longer matches the files.

            """
        let byRegulation = Dictionary(grouping: definitions, by: \.regulation.id)
        for regulationID in byRegulation.keys.sorted() {
            let group = byRegulation[regulationID]!.sorted { $0.id.rawValue < $1.id.rawValue }
            let regulation = group[0].regulation
            text += "\n## \(regulation.short)\n\n\(regulation.title), in force from \(regulation.inForceFrom).\n"
            for definition in group {
                text += "\n### \(definition.title), \(definition.article)\n\n"
                text += "`\(definition.id)` · \(definition.mode.rawValue) · \(definition.scope.rawValue)\n\n"
                text += "```mermaid\n\(definition.graph(.mermaid))```\n"
            }
        }
        return text
    }

    static func workflowsLoad(_ context: Context) throws -> Int32 {
        let path = try context.workflowsPath(context.arguments.positionals.first)
        // The files first: a wrong path or a bad file neither creates nor upgrades the database.
        let files = try Loading.readWorkflows(from: path) { warnings in Self.printWarnings(warnings, context.output) }
        let store = try context.openStore(create: true)
        let results = try Loading.loadWorkflows(files, into: store, now: context.clock.now())
        for (file, change) in results {
            let what = switch change {
            case .added: "loaded"
            case .unchanged: "unchanged"
            case .reinstated: "reinstated"
            }
            context.output.line("\(what.padding(toLength: 10, withPad: " ", startingAt: 0)) \(file.definition.id) \(file.definition.hash.short) from \(file.path)")
        }
        return 0
    }

    static func workflowsList(_ context: Context) throws -> Int32 {
        let store = try context.openStore(reading: .once)
        let catalog = try DefinitionCatalog(store: store)
        let versions = try store.definitionVersions()
        var rows: [JSONValue] = []
        for version in versions {
            let definition = try catalog.definition(version.hash)
            rows.append(.object([
                "id": .string(version.workflow.rawValue), "hash": .string(version.hash.rawValue), "current": .bool(version.isCurrent),
                "title": .string(definition?.title ?? ""), "regulation": .string(definition?.regulation.short ?? ""),
                "article": .string(definition?.article ?? ""), "loaded": .string(version.loadedAt.description),
            ]))
            if !context.output.json {
                let marker = version.isCurrent ? "current" : "older  "
                context.output.line("\(marker)  \(version.workflow)  \(version.hash.short)  \(definition?.regulation.short ?? "?"), \(definition?.article ?? "?") · \(definition?.title ?? "?")")
            }
        }
        if context.output.json { context.output.document(.object(["workflows": .array(rows)])) }
        if versions.isEmpty && !context.output.json { context.output.line("No workflows loaded. Load them with 'lintas workflows load'.") }
        return 0
    }

    // MARK: org

    static func orgImport(_ context: Context) throws -> Int32 {
        // The files first: a wrong path or a bad file neither creates nor upgrades the database.
        let file = try Loading.readDirectory(from: context.arguments.positionals[0], employees: context.arguments.option("employees"))
        let store = try context.openStore(create: true)
        let version = try Loading.importDirectory(file, into: store, now: context.clock.now())
        let directory = file.directory
        if version.isNew {
            context.output.line("Imported the org directory of \(directory.regency) in force from \(directory.effectiveFrom) as version \(version.version): "
                                + "\(directory.units.count) units, \(directory.positions.count) positions, \(directory.employees.count) employees, \(directory.acting.count) acting (Plt/Plh).")
        } else {
            context.output.line("Unchanged: this directory was already imported as version \(version.version).")
        }
        return 0
    }

    static func orgVersions(_ context: Context) throws -> Int32 {
        let store = try context.openStore(reading: .once)
        let versions = try store.directoryVersions()
        if context.output.json {
            context.output.document(.object(["versions": .array(versions.map {
                .object(["version": .int($0.version), "effective_from": .string($0.effectiveFrom.description), "hash": .string($0.hash),
                         "imported": .string($0.importedAt.description), "source": .string($0.source)])
            })]))
        } else if versions.isEmpty {
            context.output.line("No org directory imported. Import one with 'lintas org import FILE'.")
        } else {
            for version in versions {
                context.output.line("version \(version.version)  in force from \(version.effectiveFrom)  \(version.hash.prefix(12))  from \(version.source)")
            }
        }
        return 0
    }

    /// The working-day calendar deadlines are counted in: `--calendar PATH`, else the one shipped beside the workflows.
    static func workingCalendar(_ context: Context) throws -> WorkingCalendar? {
        let calendarPath = context.arguments.option("calendar")
            ?? WorkflowsFolder.locate().map { ($0 as NSString).appendingPathComponent("calendars") }.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
        let calendar = try calendarPath.flatMap { try Calendars.load($0) }
        if context.arguments.option("calendar") != nil && calendar == nil {
            throw UsageError("--calendar \(calendarPath ?? ""): no calendar file (\"format\": \"\(WorkingCalendar.format)\") there")
        }
        return calendar
    }
}
