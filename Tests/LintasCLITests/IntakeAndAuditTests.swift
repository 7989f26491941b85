import Foundation
import LintasCore
import TestSupport
import Testing

@Suite("lintas submit: whole files or nothing, idempotent ids")
struct SubmitTests {
    @Test("a malformed line refuses the whole file, naming its line; nothing is queued")
    func malformedLineNamesItsNumber() throws {
        let lintas = try Lintas.prepared()
        let lines = [Pemalang.submit("PML-1"), #"{"id": "x", "request": "PML-2", "action": "submit""#, Pemalang.submit("PML-3")]
        let result = try lintas.run(["submit", "-"], stdin: lines.joined(separator: "\n"))
        #expect(result.status == 1)
        #expect(result.stderr.contains("line 2"), "stderr: \(result.stderr)")
        let queued = try lintas.expectSuccess(["commands", "--json"]).json()["commands"]?.arrayValue
        #expect(queued?.isEmpty == true)
    }

    @Test("a line whose id was queued before is accepted once; an id reused for another command is refused")
    func idempotencyKeys() throws {
        let lintas = try Lintas.prepared()
        let file = lintas.folder.appendingPathComponent("commands.jsonl")
        try (Pemalang.submit("PML-1") + "\n").write(to: file, atomically: true, encoding: .utf8)
        try lintas.expectSuccess(["submit", file.path])
        let again = try lintas.expectSuccess(["submit", file.path, "--json"]).json()
        #expect(again["queued"]?.arrayValue?.isEmpty == true)
        #expect(again["duplicates"]?.arrayValue?.first?["id"]?.stringValue == "PML-1-submit")
        try lintas.expectSuccess(["daemon", "--until-idle"])
        // Resent after it was processed: still recognised, no second event.
        try lintas.expectSuccess(["submit", file.path])
        try lintas.expectSuccess(["daemon", "--until-idle"])
        #expect(try lintas.status("PML-1")["version"] == .int(1))

        var changed = Pemalang.contents
        changed["purpose"] = "Tujuan lain"
        let reused = try lintas.run(["submit", "-"], stdin: Pemalang.submit("PML-1", changed))
        #expect(reused.status == 1)
        #expect(reused.stderr.contains("PML-1-submit"), "stderr: \(reused.stderr)")
    }
}

@Suite("lintas audit: the log proves itself")
struct AuditProcessTests {
    func accepted() throws -> Lintas {
        let lintas = try Lintas.prepared()
        let request = "PML-1"
        try lintas.process([
            Pemalang.submit(request, Pemalang.inForce),
            Pemalang.line("r", request, "recommend", Pemalang.kadisKominfo, day: 3),
            Pemalang.line("a", request, "approve", Pemalang.kabidAptika, day: 4, ["nominees": .array([.string(Pemalang.prakomMuda)])]),
            Pemalang.line("i", request, "issue_letter", Pemalang.kadisKominfo, day: 5),
            Pemalang.line("e", request, "accept", Pemalang.prakomMuda, day: 6),
        ])
        return lintas
    }

    @Test("the events table refuses UPDATE and DELETE")
    func appendOnly() throws {
        let lintas = try accepted()
        #expect(lintas.sql("UPDATE events SET state = 'rejected' WHERE seq = 2")?.contains("append-only") == true)
        #expect(lintas.sql("DELETE FROM events WHERE seq = 5")?.contains("append-only") == true)
        #expect(try lintas.expectSuccess(["audit"]).stdout.contains("Audit clean: 5 events in 1 request"))
    }

    @Test("one byte changed in a stored event fails the audit, naming that event")
    func tamperedEventIsNamed() throws {
        let lintas = try accepted()
        #expect(lintas.sql("""
            DROP TRIGGER events_refuse_update;
            UPDATE events SET data = replace(data, '198903262015031002', '198903262015031003') WHERE seq = 3;
            """) == nil)
        let audit = try lintas.run(["audit"])
        #expect(audit.status == 1)
        #expect(audit.stderr.contains("First bad: event #3"), "stderr: \(audit.stderr)")
        let json = try lintas.run(["audit", "--json"]).json()
        #expect(json["clean"] == .bool(false))
        #expect(json["findings"]?.arrayValue?.first?["sequence"] == .int(3))
    }

    @Test("a projection that does not match the replayed log fails the audit")
    func projectionMismatch() throws {
        let lintas = try accepted()
        #expect(lintas.sql("UPDATE requests SET state = 'rejected' WHERE request = 'PML-1'") == nil)
        let audit = try lintas.run(["audit", "PML-1"])
        #expect(audit.status == 1)
        #expect(audit.stderr.contains("PML-1"), "stderr: \(audit.stderr)")
    }
}
