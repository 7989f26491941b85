import LintasCore
import LintasEngine
import LintasStore

/// `lintas export ekinerja`: accepted assignments as e-Kinerja records additional work.
enum ExportCommand {
    static func ekinerja(_ context: Context) throws -> Int32 {
        let format = context.arguments.option("format") ?? "json"
        guard ["json", "csv"].contains(format) else { throw UsageError("--format must be json or csv, not '\(format)'") }
        let from = try date("from", context), to = try date("to", context)
        if let from, let to, to < from { throw UsageError("--to \(to) is before --from \(from)") }
        let view = try RequestCommands.View(context)
        let request = context.arguments.positionals.first.map(RequestID.init)
        if let request {
            let state = try view.state(request, context)
            if try !EKinerjaExport.AcceptedStates(store: view.store).contains(state) {
                context.output.error("Error: request \(request) is \(state.state), not accepted: only an accepted assignment is recorded in e-Kinerja "
                                     + "(a state its workflow marks \"assignment_accepted\", or ended).")
                return 1
            }
        }
        let rows = try EKinerjaExport.rows(in: view.store, request: request, from: from, to: to, zone: view.zone)
        if format == "csv" {
            context.output.text(EKinerjaExport.csv(rows))
        } else {
            context.output.document(.object(["format": "lintas.ekinerja/1", "hasil_kerja_tambahan": EKinerjaExport.json(rows)]))
        }
        return 0
    }

    private static func date(_ name: String, _ context: Context) throws(UsageError) -> CivilDate? {
        guard let text = context.arguments.option(name) else { return nil }
        guard let date = CivilDate(iso: text) else { throw UsageError("--\(name) takes a date such as 2026-04-01, not \"\(text)\"") }
        return date
    }
}
