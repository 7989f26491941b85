import LintasCore
import LintasStore

/// A workflow file, read and validated.
public struct WorkflowFile: Sendable {
    public var path: String
    public var definition: WorkflowDefinition
    /// The canonical JSON the store keeps and the hash is computed over.
    public var body: String
}

/// An org directory file, read and validated.
public struct DirectoryFile: Sendable {
    public var path: String
    public var directory: Directory
    public var body: String
    public var hash: String
}

/// What `workflows check` found under a path.
public struct CheckReport: Sendable {
    public var workflows: [WorkflowFile] = []
    public var directories: [DirectoryFile] = []
    public var failures: [InvalidDocument] = []
}

/// Reading workflow and org directory files from disk.
public enum DataFiles {
    /// Reads every JSON file at a path (a file or a folder, recursively) and validates each by
    /// its `format`: workflow files and org directory files. Problems are collected, not thrown.
    public static func check(_ path: String) -> CheckReport {
        var report = CheckReport()
        let files: [String]
        do { files = try DocumentFile.jsonFiles(at: path) } catch {
            report.failures.append(error)
            return report
        }
        var seen: [WorkflowID: String] = [:]
        for file in files {
            do throws(InvalidDocument) {
                let document = try DocumentFile.read(file)
                switch DocumentFile.format(of: document) {
                case WorkflowDefinition.format?:
                    let workflow = try readWorkflow(document, path: file)
                    if let other = seen[workflow.definition.id] {
                        throw InvalidDocument(source: file, problems: [Problem(path: "id", message: "workflow \"\(workflow.definition.id)\" is also defined in \(other)")])
                    }
                    seen[workflow.definition.id] = file
                    report.workflows.append(workflow)
                case Directory.format?:
                    report.directories.append(try readDirectory(document, path: file))
                case let other:
                    let found = other.map { "\"\($0)\"" } ?? "none"
                    throw InvalidDocument(source: file, problems: [Problem(path: "format", message: "expected \"\(WorkflowDefinition.format)\" or \"\(Directory.format)\", found \(found)")])
                }
            } catch {
                report.failures.append(error)
            }
        }
        if files.isEmpty {
            report.failures.append(InvalidDocument(source: path, problems: [Problem(path: "", message: "no .json files here")]))
        }
        return report
    }

    public static func readWorkflow(_ document: JSONValue, path: String) throws(InvalidDocument) -> WorkflowFile {
        let body = document.canonicalText
        let definition = try WorkflowDefinition.decode(document, source: path, hash: DefinitionHash(DocumentFile.hash(document)))
        return WorkflowFile(path: path, definition: definition, body: body)
    }

    public static func readDirectory(_ document: JSONValue, path: String) throws(InvalidDocument) -> DirectoryFile {
        let directory = try Directory.decode(document, source: path)
        return DirectoryFile(path: path, directory: directory, body: document.canonicalText, hash: DocumentFile.hash(document))
    }

    /// Reads one org directory file.
    public static func readDirectory(path: String) throws(InvalidDocument) -> DirectoryFile {
        let document = try DocumentFile.read(path)
        guard DocumentFile.format(of: document) == Directory.format else {
            throw InvalidDocument(source: path, problems: [Problem(path: "format", message: "expected \"\(Directory.format)\": this is not an org directory file")])
        }
        return try readDirectory(document, path: path)
    }
}

/// Loading validated files into a store.
public enum Loading {
    /// Loads every workflow at a path into the store, or none: one invalid file refuses all.
    /// Directory files found there are ignored (they are imported with `importDirectory`).
    /// - Returns: each workflow with what changed.
    /// - Throws: the `InvalidDocument`s of every bad file, or a store error.
    public static func loadWorkflows(from path: String, into store: any EventStore, now: Timestamp) throws -> [(WorkflowFile, DefinitionChange)] {
        let report = DataFiles.check(path)
        if !report.failures.isEmpty { throw InvalidDocuments(documents: report.failures) }
        if report.workflows.isEmpty {
            throw InvalidDocuments(documents: [InvalidDocument(source: path, problems: [Problem(path: "", message: "no workflow files here")])])
        }
        return try report.workflows.map { file in
            (file, try store.saveDefinition(workflow: file.definition.id, hash: file.definition.hash, body: file.body, now: now))
        }
    }

    /// Imports an org directory file as a new version, in force from its `effective_from`.
    public static func importDirectory(from path: String, into store: any EventStore, now: Timestamp) throws -> (DirectoryFile, DirectoryVersion) {
        let file = try DataFiles.readDirectory(path: path)
        let version = try store.saveDirectory(effectiveFrom: file.directory.effectiveFrom, hash: file.hash, body: file.body, source: path, now: now)
        return (file, version)
    }
}

/// Several documents refused together.
public struct InvalidDocuments: Error, Sendable, CustomStringConvertible {
    public var documents: [InvalidDocument]
    public var description: String { documents.map(\.description).joined(separator: "\n") }
}

/// The workflow definitions a store holds, parsed once and cached by hash.
///
/// Not `Sendable`: belongs to the thread that owns the store.
public final class DefinitionCatalog {
    private let store: any EventStore
    private var current: [WorkflowID: DefinitionHash] = [:]
    private var parsed: [DefinitionHash: WorkflowDefinition] = [:]

    public init(store: any EventStore) throws {
        self.store = store
        try refresh()
    }

    /// Re-reads which version of each workflow is current.
    public func refresh() throws {
        current = try store.currentDefinitions()
    }

    /// The current definition of a workflow, for new requests.
    public func current(_ id: WorkflowID) throws -> WorkflowDefinition? {
        guard let hash = current[id] else { return nil }
        return try definition(hash)
    }

    /// A definition by hash: the version a request is pinned to.
    public func definition(_ hash: DefinitionHash) throws -> WorkflowDefinition? {
        if let cached = parsed[hash] { return cached }
        guard let body = try store.definitionBody(hash) else { return nil }
        let definition = try WorkflowDefinition.decode(try JSONValue.parse(body), source: "stored definition \(hash.short)", hash: hash)
        parsed[hash] = definition
        return definition
    }
}

/// The org directory versions a store holds, parsed once and cached.
///
/// Not `Sendable`: belongs to the thread that owns the store.
public final class DirectoryCatalog {
    private let store: any EventStore
    private var versions: [DirectoryVersion] = []
    private var parsed: [Int64: Directory] = [:]

    public init(store: any EventStore) throws {
        self.store = store
        try refresh()
    }

    public func refresh() throws {
        versions = try store.directoryVersions()
    }

    /// The regency's time zone, from the latest version; WIB when there is none.
    public func timeZone() throws -> TimeZoneOffset {
        guard let latest = versions.last else { return .wib }
        return try directory(latest.version).timeZone
    }

    /// The version in force at an instant: the latest whose effective date is on or before the
    /// instant's date in the regency's zone (among versions of one date, the last imported).
    public func directory(at instant: Timestamp) throws -> Directory? {
        let date = instant.civilDate(in: try timeZone())
        guard let version = versions.last(where: { $0.effectiveFrom <= date }) else { return nil }
        return try directory(version.version)
    }

    private func directory(_ version: Int64) throws -> Directory {
        if let cached = parsed[version] { return cached }
        guard let body = try store.directoryBody(version: version) else {
            throw StoreError(.malformed, "directory version \(version) has no body")
        }
        let directory = try Directory.decode(try JSONValue.parse(body), source: "stored directory version \(version)")
        parsed[version] = directory
        return directory
    }
}
