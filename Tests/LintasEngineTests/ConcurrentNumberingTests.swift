import Foundation
import LintasCore
import LintasEngine
import LintasStore
import TestSupport
import Testing

@Suite("letter numbers under concurrent issue: several writers on one SQLite file, as several daemons would")
struct ConcurrentNumberingTests {
    /// Writers each with their own connection and Processor, bypassing the daemon lock on
    /// purpose, taking small batches from one queue until it is empty. They take turns, so that
    /// every batch a writer runs follows another writer's commit: whatever a Processor kept
    /// from its previous batch (a register's next number, a request's state) is stale by then,
    /// as it would be between daemons sharing PostgreSQL. Free-running threads would test less:
    /// on a busy machine one of them may take every batch.
    /// - Returns: how many commands each writer applied or refused.
    static func runWriters(_ count: Int, on path: String, batchSize: Int) throws -> [Int] {
        let handled = Locked([Int](repeating: 0, count: count))
        let failures = Locked([String]())
        let turns = Turns(count)
        let group = DispatchGroup()
        for writer in 0..<count {
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    let store = try SQLiteStore(path: path, create: false, busyTimeout: 30_000)
                    let processor = try Processor(store: store, batchSize: batchSize)
                    while turns.waitForTurn(writer) {
                        let report: Processor.BatchReport
                        do { report = try processor.runBatch(now: Harness.now) } catch {
                            turns.end(writer, done: true)
                            throw error
                        }
                        handled.mutate { $0[writer] += report.commands }
                        turns.end(writer, done: report.commands == 0)
                    }
                } catch {
                    failures.mutate { $0.append("writer \(writer): \(error)") }
                    turns.end(writer, done: true)
                }
            }.start()
        }
        group.wait()
        #expect(failures.value.isEmpty, "\(failures.value)")
        return handled.value
    }

    @Test("Pasal 11 ayat (4) huruf c by 24 requests, four writers taking turns: the register runs 1…24 without gap or duplicate, refusals put back, and the audit is clean")
    func fourWriters() throws {
        let harness = try Harness()
        var lines: [String] = []
        for index in 1...24 {
            let request = "PML-C\(index)"
            lines += Lines.accepted(request).prefix(3)
            if index % 5 == 0 {
                // Refused (not the Kepala PD): the number it would have drawn is put back.
                lines.append(Lines.line("\(request)-wrong", request, "issue_letter", Pemalang.kabidAptika, day: 6))
            }
            lines.append(Lines.accepted(request)[3])
        }
        try harness.submit(lines)
        let handled = try Self.runWriters(4, on: harness.store.path, batchSize: 2)
        #expect(handled.reduce(0, +) == lines.count)
        #expect(handled.allSatisfy { $0 > 0 }, "every writer took batches: \(handled)")

        // Each request issues two letters: the surat permohonan pelibatan (huruf a, the owner's
        // register) and the surat penugasan (huruf c, the target department's register).
        let all = try IssuedLetters.references(in: harness.store)
        for register in Set(all.map(\.reference.register)) {
            let sequences = all.filter { $0.reference.register == register }.map(\.reference.sequence)
            #expect(sequences == Array(1...sequences.count), "\(register) runs 1…n: no gap, no duplicate")
        }
        let letters = all.filter { $0.reference.type == "surat_penugasan" }
        #expect(letters.map(\.reference.sequence) == Array(1...24), "1…24 in register order: no gap, no duplicate")
        #expect(Set(letters.map(\.reference.number)).count == 24)
        #expect(Set(letters.map(\.request)).count == 24, "one surat penugasan per request")
        try harness.store.withBatch { batch throws in
            #expect(try batch.letterSequence(register: "diskominfo/800.1.11.1/2025") == 24)
        }
        #expect(try harness.store.commands(CommandFilter(status: .refused)).map(\.command.id).sorted()
                == (1...24).filter { $0 % 5 == 0 }.map { CommandID("PML-C\($0)-wrong") }.sorted())
        let audit = try Audit.run(harness.store)
        #expect(audit.isClean, "\(audit.findings)")
    }
}

/// Round-robin turns between writer threads, until one finds the queue empty or fails.
private final class Turns: @unchecked Sendable {
    private let condition = NSCondition()
    private let count: Int
    private var turn = 0, stopped = false

    init(_ count: Int) { self.count = count }

    /// Waits for the writer's turn; false once a writer has stopped.
    func waitForTurn(_ writer: Int) -> Bool {
        condition.lock(); defer { condition.unlock() }
        while turn % count != writer && !stopped { condition.wait() }
        return !stopped
    }

    func end(_ writer: Int, done: Bool) {
        condition.lock(); defer { condition.unlock() }
        stopped = stopped || done
        turn += 1
        condition.broadcast()
    }
}
