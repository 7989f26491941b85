import Foundation
import Testing

/// `lintas-bench` runs workload W1 end to end at a tiny N and prints its table. No timing is
/// checked: a benchmark prints figures, it does not fail on them (docs/performance.md).
@Suite("lintas-bench")
struct BenchmarkSmokeTests {
    @Test("runs W1 at N = 20 through intake, the daemon, replay, audit and status, and prints every figure")
    func smoke() throws {
        let (status, output, errors) = try bench(["20"])
        #expect(status == 0, "\(errors)")
        #expect(output.contains("N = 20 requests (+ 20 for the durable figure), 188 commands, 188 events"))
        for figure in ["durable commands/s", "batched commands/s", "replay events/s", "audit events/s", "status warm p99 ms",
                       "status cold process ms", "bytes per event", "peak RSS daemon MB", "peak RSS replay MB"] {
            #expect(output.contains(figure), "\(figure) missing from:\n\(output)")
        }
        #expect(!errors.contains("were refused"), "every W1 command is valid: \(errors)")
    }

    @Test("--help prints the usage and runs nothing; an unknown option or a bad N is a usage error (exit 64)")
    func usage() throws {
        let help = try bench(["--help"])
        #expect(help.status == 0)
        #expect(help.output.contains("Usage: lintas-bench [N] [--keep] [--queue-only]"))
        #expect(!help.errors.contains("W1 at N"), "--help must not start a run: \(help.errors)")

        for arguments in [["--fast"], ["ten"], ["20", "30"]] {
            let refused = try bench(arguments)
            #expect(refused.status == 64, "\(arguments)")
            #expect(refused.errors.contains("Usage: lintas-bench"), "\(arguments): \(refused.errors)")
            #expect(!refused.errors.contains("W1 at N"), "\(arguments) must not start a run")
        }
        #expect(try bench(["--fast"]).errors.contains("unknown option --fast"))

        // The child modes the benchmark spawns, called by hand to profile one phase.
        for arguments in [["child"], ["child", "replay", "/nonexistent.db"], ["child", "fold", "a.db", "r.json"],
                          ["child", "daemon", "a.db", "r.json", "many"], ["child", "audit", "a.db", "r.json", "500"],
                          ["child", "daemon", "a.db", "r.json", "500", "-1"], ["child", "daemon", "a.db", "r.json", "500", "0", "1"]] {
            let refused = try bench(arguments)
            #expect(refused.status == 64, "\(arguments): \(refused.errors)")
            #expect(refused.errors.contains("expected child daemon|replay|states|audit|status|lookups DB RESULT.json"), "\(arguments): \(refused.errors)")
        }
    }

    private func bench(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = Lintas.executable.deletingLastPathComponent().appendingPathComponent("lintas-bench")
        process.arguments = arguments
        process.currentDirectoryURL = Lintas.repository
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output, errors)
    }
}
