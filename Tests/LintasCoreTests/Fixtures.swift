import Foundation
import LintasCore
import TestSupport

/// The shipped data files, read from the repository: tests check the real procedure and directory.
enum Fixtures {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func document(_ relativePath: String) throws -> JSONValue {
        let data = try Data(contentsOf: repository.appendingPathComponent(relativePath))
        return try JSONValue.parse([UInt8](data))
    }

    static let workflowPath = "workflows/pemalang/penunjukan-lintas-pd.json"
    static let directoryPath = Pemalang.directory

    static let regulationPath = "workflows/pemalang/regulation.json"

    /// The regulation files workflows name by id.
    static func regulations() throws -> [String: Regulation] {
        let pemalang = try Regulation.decode(try document(regulationPath), source: regulationPath)
        return [pemalang.id: pemalang]
    }

    static func pemalangWorkflow() throws -> WorkflowDefinition {
        try WorkflowDefinition.decode(try document(workflowPath), source: workflowPath, hash: "test-hash", regulations: try regulations())
    }

    /// The Pasal 11 ayat (4) workflow as definitions stored before letters cited each other had it (and
    /// logs still hold): the submit step takes the requester's letter number as free text, `reference`;
    /// no letter names the letter it cites. The file as shipped until then, kept beside the golden letters.
    static let storedWorkflowPath = "Tests/LintasCLITests/Golden/stored-definitions/pemalang-penunjukan-lintas-pd.json"

    static func pemalangWorkflowWithReference() throws -> WorkflowDefinition {
        try WorkflowDefinition.decode(try document(storedWorkflowPath), source: storedWorkflowPath, hash: "stored-hash", regulations: try regulations())
    }

    static func pemalangDirectory() throws -> Directory {
        try Directory.decode(try document(directoryPath), source: directoryPath)
    }

    /// The shipped workflow document with a change applied, for validation tests.
    static func workflowDocument(_ change: (inout [String: JSONValue]) -> Void) throws -> JSONValue {
        var members = try document(workflowPath).objectValue!
        change(&members)
        return .object(members)
    }

    /// The shipped directory document with a change applied.
    static func directoryDocument(_ change: (inout [String: JSONValue]) -> Void) throws -> JSONValue {
        var members = try document(directoryPath).objectValue!
        change(&members)
        return .object(members)
    }
}

/// Hands out letter numbers from memory, like the store's registers do within a batch.
struct MemoryNumbering: LetterNumbering {
    var registers: [String: Int] = [:]

    mutating func nextSequence(register: String) -> Int {
        registers[register, default: 0] += 1
        return registers[register]!
    }

    var numbers: [String: NumberedLetter] = [:]

    mutating func claim(number: String, for letter: NumberedLetter) -> NumberedLetter? {
        if let holder = numbers[number] { return holder }
        numbers[number] = letter
        return nil
    }
}

extension Timestamp {
    /// `2025-03-03T09:00:00+07:00` and the like.
    static func wib(_ text: String) -> Timestamp { Timestamp(iso8601: text)! }
}
