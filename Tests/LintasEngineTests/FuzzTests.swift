import Foundation
import LintasCore
import LintasEngine
import LintasStore
import TestSupport
import Testing

/// Random and mutated command lines: what other systems might really send, and worse.
struct Mutator {
    var random: SplitMix64
    var fresh = 0
    /// Lines queued so far, by id, for replays.
    var queued: [String: [UInt8]] = [:]
    var queuedIDs: [String] = []

    /// What a line is meant to be.
    enum Kind: String, CaseIterable {
        /// A well-formed step of the procedure (it may still be refused: out of order, wrong actor…).
        case step
        /// Well-formed, but wrong for `decide`: unknown action, wrong actor, future date, wrong field types, huge fields.
        case wrongForDecide
        /// Intake must refuse it, naming its line.
        case malformed
        /// Random bytes: probably malformed, but not certainly.
        case garbage
        /// An id queued before, with the same content: a duplicate.
        case replay
        /// An id queued before, with other content: intake refuses the file.
        case reusedID
    }

    static let people = [Pemalang.bupati, Pemalang.sekda, Pemalang.kabagOrganisasi, Pemalang.analisKelembagaan, Pemalang.kadisKominfo,
                         Pemalang.kabidAptika, Pemalang.prakomMuda, Pemalang.prakomPertama, Pemalang.kabidP2P, Pemalang.pltKepalaBKPSDM]
    static let actions = ["submit", "recommend", "approve", "reject", "issue_letter", "accept"]

    mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func chance(_ percent: Int) -> Bool { int(0..<100) < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0..<items.count)] }

    mutating func nextID() -> String {
        fresh += 1
        return "fz-\(fresh)"
    }

    /// A plausible command as JSON members: a step of one of a few requests, by a plausible actor.
    /// The next step of each request, as far as the sender knows.
    var progress: [String: Int] = [:]

    mutating func step() -> [String: JSONValue] {
        let request = "PML-FZ-\(int(0..<300))"
        let procedure = ["submit", "recommend", "approve", "issue_letter", "accept"]
        let action: String
        var day = 10 + int(0..<9)
        if chance(75) {
            let next = progress[request, default: 0]
            action = procedure[min(next, procedure.count - 1)]
            progress[request] = next + 1
            day = 10 + min(next, 8)
        } else {
            action = pick(Mutator.actions)
        }
        var data: [String: JSONValue] = [:]
        switch action {
        case "submit": data = Lines.contents
        case "approve": data = ["nominees": .array([.string(Pemalang.prakomMuda)])]
        case "reject": data = ["reason": "Pegawai sedang menjalankan tugas lain"]
        default: break
        }
        let actor = switch action {
        case "submit": Pemalang.kabidP2P
        case "recommend", "issue_letter", "reject": Pemalang.kadisKominfo
        case "approve": Pemalang.kabidAptika
        default: chance(50) ? Pemalang.prakomMuda : Pemalang.prakomPertama
        }
        var members: [String: JSONValue] = ["id": .string(nextID()), "request": .string(request), "action": .string(action),
                                            "actor": .string(actor), "at": .string("2025-03-\(day)T09:00:00+07:00"), "data": .object(data)]
        if action == "submit" { members["workflow"] = "pemalang.penunjukan.lintas-pd" }
        return members
    }

    /// One line; a clean file has only well-formed lines (which `decide` may still refuse).
    mutating func line(clean: Bool) -> (Kind, [UInt8]) {
        var roll = clean ? int(0..<63) : int(0..<100)
        if clean && roll >= 55 { roll += 31 } // a replay
        switch roll {
        case ..<35: return (.step, Array(JSONValue.object(step()).canonicalText.utf8))
        case ..<55: return (.wrongForDecide, Array(JSONValue.object(wrongForDecide()).canonicalText.utf8))
        case ..<80: return (.malformed, malformed())
        case ..<86: return (.garbage, garbage())
        case ..<94 where !queuedIDs.isEmpty: return (.replay, queued[pick(queuedIDs)]!)
        case ..<100 where !queuedIDs.isEmpty:
            let id = pick(queuedIDs)
            var members = (try? JSONValue.parse(queued[id]!).objectValue) ?? [:]
            members["request"] = .string("PML-OTHER-\(int(0..<1000))")
            return (.reusedID, Array(JSONValue.object(members).canonicalText.utf8))
        default: return (.step, Array(JSONValue.object(step()).canonicalText.utf8))
        }
    }

    mutating func wrongForDecide() -> [String: JSONValue] {
        var members = step()
        switch int(0..<9) {
        case 0: members["action"] = .string(pick(["fly", "approve_all", "DROP TABLE events", "submit ", "ACCEPT"]))
        case 1: members["actor"] = .string(pick(Mutator.people))
        case 2: members["actor"] = "199001012015011099" // well-formed, but nobody in the directory
        case 3: members["at"] = .string(pick(["2099-01-01T00:00:00+07:00", "1999-12-31T23:59:59Z", "2025-02-30T09:00:00+07:00"]))
        case 4: members["workflow"] = .string(pick(["grobogan.unknown", "pemalang.penunjukan.lintas-pd"]))
        case 5: members["data"] = .object(["purpose": .int(42), "duration": "kemarin", "nominees": "semua", "target_unit": .array([])])
        case 6: members["data"] = .object(["purpose": .string(String(repeating: "penugasan ", count: 5_000)), "extra": .null])
        case 7: members["request"] = .string("PML-NEW-\(int(0..<100_000))")
        default:
            var data = Lines.contents
            data[pick(Array(data.keys))] = nil
            members["data"] = .object(data)
            members["action"] = "submit"
            members["workflow"] = "pemalang.penunjukan.lintas-pd"
        }
        if case .string(let at)? = members["at"], Timestamp(iso8601: at) == nil { members["at"] = "2025-03-10T09:00:00+07:00" }
        return members
    }

    mutating func malformed() -> [UInt8] {
        var members = step()
        switch int(0..<14) {
        case 0: members["id"] = .int(5)
        case 1: members["actor"] = .bool(true)
        case 2: members["data"] = .array([.string("purpose")])
        case 3: members["id"] = nil
        case 4: members["id"] = .string(String(repeating: "x", count: 201))
        case 5: members["surprise"] = "member"
        case 6: members["request"] = .string("PML\u{0007}1")
        case 7: members["actor"] = .string(pick(["19770511200312100", "abc", "197713112003121004", "197705112003123004"]))
        case 8: members["at"] = .string(pick(["yesterday", "2025-03-10", "2025-03-10T09:00:00", "2025-13-01T00:00:00Z"]))
        case 9: return Array("[\(JSONValue.object(members).canonicalText)]".utf8)
        case 10:
            let text = Array(JSONValue.object(members).canonicalText.utf8)
            return Array(text.prefix(int(1..<text.count)))
        case 11:
            // Invalid UTF-8 inside a string.
            var text = Array(JSONValue.object(members).canonicalText.utf8)
            let quote = text.firstIndex(of: UInt8(ascii: ":"))! + 2
            text.insert(contentsOf: pick([[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80]]), at: quote)
            return text
        case 12: members["action"] = ""
        case 13 where chance(5):
            // Longer than a line may be.
            members["data"] = .object(["purpose": .string(String(repeating: "a", count: Intake.maximumLineBytes))])
        default: return Array("{\"id\": \"\(nextID())\", \"request\": ".utf8) + Array(repeating: UInt8(ascii: "["), count: 100)
        }
        return Array(JSONValue.object(members).canonicalText.utf8)
    }

    mutating func garbage() -> [UInt8] {
        (0..<int(1..<200)).map { _ in
            let byte = UInt8.random(in: 0...255, using: &random)
            return byte == 0x0A ? 0x20 : byte
        } + [UInt8(ascii: "x")] // never blank
    }
}

