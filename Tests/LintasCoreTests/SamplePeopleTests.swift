import Foundation
import LintasCore
import TestSupport
import Testing

/// The people table every test module names people by (Tests/SamplePeople) against the directory
/// files it describes: a NIP that left its office in the JSON fails here, not in some walk.
@Suite("Sample people: each NIP of the shared table holds its office in its directory file")
struct SamplePeopleTests {
    static let tables: [(directory: String, positions: [String: String])] = [
        (Pemalang.directory, Pemalang.positions), (Grobogan.directory, Grobogan.positions), (Bungo.directory, Bungo.positions),
        (Jepara.directory, Jepara.positions), (BaritoUtara.directory, BaritoUtara.positions),
    ]

    @Test("every listed person is an employee of the directory, in the position the table gives", arguments: tables)
    func everyoneHoldsTheirPosition(directory path: String, positions: [String: String]) throws {
        let directory = try Directory.decode(try Fixtures.document(path), source: path)
        for (nip, position) in positions.sorted(by: { $0.key < $1.key }) {
            #expect(directory.employees[NIP(nip)]?.position.rawValue == position, "\(nip) in \(path)")
        }
    }

    @Test("every NIP written in the table is listed in its directory's positions, so the check above sees it")
    func everyNIPIsChecked() throws {
        let source = try String(contentsOf: Fixtures.repository.appendingPathComponent("Tests/TestSupport/SamplePeople.swift"), encoding: .utf8)
        let quoted: [Substring] = source.split(separator: "\"")
        let written = quoted.filter { $0.utf8.count == 18 && $0.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } }.map(String.init)
        #expect(written.count == Set(written).count, "a NIP written twice")
        #expect(Set(written) == Set(Self.tables.flatMap(\.positions.keys)))
    }
}
