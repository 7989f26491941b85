import Foundation
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

/// A regulation file: the citation and PPK rules its workflows share.
public struct RegulationFile: Sendable {
    public var path: String
    public var regulation: Regulation
}

/// A working-day calendar file: national holidays and cuti bersama.
public struct CalendarFile: Sendable {
    public var path: String
    public var calendar: WorkingCalendar
}

/// What `workflows check` found under a path.
public struct CheckReport: Sendable {
    public var regulations: [RegulationFile] = []
    public var workflows: [WorkflowFile] = []
    public var directories: [DirectoryFile] = []
    public var calendars: [CalendarFile] = []
    public var failures: [InvalidDocument] = []
    /// What does not stop a file from loading but will go wrong (number templates that will print a
    /// taken number; an assignment workflow that marks no accepted state), per file.
    public var warnings: [InvalidDocument] = []
}

/// Reading workflow and org directory files from disk.
public enum DataFiles {
    /// Reads every JSON file at a path (a file or a folder, recursively) and validates each by
    /// its `format`: regulation files, workflow files and org directory files. A workflow names
    /// its regulation by id; regulation files are looked for at the path and, when the path is
    /// one file, beside it. Problems are collected, not thrown.
    public static func check(_ path: String) -> CheckReport {
        var report = CheckReport()
        let files: [String]
        do { files = try DocumentFile.jsonFiles(at: path) } catch {
            report.failures.append(error)
            return report
        }
        if files.isEmpty {
            report.failures.append(InvalidDocument(source: path, problems: [Problem(path: "", message: "no .json files here")]))
        }
        var documents: [(path: String, document: JSONValue)] = []
        for file in files {
            do throws(InvalidDocument) { documents.append((file, try DocumentFile.read(file))) } catch { report.failures.append(error) }
        }
        // Regulations first: workflows refer to them.
        var regulationFiles = documents.filter { DocumentFile.format(of: $0.document) == Regulation.format }
        if files == [path], let beside = try? DocumentFile.jsonFiles(at: DocumentFile.folder(of: path)) {
            for file in beside where file != path {
                if let document = try? DocumentFile.read(file), DocumentFile.format(of: document) == Regulation.format { regulationFiles.append((file, document)) }
            }
        }
        var regulations: [String: Regulation] = [:]
        for (file, document) in regulationFiles {
            do throws(InvalidDocument) {
                let regulation = try Regulation.decode(document, source: file)
                if regulations[regulation.id] != nil {
                    throw InvalidDocument(source: file, problems: [Problem(path: "id", message: "regulation \"\(regulation.id)\" is defined twice")])
                }
                regulations[regulation.id] = regulation
                if documents.contains(where: { $0.path == file }) { report.regulations.append(RegulationFile(path: file, regulation: regulation)) }
            } catch {
                report.failures.append(error)
            }
        }
        var seen: [WorkflowID: String] = [:]
        for (file, document) in documents {
            do throws(InvalidDocument) {
                switch DocumentFile.format(of: document) {
                case Regulation.format?:
                    continue
                case WorkflowDefinition.format?:
                    let workflow = try readWorkflow(document, path: file, regulations: regulations)
                    if let other = seen[workflow.definition.id] {
                        throw InvalidDocument(source: file, problems: [Problem(path: "id", message: "workflow \"\(workflow.definition.id)\" is also defined in \(other)")])
                    }
                    seen[workflow.definition.id] = file
                    report.workflows.append(workflow)
                case Directory.format?:
                    report.directories.append(try readDirectory(document, path: file))
                case WorkingCalendar.format?:
                    report.calendars.append(CalendarFile(path: file, calendar: try WorkingCalendar.decode(document, source: file)))
                case let other:
                    let found = other.map { "\"\($0)\"" } ?? "none"
                    let known = [WorkflowDefinition.format, Regulation.format, Directory.format, WorkingCalendar.format].map { "\"\($0)\"" }.joined(separator: ", ")
                    throw InvalidDocument(source: file, problems: [Problem(path: "format", message: "expected one of \(known), found \(found)")])
                }
            } catch {
                report.failures.append(error)
            }
        }
        report.warnings = warnings(of: report.workflows)
        return report
    }

