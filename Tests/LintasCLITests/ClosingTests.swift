import CSQLite
import Foundation
import Glibc
import LintasCore
import TestSupport
import Testing

/// A `lintas` process closes its database before it exits, however it ends, so SQLite, the last
/// connection gone, checkpoints the WAL into the file and removes it: a WAL left behind keeps
/// its size (hundreds of MB after an upgrade) until the next process opens and closes the file.
@Suite("lintas closes the database before it exits: the WAL is checkpointed and removed, on success and on error")
struct ClosingTests {
    /// A database whose last commits (request PML-1 submitted and processed) are still in its WAL
    /// and that no connection has open: copied, WAL and all, while another connection kept the
    /// original's WAL from being checkpointed.
    static func leftWithWAL() throws -> Lintas {
        let original = try Lintas.prepared()
        var handle: OpaquePointer?
        try #require(sqlite3_open_v2(original.db, &handle, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK)
        defer { sqlite3_close_v2(handle) }
        try #require(sqlite3_exec(handle, "SELECT count(*) FROM events", nil, nil, nil) == SQLITE_OK)
        try original.process([Pemalang.submit("PML-1")])
        let copy = try Lintas()
        for suffix in ["", "-wal"] {
            try FileManager.default.copyItem(atPath: original.db + suffix, toPath: copy.db + suffix)
        }
        try #require(walSize(copy) ?? 0 > 0, "the copy's last commits are in its WAL")
        return copy
    }

    /// The size of the database's WAL file, `nil` when there is none.
    static func walSize(_ lintas: Lintas) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: lintas.db + "-wal"))?[.size] as? Int
    }

    @Test("a read command reads what is in the WAL and leaves no WAL behind")
    func readCommand() throws {
        let lintas = try Self.leftWithWAL()
        #expect(try lintas.status("PML-1")["state"]?.stringValue != nil, "the request, whose commits are in the WAL only, is read")
        #expect(Self.walSize(lintas) ?? 0 == 0)
    }

    @Test("a command that fails (exit 1) leaves no WAL behind")
    func failingCommand() throws {
        let lintas = try Self.leftWithWAL()
        let result = try lintas.run(["status", "PML-404"])
        #expect(result.status == 1 && result.stderr.contains("PML-404"), "\(result.stderr)")
        #expect(Self.walSize(lintas) ?? 0 == 0)
    }

    @Test("a command whose reader went away (its output a pipe nobody reads, as 'lintas requests | head -1' leaves it) is not killed by SIGPIPE: it ends, closing the database")
    func readerGone() throws {
        let lintas = try Self.leftWithWAL()
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        close(ends[0])
        let process = Process()
        process.executableURL = Lintas.executable
        process.arguments = ["requests", "--db", lintas.db]
        process.standardOutput = FileHandle(fileDescriptor: ends[1], closeOnDealloc: true)
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit, "ended by signal \(process.terminationStatus)")
        #expect(Self.walSize(lintas) ?? 0 == 0)
    }
}
