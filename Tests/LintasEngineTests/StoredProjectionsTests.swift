import LintasCore
import LintasEngine
@testable import LintasStore
import Testing

/// Schema version 11: a projection is stored without what its row's columns hold (request,
/// workflow, state, version, updated) and without empty warnings, and read back whole.
@Suite("Projections stored without their columns' members, read back whole")
struct StoredProjectionsTests {
    func run() throws -> Harness {
        let harness = try Harness()
        try harness.submit(Lines.accepted("PML-1") + Lines.accepted("PML-2"))
        try harness.drain()
        return harness
    }

    func bodies(_ store: SQLiteStore) throws -> [String] {
        try store.connection.query("SELECT body FROM requests ORDER BY request") { $0.text(0) }
    }

    @Test("the stored body keeps none of the columns' members; status, replay and audit read the state as before")
    func storedWithoutColumns() throws {
        let harness = try run()
        let stored = try bodies(harness.store)
        #expect(stored.count == 2)
        for body in stored {
            for member in [#""request":"#, #""workflow":"#, #""updated":"#, #""state":"#, #""warnings":[]"#] {
                #expect(!body.contains(member), "\(member) in \(body)")
            }
        }
        for request in ["PML-1", "PML-2"].map(RequestID.init) {
            let row = try #require(try harness.store.request(request))
            let state = try row.decode()
            #expect(state.request == request && state.state == row.columns.state && state.version == row.columns.version)
            #expect(row.body == state.canonicalBytes, "read back whole, byte for byte the canonical state")
        }
        #expect(try Audit.run(harness.store).isClean)
    }

    @Test("stored and whole give back the canonical bytes, with warnings and a reminder; a body not in either form is read as stored")
    func roundTrip() throws {
        let harness = try run()
        var state = try #require(try harness.state("PML-1"))
        for (warnings, reminded) in [([], nil), (["a \"quoted\", \"since\":1 warning"], state.since)] as [([String], Timestamp?)] {
            state.warnings = warnings
            state.remindedFor = reminded
            let whole = state.canonicalBytes
            let stored = try #require(StoredProjections.stored(whole))
            #expect(stored.count < whole.count - 70)
            #expect(StoredProjections.whole(stored, request: state.request, columns: .init(of: state)) == whole)
            #expect(StoredProjections.stored(stored) == nil, "already stored so")
            #expect(StoredProjections.whole(whole, request: state.request, columns: .init(of: state)) == whole, "whole already")
        }
    }

    @Test("a column changed after the fact makes the projection disagree with replay, and audit names the request")
    func alteredColumn() throws {
        let harness = try run()
        try harness.tamper("UPDATE requests SET version = 9 WHERE request = 'PML-1'")
        let report = try Audit.run(harness.store)
        #expect(report.findings.contains { $0.request == "PML-1" }, "\(report.findings)")
        #expect(!report.findings.contains { $0.request == "PML-2" })
    }

    @Test("a version-10 file, its projections whole: opened, every body is stored without its columns' members, the states read as before, the audit clean")
    func versionTenFile() throws {
        let harness = try run()
        let before = try ["PML-1", "PML-2"].map { try harness.store.request(RequestID($0)) }
        for row in before.compactMap({ $0 }) {
            try harness.store.connection.run("UPDATE requests SET body = ? WHERE request = ?", [.utf8(row.body), .text(row.request.rawValue)])
        }
        try harness.tamper("PRAGMA user_version = 10")
        #expect(try bodies(harness.store).allSatisfy { $0.contains(#""workflow":"#) })

        let reopened = try SQLiteStore(path: harness.store.path, create: false)
        #expect(try reopened.connection.query("PRAGMA user_version") { $0.int64(0) }.first == SQLiteStore.schemaVersion)
        #expect(try bodies(reopened).allSatisfy { !$0.contains(#""workflow":"#) })
        #expect(try ["PML-1", "PML-2"].map { try reopened.request(RequestID($0)) } == before)
        #expect(try Audit.run(reopened).isClean)
    }
}
