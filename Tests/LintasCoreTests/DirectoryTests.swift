import LintasCore
import TestSupport
import Testing

@Suite("The org directory: validated as a whole, resolving heads and acting officials by date")
struct DirectoryTests {
    @Test("the shipped Pemalang sample is valid and resolves heads along the unit tree")
    func shippedDirectory() throws {
        let directory = try Fixtures.pemalangDirectory()
        let date = try #require(CivilDate(iso: "2025-03-03"))
        #expect(directory.timeZone == .wib)
        #expect(directory.ancestor(of: "diskominfo-aptika", kind: .department) == "diskominfo")
        #expect(directory.ancestor(of: "diskominfo-aptika", kind: .agency) == "pemalang")
        #expect(directory.heads(of: "diskominfo", on: date).map(\.nip.rawValue) == [Pemalang.kadisKominfo])
        #expect(directory.authorizedOfficials(for: "dinkes-p2p", on: date).map(\.nip.rawValue) == [Pemalang.sekda])
        #expect(directory.unit("diskominfo-aptika", isWithin: "diskominfo"))
        #expect(!directory.unit("diskominfo-aptika", isWithin: "dinkes"))
    }

    @Test("the time zone read from a directory's document alone is the one decoding it gives: named, absent (WIB), or not a zone (nil: decode refuses it)",
          arguments: ["WIB", "WITA", "WIT", nil, "CET"])
    func timeZoneReadAlone(name: String?) throws {
        let document = try Fixtures.directoryDocument { members in members["time_zone"] = name.map(JSONValue.string) }
        // As the store keeps it (canonical, the zone among the other members), and pretty-printed as files are written.
        for text in [document.canonicalText, document.prettyText] {
            let zone = try Directory.timeZone(of: Array(text.utf8))
            if let decoded = try? Directory.decode(document, source: "test") {
                #expect(zone == decoded.timeZone, "\(name ?? "absent")")
            } else {
                #expect(name == "CET" && zone == nil)
            }
        }
    }

    @Test("a role expression reads a field as people or as a unit by the field kinds its context has now: a definition's as they stand after a change, a context's after its kinds change")
    func roleFieldReadByItsKind() throws {
        let directory = try Fixtures.pemalangDirectory()
        let date = try #require(CivilDate(iso: "2025-03-03"))
        var definition = try Fixtures.pemalangWorkflow()
        let fields: [String: JSONValue] = ["nominees": .array([.string(Pemalang.prakomMuda)]), "target_unit": .string("diskominfo")]
        let nominees = RoleExpression.field("nominees"), target = RoleExpression.field("target_unit")
        var context = definition.roleContext(fields: fields, directory: directory, on: date)
        #expect(nominees.resolve(in: context).persons.map(\.nip.rawValue) == [Pemalang.prakomMuda])
        #expect(target.resolve(in: context) == .unit("diskominfo"))
        // The context's kinds changed: the field is read by its new kind.
        context.kinds["nominees"] = .unit
        context.kinds["target_unit"] = .employee
        #expect(nominees.resolve(in: context) == .unit(nil), "a list is no unit")
        #expect(target.resolve(in: context) == .persons([]), "a unit id names nobody in the directory")
        #expect(RoleExpression.call(.head, target).resolve(in: context) == .persons([]))
        // The definition's kinds changed: contexts it makes read the field by its new kind.
        definition.fieldKinds["nominees"] = .unit
        #expect(nominees.resolve(in: definition.roleContext(fields: fields, directory: directory, on: date)) == .unit(nil))
        // A context made with kinds of its own reads them.
        let own = RoleContext(fields: fields, kinds: ["target_unit": .employee], directory: directory, date: date,
                              appraisers: definition.regulation.appraisers)
        #expect(target.resolve(in: own) == .persons([]))
        #expect(nominees.resolve(in: own) == .unit(nil))
    }

    @Test("a Plt acts for the head only inside the dates of the appointment")
    func actingOfficialDates() throws {
        let directory = try Fixtures.pemalangDirectory()
        let before = try #require(CivilDate(iso: "2025-01-01"))
        let inside = try #require(CivilDate(iso: "2025-06-15"))
        let after = try #require(CivilDate(iso: "2027-01-01"))
        #expect(directory.heads(of: "bkpsdm", on: before).isEmpty, "the post is vacant until the Plt starts")
        let acting = directory.heads(of: "bkpsdm", on: inside)
        #expect(acting.map(\.nip.rawValue) == [Pemalang.pltKepalaBKPSDM])
        #expect(acting.first?.capacity == .plt)
        #expect(directory.title(of: acting[0]) == "Plt. Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia")
        #expect(directory.heads(of: "bkpsdm", on: after).isEmpty)
        // The Plt still heads his own unit definitively.
        #expect(directory.unitsHeaded(by: NIP(Pemalang.pltKepalaBKPSDM), on: inside).map(\.unit).sorted() == ["bkpsdm", "bkpsdm-sekretariat"])
    }

    @Test("a unit's heads, kept with the unit when the directory is read, are its head position's officeholders on every date")
    func headsAreTheHeadPositionsOfficeholders() throws {
        let directory = try Fixtures.pemalangDirectory()
        for day in ["2024-12-31", "2025-01-02", "2025-06-15", "2026-12-31", "2027-01-01"] {
            let date = try #require(CivilDate(iso: day))
            for unit in directory.units.values {
                #expect(directory.heads(of: unit.id, on: date) == unit.head.map { directory.officeholders(of: $0, on: date) } ?? [], "\(unit.id) on \(day)")
            }
            #expect(directory.heads(of: "no-such-unit", on: date).isEmpty)
        }
    }

