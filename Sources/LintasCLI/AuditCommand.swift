import LintasCore
import LintasEngine
import LintasStore

enum AuditCommand {
    static func run(_ context: Context) throws -> Int32 {
        let store = try context.openStore(reading: .scans)
        let request = context.arguments.positionals.first.map(RequestID.init)
        let checkpoint = try CheckpointCommands.auditFindings(context, store: store)
        var report: Audit.Report
        do {
            report = try Audit.run(store, request: request)
        } catch let error as StoreError where error.code == .notFound && request != nil {
            // A request the log does not know: explained as status explains it, on this connection.
            try RequestCommands.explainUnknown(request!, store: store, context)
        }
        report.findings += checkpoint ?? []
        let out = context.output
        if out.json {
            out.document(.object([
                "clean": .bool(report.isClean), "requests": .int(Int64(report.requests)), "events": .int(Int64(report.events)),
                "definitions": .int(Int64(report.definitions)),
                "findings": .array(report.findings.map { finding in
                    var members: [String: JSONValue] = ["message": .string(finding.message)]
                    if let sequence = finding.sequence { members["sequence"] = .int(sequence) }
                    if let request = finding.request { members["request"] = .string(request.rawValue) }
                    if let version = finding.version { members["version"] = .int(Int64(version)) }
                    return .object(members)
                }),
            ]))
        } else if report.isClean {
            out.line("Audit clean: \(Render.plural(Int64(report.events), "event")) in \(Render.plural(Int64(report.requests), "request")); "
                     + "every hash matches its event, the sequence has no gaps, and replaying the log gives every stored state.")
            if checkpoint != nil, let file = context.arguments.option("checkpoint") {
                out.line("Checkpoint \(file): signed by the key given, and the log still holds, unchanged, every event it covered.")
            }
        } else {
            out.error("Audit FAILED: \(Render.plural(Int64(report.findings.count), "finding")) in \(Render.plural(Int64(report.events), "event")).")
            out.error("First bad: \(report.findings[0])")
            for finding in report.findings.dropFirst().prefix(50) { out.error("  \(finding)") }
            if report.findings.count > 51 { out.error("  … and \(report.findings.count - 51) more (use --json for all)") }
        }
        return report.isClean ? 0 : 1
    }
}
