import Foundation
import LintasCore
import LintasEngine
import LintasStore
import TestSupport
import Testing

/// Directory versions in a real SQLite file: a decision is checked against the directory in
/// force on its date, and what it resolved stays in its event.
@Suite("Org directory versions: decisions against the directory of their date, replay independent of later versions")
struct DirectoryHistoryTests {
    /// The Pemalang sample directory with some members changed, imported as another version into the harness's store.
    static func importVersion(_ harness: Harness, _ change: (inout [String: JSONValue]) -> Void) throws {
        var members = try DocumentFile.read(Harness.repository.appendingPathComponent(Pemalang.directory).path).objectValue!
        change(&members)
        let file = Scratch.file("pemalang", extension: "json")
        try JSONValue.object(members).canonicalText.write(to: file, atomically: true, encoding: .utf8)
        _ = try Loading.importDirectory(from: file.path, into: harness.store, now: harness.now)
    }

    /// A version from `date` on in which the Kepala Dinas Kominfo moves to the Inspektorat, whose
    /// Inspektur retires: the Kepala Dinas post is vacant from that day.
    static func moveKadisKominfo(_ harness: Harness, from date: String) throws {
        try importVersion(harness) { members in
            members["effective_from"] = .string(date)
            members["employees"] = .array(members["employees"]!.arrayValue!.compactMap { employee in
                if employee["nip"] == .string(Pemalang.inspektur) { return nil }
                guard employee["nip"] == .string(Pemalang.kadisKominfo), var moved = employee.objectValue else { return employee }
                moved["position"] = "inspektur"
                return .object(moved)
            })
        }
    }

    @Test("Pasal 22 Perbup Pemalang 38/2023: in force from its promulgation on 25 October 2023; a request dated the day before is refused with that reason")
    func pemalangInForce() throws {
        let harness = try Harness(directory: "workflows/directories/pemalang.json")
        // A directory version in force since 2023, so that only the regulation's date can refuse.
        try Self.importVersion(harness) { $0["effective_from"] = "2023-01-02" }
        let data = requestContents(purpose: "Dasbor", competence: "Visualisasi data", target: "Dasbor 22 Puskesmas")
            .merging(["target_unit": "diskominfo-aptika"])
        let early = Walk(harness, request: "PML-22-A", workflow: "pemalang.penunjukan.lintas-pd")
        let refusal = try #require(try early.take("submit", by: Pemalang.kabidP2P, on: "2023-10-24", data))
        #expect(refusal.code == .notInForce)
        #expect(refusal.message.contains("25 Oktober 2023"), "\(refusal.message)")
        #expect(refusal.article?.contains("Peraturan Bupati Pemalang Nomor 38 Tahun 2023") == true, "\(String(describing: refusal.article))")
        #expect(try early.current == nil)
        let onTheDay = Walk(harness, request: "PML-22-B", workflow: "pemalang.penunjukan.lintas-pd")
        #expect(try onTheDay.take("submit", by: Pemalang.kabidP2P, on: "2023-10-25", data) == nil)
    }

    @Test("Moving an employee after a decision: the stored events, the replay and the audit stay as they were; later steps use the new version")
    func moveAfterDecision() throws {
        let harness = try Harness(directory: "workflows/directories/pemalang.json")
        let walk = Walk(harness, request: "PML-MOVE", workflow: "pemalang.penunjukan.lintas-pd")
        let refusals = try walk.take(from: "2025-03-03", [
            Step("submit", by: Pemalang.kabidP2P, requestContents(purpose: "Dasbor", competence: "Visualisasi data", target: "Dasbor")
                .merging(["target_unit": "diskominfo-aptika"])),
            Step("recommend", by: Pemalang.kadisKominfo),
        ])
        #expect(refusals.allSatisfy { $0 == nil })
        let events = try walk.events()
        let state = try walk.current
        try Self.moveKadisKominfo(harness, from: "2025-04-01")
        #expect(try walk.events() == events)
        #expect(try RequestState.replay(events) == state)
        #expect(try Audit.run(harness.store).isClean)
        #expect(events[1].detail.actorTitle == "Kepala Dinas Komunikasi dan Informatika", "the office at the time, frozen in the event")
        // The next step is checked against the new version: the Kepala Dinas post is now vacant.
        #expect(try walk.take("approve", by: Pemalang.kabidAptika, on: "2025-04-02", ["nominees": nips(Pemalang.prakomMuda)]) == nil)
        #expect(try walk.take("issue_letter", by: Pemalang.kadisKominfo, on: "2025-04-03")?.code == .noOfficeholder)
    }

    @Test("Steps dated on either side of a version's effective date, taken in turn by one daemon, are each checked against the version of their own date")
    func stepsAcrossVersions() throws {
        let harness = try Harness(directory: "workflows/directories/pemalang.json")
        let walks = ["PML-EARLY", "PML-LATE"].map { Walk(harness, request: $0, workflow: "pemalang.penunjukan.lintas-pd") }
        for walk in walks {
            let refusals = try walk.take(from: "2025-03-03", [
                Step("submit", by: Pemalang.kabidP2P, requestContents(purpose: "Dasbor", competence: "Visualisasi data", target: "Dasbor")
                    .merging(["target_unit": "diskominfo-aptika"])),
                Step("recommend", by: Pemalang.kadisKominfo),
                Step("approve", by: Pemalang.kabidAptika, ["nominees": nips(Pemalang.prakomMuda)]),
            ])
            #expect(refusals.allSatisfy { $0 == nil })
        }
        try Self.moveKadisKominfo(harness, from: "2025-04-01")
        let (early, late) = (walks[0], walks[1])
        #expect(try late.take("issue_letter", by: Pemalang.kadisKominfo, on: "2025-04-01")?.code == .noOfficeholder, "the new version from its first day")
        #expect(try early.take("issue_letter", by: Pemalang.kadisKominfo, on: "2025-03-31") == nil, "the old version up to its last day")
        #expect(try late.take("issue_letter", by: Pemalang.kadisKominfo, on: "2025-04-02")?.code == .noOfficeholder, "the new version again after the old")
        #expect(try early.state == "letter_issued")
    }
}