    /// Each workflow's own warnings, and letters (of any workflows) that print the same numbers when
    /// their registers are one unit's (one template without `{klasifikasi}`, two series): whether the
    /// units meet depends on the requests, so this is a warning. Two such letters of one workflow
    /// with one register expression are certain to clash and refused when the file is read.
    static func warnings(of workflows: [WorkflowFile]) -> [InvalidDocument] {
        let sites = workflows.flatMap { file in file.definition.registerLetters.map { (file: file.path, site: $0) } }
        var found: [String: [Problem]] = [:]
        for file in workflows { found[file.path] = file.definition.warnings }
        for (file, site) in sites {
            // One workflow's two letters of one register unit are refused when it is read.
            let others = sites.filter { !($0.file == file && $0.site.letter.register == site.letter.register) && site.printsSameNumbers(as: $0.site) }
            guard !others.isEmpty else { continue }
            found[file, default: []].append(Problem(path: site.path, message: "the \(site.described) prints the same numbers as "
                + others.map { "the \($0.site.described) in \($0.file)" }.joined(separator: ", ")
                + " but counts another series (\(([site.series] + others.map(\.site.series)).joined(separator: ", "))): where one unit issues both, "
                + "the second number is taken and refused at run time; put {klasifikasi} in the templates or make them differ"))
        }
        return workflows.compactMap { file in found[file.path].flatMap { $0.isEmpty ? nil : InvalidDocument(source: file.path, problems: $0) } }
    }

