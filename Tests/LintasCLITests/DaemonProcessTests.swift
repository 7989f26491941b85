import Foundation
import LintasCore
import TestSupport
import Testing

@Suite("lintas daemon as a long-running process")
struct DaemonProcessTests {
    @Test("processes commands submitted while it runs, and exits 0 on SIGTERM", arguments: [SIGTERM, SIGINT])
    func stopsCleanlyOnSignal(_ signal: Int32) throws {
        let lintas = try Lintas.prepared()
        let (daemon, _, stderr) = try lintas.start(["daemon", "--poll-ms", "20"])
        defer { if daemon.isRunning { daemon.terminate() } }
        try lintas.expectSuccess(["submit", "-"], stdin: Pemalang.submit("PML-1"))
        #expect(try eventually { try lintas.run(["status", "PML-1"]).status == 0 })
        try lintas.expectSuccess(["submit", "-"], stdin: Pemalang.line("r", "PML-1", "recommend", Pemalang.kadisKominfo, day: 3))
        #expect(try eventually { try lintas.status("PML-1")["state"]?.stringValue == "recommended" })

        kill(daemon.processIdentifier, signal)
        #expect(eventually { !daemon.isRunning })
        daemon.waitUntilExit()
        #expect(daemon.terminationReason == .exit)
        #expect(daemon.terminationStatus == 0)
        let log = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let events = log.split(separator: "\n").compactMap { try? JSONValue.parse(String($0))["event"]?.stringValue }
        #expect(events.first == "daemon_started")
        #expect(events.last == "daemon_stopped")
        #expect(events.contains("batch"))
    }
}