@Suite("Bad input never hurts")
struct FuzzTests {
    static let seed = ProcessInfo.processInfo.environment["LINTAS_FUZZ_SEED"].flatMap(UInt64.init) ?? 20_251_123
    static let lines = ProcessInfo.processInfo.environment["LINTAS_FUZZ_LINES"].flatMap(Int.init) ?? 6000

    @Test("thousands of random and mutated lines and files: each ends queued with an outcome or refused with its line named; the audit stays clean")
    func randomAndMutatedInput() throws {
        let harness = try Harness(batchSize: 100)
        let spool = try Spool(root: Scratch.folder("lintas-fuzz").path)
        var mutator = Mutator(random: SplitMix64(state: FuzzTests.seed))
        var counts: [Mutator.Kind: Int] = [:]
        var files = 0, refusedFiles = 0, spooledFiles = 0, queued = 0, duplicates = 0, linesSent = 0
        var queuedIDs: Set<String> = []

        while linesSent < FuzzTests.lines {
            let clean = mutator.chance(60)
            let lines = (0..<mutator.int(1..<12)).map { _ in mutator.line(clean: clean) }
            linesSent += lines.count
            for (kind, _) in lines { counts[kind, default: 0] += 1 }
            let bytes = Array(lines.map(\.1).joined(separator: [UInt8(ascii: "\n")]))
            files += 1
            let mustBeNamed = Set(lines.indices.filter { lines[$0].0 == .malformed }.map { $0 + 1 })
            let mayBeNamed = mustBeNamed.union(lines.indices.filter { lines[$0].0 == .garbage }.map { $0 + 1 })
            let reused = Set(lines.indices.filter { lines[$0].0 == .reusedID }.map { $0 + 1 })

            // Every fifth file through the spool folder, the rest as `lintas submit` does.
            var problems: [Intake.LineProblem]?
            if files % 5 == 0 {
                spooledFiles += 1
                let name = "fuzz-\(files).jsonl"
                try Data(bytes).write(to: URL(fileURLWithPath: spool.inbox).appendingPathComponent(name))
                let outcomes = try spool.poll(into: harness.store, now: Harness.now)
                #expect(outcomes.count == 1)
                if let outcome = outcomes.first, outcome.failed {
                    problems = outcome.problems
                    let errors = try JSONValue.parse([UInt8](Data(contentsOf: URL(fileURLWithPath: outcome.movedTo + ".errors.json"))))
                    #expect(errors["problems"]?.arrayValue?.count == outcome.problems.count)
                } else if let outcome = outcomes.first {
                    #expect(outcome.queued + outcome.duplicates == lines.count)
                    queued += outcome.queued
                    duplicates += outcome.duplicates
                }
            } else {
                do {
                    let result = try Intake.submit(bytes, source: "fuzz", to: harness.store, now: Harness.now)
                    #expect(result.queuedIDs.count + result.duplicateIDs.count == lines.count)
                    queued += result.queuedIDs.count
                    duplicates += result.duplicateIDs.count
                } catch let refused as Intake.Refused {
                    problems = refused.problems
                }
            }
            if let problems {
                refusedFiles += 1
                let named = Set(problems.map(\.line))
                #expect(problems.allSatisfy { !$0.message.isEmpty })
                if mustBeNamed.isEmpty && named.isSubset(of: reused) {
                    // Only reused ids: each is named, and says which earlier command holds the id.
                    #expect(named == reused)
                    #expect(problems.allSatisfy { $0.message.contains("already used for a different command") })
                } else {
                    #expect(mustBeNamed.isSubset(of: named), "seed \(FuzzTests.seed), file \(files): lines \(mustBeNamed.subtracting(named).sorted()) not named")
                    #expect(named.isSubset(of: mayBeNamed), "seed \(FuzzTests.seed), file \(files): lines \(named.subtracting(mayBeNamed).sorted()) named wrongly")
                }
            } else {
                #expect(mustBeNamed.isEmpty && reused.isEmpty, "seed \(FuzzTests.seed), file \(files): a malformed line was queued")
                // Remember what was queued, for replays.
                for (kind, line) in lines where kind != .replay {
                    if let id = try? JSONValue.parse(line)["id"]?.stringValue, mutator.queued[id] == nil {
                        mutator.queued[id] = line
                        mutator.queuedIDs.append(id)
                        queuedIDs.insert(id)
                    }
                }
            }
            if files % 25 == 0 { try harness.drain() }
        }
        var options = Daemon.Options()
        options.untilIdle = true
        _ = try Daemon(processor: harness.processor, clock: FixedClock(instant: Harness.now), logger: .silent, options: options).run()

        // Months later: every accepted assignment has run out and ends, once.
        let later = Timestamp(iso8601: "2026-02-01T00:00:00+07:00")!
        let ends = try harness.processor.runTimers(now: later, calendar: nil).events.count
        #expect(try harness.processor.runTimers(now: later, calendar: nil).events.isEmpty)

        let records = try harness.store.commands(CommandFilter(limit: 1_000_000))
        let done = records.filter { $0.status == .done }.count
        let refused = records.filter { $0.status == .refused }
        #expect(records.count == queuedIDs.count)
        #expect(records.allSatisfy { $0.status != .queued })
        #expect(refused.allSatisfy { ($0.refusal?.message.isEmpty == false) && ($0.refusal?.code.rawValue.isEmpty == false) })
        let codes = Dictionary(grouping: refused, by: { $0.refusal?.code.rawValue ?? "?" }).mapValues(\.count)
        let audit = try Audit.run(harness.store)
        #expect(audit.isClean, "\(audit.findings.prefix(3))")
        print("""
            fuzz: seed \(FuzzTests.seed) (LINTAS_FUZZ_SEED), \(linesSent) lines in \(files) files (\(spooledFiles) through the spool), \
            \(refusedFiles) files refused at intake, \(queued) commands queued, \(duplicates) duplicates; \(done) done, \(refused.count) refused \
            (\(codes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))); \
            lines by kind: \(Mutator.Kind.allCases.map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: ", ")); \
            \(audit.events) events (\(ends) ended assignments), audit clean: \(audit.isClean)
            """)
    }
}
