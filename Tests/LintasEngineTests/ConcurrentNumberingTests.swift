import Foundation
import LintasCore
import LintasEngine
import LintasStore
import Testing

@Suite("letter numbers under concurrent issue: several writers on one SQLite file, as several daemons would")
struct ConcurrentNumberingTests {
    /// Writers each with their own connection and Processor, bypassing the daemon lock on
    /// purpose, taking small batches from one queue until it is empty.
    /// - Returns: how many commands each writer applied or refused.
    static func runWriters(_ count: Int, on path: String, batchSize: Int) throws -> [Int] {
        let handled = Locked([Int](repeating: 0, count: count))
        let failures = Locked([String]())
        let start = DispatchSemaphore(value: 0), ready = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        for writer in 0..<count {
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    let store = try SQLiteStore(path: path, create: false, busyTimeout: 30_000)
                    let processor = try Processor(store: store, batchSize: batchSize)
                    ready.signal()
                    start.wait()
                    while true {
                        let report: Processor.BatchReport
                        do { report = try processor.runBatch(now: Harness.now) } catch let error as StoreError {
                            guard error.code == .busy else { throw error }
                            continue
                        }
                        if report.commands == 0 { break }
                        handled.mutate { $0[writer] += report.commands }
                        // A daemon polls between batches; this pause lets the others take the write lock.
                        usleep(200)
                    }
                } catch {
                    ready.signal()
                    failures.mutate { $0.append("writer \(writer): \(error)") }
                }
            }.start()
        }
        for _ in 0..<count { ready.wait() }
        for _ in 0..<count { start.signal() }
        group.wait()
        #expect(failures.value.isEmpty, "\(failures.value)")
        return handled.value
    }

    @Test("Pasal 11 ayat (4) huruf c by 24 requests, four writers at once: the register runs 1…24 without gap or duplicate, refusals put back, and the audit is clean")
    func fourWriters() throws {
        let harness = try Harness()
        var lines: [String] = []
        for index in 1...24 {
            let request = "PML-C\(index)"
            lines += Lines.accepted(request).prefix(3)
            if index % 5 == 0 {
                // Refused (not the Kepala PD): the number it would have drawn is put back.
                lines.append(Lines.line("\(request)-wrong", request, "issue_letter", Lines.kabid, day: 6))
            }
            lines.append(Lines.accepted(request)[3])
        }
        try harness.submit(lines)
        let handled = try Self.runWriters(4, on: harness.store.path, batchSize: 2)
        #expect(handled.reduce(0, +) == lines.count)
        #expect(handled.filter { $0 > 0 }.count >= 2, "more than one writer took batches: \(handled)")

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
            #expect(try batch.letterSequence(register: "diskominfo/surat_penugasan/2025") == 24)
        }
        #expect(try harness.store.commands(CommandFilter(status: .refused)).map(\.command.id).sorted()
                == (1...24).filter { $0 % 5 == 0 }.map { CommandID("PML-C\($0)-wrong") }.sorted())
        let audit = try Audit.run(harness.store)
        #expect(audit.isClean, "\(audit.findings)")
    }
}
