import Foundation
import LintasCore
@testable import LintasStore
import Testing

@Suite("The SQLite file: append-only, WAL, durable, and honest about what it is")
struct SQLiteStoreTests {
    func freshPath() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lintas-sqlite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent("lintas.db").path
    }

    @Test("events cannot be updated or deleted: triggers refuse it")
    func appendOnly() throws {
        let path = try freshPath()
        let store = try SQLiteStore(path: path)
        try Sample.append([Sample.event("PML-1", 1)], to: store)
        #expect { try store.connection.execute("UPDATE events SET state = 'accepted' WHERE seq = 1") } throws: { error in
            "\(error)".contains("append-only")
        }
        #expect { try store.connection.execute("DELETE FROM events") } throws: { error in
            "\(error)".contains("append-only")
        }
        _ = try store.saveDefinition(workflow: "w", hash: "h", body: "{}", now: Sample.t0)
        #expect { try store.connection.execute("UPDATE definitions SET body = '{\"x\":1}'") } throws: { error in
            "\(error)".contains("kept as loaded")
        }
        #expect(try store.events(of: "PML-1").count == 1)
    }

    @Test("the file is in WAL mode with durable commits")
    func journal() throws {
        let store = try SQLiteStore(path: try freshPath())
        #expect(try store.connection.query("PRAGMA journal_mode") { $0.text(0) }.first == "wal")
        #expect(try store.connection.query("PRAGMA synchronous") { $0.text(0) }.first == "2", "FULL: every commit is synced")
    }

    @Test("a read command on a path with no database is an error, not a new empty file")
    func missingFile() throws {
        let path = try freshPath()
        #expect { try SQLiteStore(path: path, create: false) } throws: { error in
            (error as? StoreError)?.code == .notFound
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("a file written by a newer lintas is refused rather than misread")
    func newerSchema() throws {
        let path = try freshPath()
        let store = try SQLiteStore(path: path)
        try store.connection.execute("PRAGMA user_version = 99")
        #expect { try SQLiteStore(path: path) } throws: { error in
            (error as? StoreError)?.code == .schemaTooNew
        }
    }

    @Test("a file of schema version 1 gains the table of external letter numbers when opened, and keeps its registers")
    func migratesToVersion2() throws {
        let path = try freshPath()
        let store = try SQLiteStore(path: path)
        try store.withBatch { batch in try batch.setLetterSequence(register: "diskominfo/surat_penugasan/2026", to: 7) }
        try store.connection.execute("DROP TABLE letter_external_numbers; PRAGMA user_version = 1")
        let reopened = try SQLiteStore(path: path)
        #expect(try reopened.connection.query("PRAGMA user_version") { $0.int64(0) }.first == SQLiteStore.schemaVersion)
        try reopened.withBatch { batch in
            #expect(try batch.letterSequence(register: "diskominfo/surat_penugasan/2026") == 7)
            #expect(try !batch.externalLetterNumberExists(register: "diskominfo/surat_penugasan/2026", number: "045"))
            try batch.recordExternalLetterNumber(register: "diskominfo/surat_penugasan/2026", number: "045")
            #expect(try batch.externalLetterNumberExists(register: "diskominfo/surat_penugasan/2026", number: "045"))
            #expect(throws: StoreError.self) { try batch.recordExternalLetterNumber(register: "diskominfo/surat_penugasan/2026", number: "045") }
        }
    }

    @Test("a version 1 file whose projection is WITHOUT ROWID is brought to the current version on opening, its states kept")
    func schemaVersion1() throws {
        let path = try freshPath()
        let original = try SQLiteStore(path: path)
        try original.withBatch { batch in
            let state = try RequestState(bytes: Array(("{\"definition\":\"abc\",\"fields\":{\"purpose\":\"Dasbor\"},\"letters\":[],"
                + "\"participants\":{\"submit\":[\"197705112003121004\"]},\"request\":\"PML-1\",\"since\":5,\"state\":\"submitted\","
                + "\"updated\":5,\"version\":1,\"warnings\":[],\"workflow\":\"pemalang.penunjukan.lintas-pd\"}").utf8))
            try batch.saveRequest(state, head: Digest.zero)
        }
        // As version 1 files made before the projection became a rowid table are.
        try original.connection.execute("""
            CREATE TABLE old (request TEXT PRIMARY KEY, workflow TEXT NOT NULL, state TEXT NOT NULL, version INTEGER NOT NULL,
                              updated INTEGER NOT NULL, head BLOB NOT NULL, body TEXT NOT NULL) WITHOUT ROWID;
            INSERT INTO old SELECT request, workflow, state, version, updated, head, body FROM requests;
            DROP TABLE requests; ALTER TABLE old RENAME TO requests; DROP TABLE letter_external_numbers; PRAGMA user_version = 1;
            """)
        let before = try #require(try original.request("PML-1"))
        let reopened = try SQLiteStore(path: path)
        #expect(try reopened.connection.query("PRAGMA user_version") { $0.int64(0) } == [SQLiteStore.schemaVersion])
        let definition = try reopened.connection.query("SELECT sql FROM sqlite_schema WHERE name = 'requests'") { $0.text(0) }
        #expect(definition.count == 1 && !definition[0].uppercased().contains("WITHOUT ROWID"))
        #expect(try reopened.request("PML-1") == before)
        #expect(try reopened.request("PML-1")?.decode().fields["purpose"] == "Dasbor")
    }

    @Test("a file that is not a database is reported as such")
    func notADatabase() throws {
        let path = try freshPath()
        try Data("Surat Penugasan\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect { try SQLiteStore(path: path) } throws: { error in
            (error as? StoreError)?.code == .corrupt
        }
    }
}
