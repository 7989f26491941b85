import Foundation
import Testing

/// `lintas-bench` runs workload W1 end to end at a tiny N and prints its table. No timing is
/// checked: a benchmark prints figures, it does not fail on them (docs/performance.md).
@Suite("lintas-bench")
struct BenchmarkSmokeTests {
    @Test("runs W1 at N = 20 through intake, the daemon, replay, audit and status, and prints every figure")
    func smoke() throws {
        let bench = Lintas.executable.deletingLastPathComponent().appendingPathComponent("lintas-bench")
        let process = Process()
        process.executableURL = bench
        process.arguments = ["20"]
        process.currentDirectoryURL = Lintas.repository
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(errors)")
        #expect(output.contains("N = 20 requests (+ 20 for the durable figure), 188 commands, 188 events"))
        for figure in ["durable commands/s", "batched commands/s", "replay events/s", "audit events/s", "status warm p99 ms",
                       "status cold process ms", "bytes per event", "peak RSS daemon MB", "peak RSS replay MB"] {
            #expect(output.contains(figure), "\(figure) missing from:\n\(output)")
        }
        #expect(!errors.contains("were refused"), "every W1 command is valid: \(errors)")
    }
}