    /// Validates a workflow document. A regulation named by id is inlined first, so the stored
    /// body and its hash carry the regulation text.
    public static func readWorkflow(_ document: JSONValue, path: String, regulations: [String: Regulation] = [:]) throws(InvalidDocument) -> WorkflowFile {
        // An unknown regulation id stays as it is, and decoding reports it with every other problem.
        let stored = WorkflowDefinition.inliningRegulation(document, regulations) ?? document
        let definition = try WorkflowDefinition.decode(stored, source: path, hash: DefinitionHash(DocumentFile.hash(stored)), regulations: regulations)
        return WorkflowFile(path: path, definition: definition, body: stored.canonicalText)
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

/// Working-day calendars, read from files.
public enum Calendars {
    /// Reads every calendar file at a path (a file, or a folder searched recursively) as one calendar.
    /// - Returns: `nil` when the path holds no calendar file.
    /// - Throws: the `InvalidDocument`s of every bad calendar file.
    public static func load(_ path: String) throws -> WorkingCalendar? {
        var calendars: [WorkingCalendar] = []
        var failures: [InvalidDocument] = []
        for file in try DocumentFile.jsonFiles(at: path) {
            do throws(InvalidDocument) {
                let document = try DocumentFile.read(file)
                guard DocumentFile.format(of: document) == WorkingCalendar.format else { continue }
                calendars.append(try WorkingCalendar.decode(document, source: file))
            } catch {
                failures.append(error)
            }
        }
        if !failures.isEmpty { throw InvalidDocuments(documents: failures) }
        return calendars.reduce(nil) { merged, next in merged?.merging(next) ?? next }
    }
}

/// Loading validated files into a store. Each load reads and checks its files first and touches
/// the store only when they are valid, so a wrong path or a bad file leaves the database as it was
/// (the CLI opens, creates or upgrades the file only after `readWorkflows` or `readDirectory`).
public enum Loading {
    /// Reads and checks every workflow at a path: one invalid file refuses all.
    /// Directory files found there are ignored (they are imported with `importDirectory`).
    /// - Parameter warned: told the warnings of the files read (`CheckReport.warnings`).
    /// - Throws: the `InvalidDocument`s of every bad file, or one saying there is no workflow.
    public static func readWorkflows(from path: String, warned: ([InvalidDocument]) -> Void = { _ in }) throws -> [WorkflowFile] {
        let report = DataFiles.check(path)
        if !report.failures.isEmpty { throw InvalidDocuments(documents: report.failures) }
        warned(report.warnings)
        if report.workflows.isEmpty {
            throw InvalidDocuments(documents: [InvalidDocument(source: path, problems: [Problem(path: "", message: "no workflow files here")])])
        }
        return report.workflows
    }

    /// Saves workflows read by `readWorkflows` into the store.
    /// - Returns: each workflow with what changed.
    public static func loadWorkflows(_ files: [WorkflowFile], into store: any EventStore, now: Timestamp) throws -> [(WorkflowFile, DefinitionChange)] {
        try files.map { file in
            (file, try store.saveDefinition(workflow: file.definition.id, hash: file.definition.hash, body: file.body, now: now))
        }
    }

    /// Reads, checks and loads every workflow at a path (`readWorkflows`, then `loadWorkflows`).
    public static func loadWorkflows(from path: String, into store: any EventStore, now: Timestamp,
                                     warned: ([InvalidDocument]) -> Void = { _ in }) throws -> [(WorkflowFile, DefinitionChange)] {
        try loadWorkflows(try readWorkflows(from: path, warned: warned), into: store, now: now)
    }

    /// Reads and checks an org directory file.
    /// - Parameter employees: a CSV file of employees to add to the directory's own (`EmployeesCSV`).
    public static func readDirectory(from path: String, employees: String? = nil) throws -> DirectoryFile {
        let file = try DataFiles.readDirectory(path: path)
        guard let employees else { return file }
        let merged = try EmployeesCSV.merge(try DocumentFile.read(path), csv: try DocumentFile.bytes(employees), source: employees, directorySource: path)
        return try DataFiles.readDirectory(merged, path: path)
    }

    /// Imports an org directory read by `readDirectory` as a new version, in force from its `effective_from`.
    public static func importDirectory(_ file: DirectoryFile, into store: any EventStore, now: Timestamp) throws -> DirectoryVersion {
        try store.saveDirectory(effectiveFrom: file.directory.effectiveFrom, hash: file.hash, body: file.body, source: file.path, now: now)
    }

    /// Reads, checks and imports an org directory file (`readDirectory`, then `importDirectory`).
    public static func importDirectory(from path: String, employees: String? = nil, into store: any EventStore,
                                       now: Timestamp) throws -> (DirectoryFile, DirectoryVersion) {
        let file = try readDirectory(from: path, employees: employees)
        return (file, try importDirectory(file, into: store, now: now))
    }
}

/// Several documents refused together.
public struct InvalidDocuments: Error, Sendable, CustomStringConvertible {
    public var documents: [InvalidDocument]
    public init(documents: [InvalidDocument]) { self.documents = documents }
    public var description: String { documents.map(\.description).joined(separator: "\n") }
}

/// The workflow definitions a store holds, parsed once and cached by hash.
///
/// Not `Sendable`: belongs to the thread that owns the store.
public final class DefinitionCatalog {
    private let store: any EventStore
    private var current: [WorkflowID: DefinitionHash] = [:]
    private var parsed: [DefinitionHash: WorkflowDefinition] = [:]
    /// The definition `definition(_:)` gave last: the commands of a batch mostly run on one
    /// version, found again by comparing its hash rather than hashing its 64 characters.
    private var last: WorkflowDefinition?
    /// When `current` was read.
    private var read = CatalogRead()
    /// `timed()`, kept until the stamp changes.
    private var timedStates: TimedStates?

    public init(store: any EventStore) throws {
        self.store = store
        try refresh()
    }

    /// Re-reads which version of each workflow is current, if anything was loaded since the
    /// last read (`EventStore.catalogStamp`, one cheap query otherwise).
    public func refresh() throws {
        try read.again(from: store) {
            current = try store.currentDefinitions()
            timedStates = nil
        }
    }

    /// The current definition of a workflow, for new requests.
    public func current(_ id: WorkflowID) throws -> WorkflowDefinition? {
        guard let hash = current[id] else { return nil }
        return try definition(hash)
    }

    /// Every version ever loaded.
    public func all() throws -> [WorkflowDefinition] {
        try store.definitionVersions().compactMap { try definition($0.hash) }
    }

    /// The states of every loaded version that have a timer, as the timers' look asks for them.
    public struct TimedStates: Sendable {
        /// States with a deadline.
        public var deadlines: [String]
        /// (state, period field) of states that end when a period field's `end` has passed, sorted.
        public var endings: [(state: String, field: String)]
        /// Every state with a deadline or an end.
        public var all: Set<String>
    }

    /// The states with a timer across every loaded version, read again only after a refresh found a change.
    public func timed() throws -> TimedStates {
        if let timedStates { return timedStates }
        let specs = try all().flatMap { $0.states.filter(\.timed) }
        var seen = Set<[String]>()
        let endings = specs.compactMap { spec in spec.ends.map { (state: spec.id, field: $0.field) } }
            .filter { seen.insert([$0.state, $0.field]).inserted }
            .sorted { ($0.state, $0.field) < ($1.state, $1.field) }
        let timed = TimedStates(deadlines: Set(specs.filter { $0.deadline != nil }.map(\.id)).sorted(), endings: endings,
                                all: Set(specs.map(\.id)))
        timedStates = timed
        return timed
    }

    /// A definition already parsed, found without reading the store (`nil`: not parsed yet, ask
    /// `definition`): what a batch's deciding thread asks while its writing thread holds the store.
    public func parsedDefinition(_ hash: DefinitionHash) -> WorkflowDefinition? {
        if let last, last.hash == hash { return last }
        return parsed[hash]
    }

    /// The current definition of a workflow if already parsed, without reading the store (`nil`: ask `current`).
    public func parsedCurrent(_ id: WorkflowID) -> WorkflowDefinition? {
        current[id].flatMap(parsedDefinition)
    }

    /// A definition by hash: the version a request is pinned to.
    public func definition(_ hash: DefinitionHash) throws -> WorkflowDefinition? {
        if let known = parsedDefinition(hash) {
            last = known
            return known
        }
        guard let body = try store.definitionBody(hash) else { return nil }
        let definition = try WorkflowDefinition.stored(body, hash: hash)
        parsed[hash] = definition
        last = definition
        return definition
    }

    /// Whether `state` has a timer under the definition it is pinned to, and the end of the period
    /// it runs for (`StateTimer`), what the projection stores as `timed` and `ends`.
    /// - Throws: `StoreError` when that definition is not in the store: neither can be derived.
    public func timer(of state: RequestState) throws -> StateTimer {
        guard let definition = try definition(state.definition) else {
            throw StoreError(.corrupt, "request \(state.request) is pinned to definition \(state.definition.short), which is not in the store: the end of its period cannot be derived")
        }
        return StateTimer.of(state, in: definition)
    }
}

/// The org directory versions a store holds, parsed once and cached.
///
/// Not `Sendable`: belongs to the thread that owns the store.
public final class DirectoryCatalog {
    private let store: any EventStore
    private var versions: [DirectoryVersion] = []
    private var parsed: [Int64: Directory] = [:]
    /// The time zone of a version read without decoding it (`timeZone()`).
    private var zone: (version: Int64, zone: TimeZoneOffset)?
    /// When `versions` was read.
    private var read = CatalogRead()
    /// The last answer of `version(at:)` and the instants it holds for: from the first instant of
    /// its version's effective date to the first of the next later version's (none: no end), in
    /// the zone of the versions read. A batch's commands are mostly dated within one version's
    /// time: found again by two comparisons, not by the zone's and the versions' look-ups.
    private var inForce: (from: Timestamp, until: Timestamp?, version: Int64, directory: Directory)?

    public init(store: any EventStore) throws {
        self.store = store
        try refresh()
    }

    /// Re-reads the list of versions, if one was imported since the last read.
    public func refresh() throws {
        try read.again(from: store) {
            versions = try store.directoryVersions()
            inForce = nil
        }
    }

    /// The regency's time zone, from the latest version; WIB when there is none. Read from the
    /// version's document alone when it is not decoded yet (`Directory.timeZone(of:)`): a cold
    /// `lintas status` of an ended request needs nothing else of the directory.
    public func timeZone() throws -> TimeZoneOffset {
        guard let latest = versions.last else { return .wib }
        if let known = parsed[latest.version] { return known.timeZone }
        if let zone, zone.version == latest.version { return zone.zone }
        guard let body = try store.directoryBody(version: latest.version), let read = try? Directory.timeZone(of: Array(body.utf8)) else {
            // A document the scan cannot read: decoding it says what is wrong.
            return try directory(latest.version).timeZone
        }
        zone = (latest.version, read)
        return read
    }

    /// The version in force at an instant: the latest whose effective date is on or before the
    /// instant's date in the regency's zone (among versions of one date, the last imported).
    public func directory(at instant: Timestamp) throws -> Directory? {
        try version(at: instant)?.directory
    }

    /// `version(at:)` when every directory it needs is parsed already, without reading the store
    /// (`nil`: ask `version(at:)`): what a batch's deciding thread asks while its writing thread holds the store.
    public func parsedVersion(at instant: Timestamp) -> (version: Int64, directory: Directory)? {
        version(at: instant) { parsed[$0] }
    }

    /// `directory(at:)` with its version number.
    public func version(at instant: Timestamp) throws -> (version: Int64, directory: Directory)? {
        try version(at: instant) { try directory($0) }
    }

    /// The version in force at `instant`, its directory and the latest one's (for the regency's
    /// time zone) given by `directory`; `nil` when there is none, or when `directory` gives none.
    private func version(at instant: Timestamp, _ directory: (Int64) throws -> Directory?) rethrows -> (version: Int64, directory: Directory)? {
        if let inForce, inForce.from <= instant, inForce.until.map({ instant < $0 }) ?? true {
            return (inForce.version, inForce.directory)
        }
        var zone = TimeZoneOffset.wib
        if let latest = versions.last {
            guard let known = try directory(latest.version) else { return nil }
            zone = known.timeZone
        }
        let date = instant.civilDate(in: zone)
        // Versions are in effective date order (`directoryVersions`): the one in force holds until the next later date.
        guard let index = versions.lastIndex(where: { $0.effectiveFrom <= date }), let found = try directory(versions[index].version) else { return nil }
        let version = versions[index]
        let next = index + 1 < versions.count ? versions[index + 1] : nil
        inForce = (version.effectiveFrom.start(in: zone), next?.effectiveFrom.start(in: zone), version.version, found)
        return (version.version, found)
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

/// The store's catalog stamp (`EventStore.catalogStamp`) when a catalog last read what it holds:
/// the one place a catalog decides whether to read it again.
struct CatalogRead {
    private var stamp: CatalogStamp?

    /// Runs `read` when a definition or directory version may have been saved since the last
    /// time it ran (and the first time), and remembers the stamp once it succeeded.
    mutating func again(from store: any EventStore, _ read: () throws -> Void) throws {
        let now = try store.catalogStamp()
        guard now != stamp else { return }
        try read()
        stamp = now
    }
}