    @Test("a bad directory is refused with every problem listed, nothing half-read")
    func everyProblemListed() throws {
        let document = try Fixtures.directoryDocument { members in
            var units = members["units"]!.arrayValue!
            units.append(.object(["id": "diskominfo", "kind": "perangkat_daerah", "name": "Duplikat", "parent": "pemalang"]))
            units.append(.object(["id": "bidang-x", "kind": "bidang", "name": "X", "parent": "dinkes"]))
            units.append(.object(["id": "bidang-y", "kind": "unit_organisasi", "name": "Y", "parent": "tidak-ada", "head": "kabid-y"]))
            members["units"] = .array(units)
            var employees = members["employees"]!.arrayValue!
            employees.append(.object(["nip": "1234", "name": "A", "status": "PNS", "position": "kabid-aptika"]))
            employees.append(.object(["nip": .string(Pemalang.prakomMuda), "name": "Dup", "status": "PNS", "position": "kabid-aptika"]))
            employees.append(.object(["nip": "199001012015031001", "name": "B", "status": "honorer", "position": "kabid-aptika"]))
            members["employees"] = .array(employees)
            members["acting"] = .array([.object(["nip": "199001012015031001", "position": "kadinkes", "capacity": "Pj",
                                                 "from": "2025-02-01", "until": "2025-01-01"])])
        }
        do {
            _ = try Directory.decode(document, source: "bad-org.json")
            Issue.record("expected the directory to be refused")
        } catch {
            let found = error.problems.map(\.description)
            #expect(found.contains { $0.contains("unit id \"diskominfo\" is used twice") })
            #expect(found.contains { $0.contains("\"bidang\" is not a unit kind") })
            #expect(found.contains { $0.contains("parent: \"tidak-ada\" is not a unit in this directory") })
            #expect(found.contains { $0.contains("head: \"kabid-y\" is not a position in this directory") })
            #expect(found.contains { $0.contains("a NIP has 18 digits") })
            #expect(found.contains { $0.contains("NIP 198903262015031002 appears twice") })
            #expect(found.contains { $0.contains("\"honorer\" is not an employment status") })
            #expect(found.contains { $0.contains("\"Pj\" is not an acting capacity") })
            #expect(found.count >= 8)
        }
    }

    @Test("a letter is dated at its signing office's instansi: the place the file names, else the instansi's name without \"Pemerintah Kabupaten\"")
    func placeOfTheInstansi() throws {
        let pemalang = try Fixtures.pemalangDirectory()
        #expect(pemalang.place(of: "diskominfo-aptika") == "Pemalang")
        let document = try Fixtures.directoryDocument { members in
            var units = members["units"]!.arrayValue!.map { $0.objectValue! }
            let index = units.firstIndex { $0["id"] == "pemalang" }!
            units[index]["place"] = "Kota Pemalang"
            units.append(["id": "jateng", "kind": "instansi", "name": "Pemerintah Provinsi Jawa Tengah"])
            units.append(["id": "jateng-diskominfo", "kind": "perangkat_daerah", "name": "Dinas Kominfo Provinsi", "parent": "jateng"])
            members["units"] = .array(units.map(JSONValue.object))
        }
        let directory = try Directory.decode(document, source: "org.json")
        #expect(directory.place(of: "diskominfo-aptika") == "Kota Pemalang", "the place the file names for the instansi")
        #expect(directory.place(of: "jateng-diskominfo") == "Jawa Tengah", "no place named: the instansi's name without \"Pemerintah Provinsi\"")
    }

    @Test("a place on a unit that is not an instansi, or an empty one, is refused naming the unit")
    func placeOnlyOnAnInstansi() throws {
        let document = try Fixtures.directoryDocument { members in
            var units = members["units"]!.arrayValue!.map { $0.objectValue! }
            units[units.firstIndex { $0["id"] == "diskominfo" }!]["place"] = "Pemalang"
            units[units.firstIndex { $0["id"] == "pemalang" }!]["place"] = " "
            members["units"] = .array(units.map(JSONValue.object))
        }
        #expect { try Directory.decode(document, source: "org.json") } throws: { error in
            let found = (error as? InvalidDocument)?.problems.map(\.description) ?? []
            return found.contains { $0.contains("(diskominfo).place") && $0.contains("only an instansi names the place") }
                && found.contains { $0.contains("(pemalang).place") && $0.contains("empty") }
        }
    }

    @Test("a parent chain that loops is refused")
    func parentCycle() throws {
        let document = try Fixtures.directoryDocument { members in
            var units = members["units"]!.arrayValue!.map { $0.objectValue! }
            let index = units.firstIndex { $0["id"] == "diskominfo" }!
            units[index]["kind"] = "unit_organisasi"
            units[index]["parent"] = "diskominfo-aptika"
            members["units"] = .array(units.map(JSONValue.object))
        }
        #expect { try Directory.decode(document, source: "loop.json") } throws: { error in
            (error as? InvalidDocument)?.problems.contains { $0.message.contains("loops back") } == true
        }
    }
}
