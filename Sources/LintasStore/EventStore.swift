import LintasCore

/// The event store: the append-only log, the projection of each request's state, the
/// command queue with its outcomes, letter registers, and the workflow definitions and
/// org directory versions that decisions were taken under.
///
/// One protocol, several backends: SQLite (one file, the embedded default) now, PostgreSQL
/// for several daemons later. The contract tests in `LintasStoreTests` run against each.
///
/// A store is used by one thread at a time; it is not `Sendable`.
public protocol EventStore: AnyObject {
    // MARK: Workflow definitions

    /// Keeps a definition body (deduplicated by hash) and makes it the current version of its
    /// workflow for new requests. Requests in flight stay on the version they started with.
    func saveDefinition(workflow: WorkflowID, hash: DefinitionHash, body: String, now: Timestamp) throws -> DefinitionChange
    func definitionBody(_ hash: DefinitionHash) throws -> String?
    /// The current definition of each workflow.
    func currentDefinitions() throws -> [WorkflowID: DefinitionHash]
    /// Every version ever loaded, oldest first.
    func definitionVersions() throws -> [DefinitionVersion]
    /// A value that changes whenever workflow definitions or directory versions may have been
    /// saved since it was last read, by this store or by any other connection to the same
    /// database: catalogs read them again only when it changed.
    func catalogStamp() throws -> CatalogStamp

    // MARK: Org directory

    /// Keeps a directory version. Importing the same body for the same date again changes nothing.
    func saveDirectory(effectiveFrom: CivilDate, hash: String, body: String, source: String, now: Timestamp) throws -> DirectoryVersion
    /// Every version, ordered by effective date then import.
    func directoryVersions() throws -> [DirectoryVersion]
    func directoryBody(version: Int64) throws -> String?

    // MARK: Intake

    /// Queues commands, all or none. A command whose id was seen before with the same content
    /// is not queued again (`.duplicate`); one whose id was used for a different command
    /// makes the whole call fail with `CommandIDConflict`.
    func enqueue(_ commands: [Command], source: String, now: Timestamp) throws -> [EnqueueResult]

    // MARK: Processing

    /// Runs the body in one write transaction: everything it appends, saves and records
    /// commits together or not at all.
    func withBatch<Result>(_ body: (any StoreBatch) throws -> Result) throws -> Result

    // MARK: Reading

    /// Runs the body on one consistent snapshot: writes committed meanwhile are not seen.
    func readSnapshot<Result>(_ body: () throws -> Result) throws -> Result
    /// Runs the body on one consistent snapshot with the reads deciding commands makes: what
    /// was committed when it began (a batch on another connection that holds the write lock
    /// is not seen until it commits).
    func withLookups<Result>(_ body: (any StoreLookups) throws -> Result) throws -> Result
    func request(_ id: RequestID) throws -> StoredRequest?
    /// The stored state of a request (`StoredRequest.body`, canonical JSON) alone, for a reader that
    /// only looks at it (`lintas status`): none of the other columns read; `nil` when none is stored.
    func stateBody(of id: RequestID) throws -> [UInt8]?
    /// A request's events in version order.
    func events(of request: RequestID) throws -> [StoredEvent]
    /// Every request's events, one request at a time, in request and version order.
    func forEachStream(_ visit: (RequestID, [StoredEvent]) throws -> Void) throws
    /// Every event as the store holds it, in request and version order, without copying it:
    /// `event` sees each row (its buffers valid only during that call), `end` follows each
    /// request's last event with the request's stored projection when `projections` is true
    /// (read in the same order as the events, not looked up one by one), `nil` otherwise or
    /// when none is stored. What replay and audit fold from.
    func scanEvents(projections: Bool, _ event: (StoredEventBytes) throws -> Void, end: (StoredRequest?) throws -> Void) throws
    /// `scanEvents` over the requests in `range` only: the scans of the ranges `splitRequests`
    /// gives, one after the other, see what one scan of every request sees, in the same order.
    /// `columns` says which of the row's columns `event` reads (`.fold`: the others are left
    /// empty, not read from the store).
    func scanEvents(in range: RequestRange, projections: Bool, columns: ScanColumns, _ event: (StoredEventBytes) throws -> Void,
                    end: (StoredRequest?) throws -> Void) throws
    /// Consecutive ranges of request ids covering every request, about as many events in each
    /// (a request's events all in one range), at most `parts`, in order: what parallel readers
    /// split by.
    func splitRequests(into parts: Int) throws -> [RequestRange]
    /// Another connection to the same store, for a reader on another thread, or `nil` when the
    /// backend has none (an in-memory file): parallel readers then read on this one alone.
    func openReader() throws -> (any EventStore)?
    /// What this connection's snapshot holds of the log: its last event. Two snapshots with the
    /// same mark hold the same events, projections and letter parts (events are append-only and
    /// the projections and parts are written in the transaction that appends their events).
    func snapshotMark() throws -> SnapshotMark
    /// Every stored request state, in request order.
    func forEachRequest(_ visit: (StoredRequest) throws -> Void) throws
    /// How many request states are stored, without reading them.
    func requestCount() throws -> Int
    /// Count and range of the global event sequence, to prove it has no gaps.
    func sequenceSummary() throws -> SequenceSummary
    /// The last (largest) sequence number of the log, `nil` when it has no event: found without
    /// reading the others, as `sequenceSummary` must to count them (what audit's check for a
    /// gap runs up to).
    func highestSequence() throws -> Int64?
    /// Every event's sequence number and stored hash, in sequence order, through `last` (every
    /// event when `nil`): what a signed checkpoint digests (`Checkpoint`). The bytes are valid
    /// only during the call.
    func forEachEventHash(through last: Int64?, _ visit: (Int64, UnsafeRawBufferPointer) throws -> Void) throws
    /// What `body` makes of a letter's part (`LetterParts`) stored under the hex SHA-256 its event names
    /// it by (64 digits, as the event holds them): the part's bytes exactly as stored (audit checks they
    /// still hash to that name), valid only during that call; `nil`, `body` not called, when absent.
    func withLetterPart<Result>(named name: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result?
    /// Runs `body` with `withLetterPart` free to read the parts in the order the store keeps them,
    /// for a reader that looks them up in about that order (audit's range of requests): the same
    /// bytes under the same names, only found with less work. A store that keeps no order runs `body`.
    func readingPartsInOrder<Result>(_ body: () throws -> Result) throws -> Result
    /// Every opening stored once (an event's article and `by`; `StoredOpenings` in SQLite), keyed by
    /// the hex SHA-256 of its body, with that body exactly as stored (audit checks it still hashes to
    /// its key).
    func storedOpenings() throws -> [(hash: String, body: [UInt8])]
    func commands(_ filter: CommandFilter) throws -> [CommandRecord]
    func queueSummary() throws -> QueueSummary
}

/// What deciding a batch's commands reads from the store: a write transaction's own reads
/// (`StoreBatch`), or those of another connection's snapshot (`EventStore.withLookups`).
public protocol StoreLookups {
    func request(_ id: RequestID) throws -> StoredRequest?
    /// The state and head of a request's projection (`StoredRequest.body` and `head`) without its other
    /// columns, `nil` for a request not stored: what the daemon reads a state it does not keep from.
    /// `row` is where the store keeps the projection, when it can say (SQLite: the row's rowid), for
    /// `StoreBatch.saveRequest` to write it there.
    func stateAndHead(of id: RequestID) throws -> (body: [UInt8], head: [UInt8], row: Int64?)?
    /// The stored requests of a workflow bound by a quota rule to `unit` (their `quota_unit`
    /// field) that stand in one of `states`.
    func requests(workflow: WorkflowID, quotaUnit unit: UnitID, states: [String]) throws -> [RequestID]
    /// The last sequence number used in a letter register, 0 when none.
    func letterSequence(register: String) throws -> Int
    /// The letter that carries a printed number (drawn or given elsewhere), if any.
    func letter(numbered number: String) throws -> NumberedLetter?
}

extension StoreLookups {
    public func stateAndHead(of id: RequestID) throws -> (body: [UInt8], head: [UInt8], row: Int64?)? {
        try request(id).map { ($0.body, $0.head, nil) }
    }
}

/// What one write transaction of the daemon can do.
public protocol StoreBatch: StoreLookups {
    /// The oldest queued commands, at most `limit`.
    func claimQueued(limit: Int) throws -> [QueuedCommand]
    /// The requests whose current state is one of `states` and has a timer in the request's own
    /// definition (`StateTimer`), found through an index, in request order.
    func requests(inStates states: [String]) throws -> [StoredRequest]
    /// The requests in `state` whose period ended before `date` (the `ends` column, the end of the
    /// period field its definition's `ends` names, is earlier), found through an index, without
    /// reading every state: the assignments that ran out.
    func requests(inState state: String, endingBefore date: CivilDate) throws -> [StoredRequest]
    /// The event as `append` stores it, its hash chained after the request's previous one
    /// (`EventChain`), its letter's parts named by the store's own cache of those it holds (the
    /// others left for `append` to store; `ChainedEvent.init` makes one away from the store).
    /// `letter`, when given, is the letter's content already split and encoded
    /// (`LetterParts.encode` of that content with its `implied` members), so that it need not be again.
    func chain(_ event: Event, after previous: Digest, letter: LetterParts.Encoded?) -> ChainedEvent
    /// Appends an event chained already, with those of its letter's parts the store does not hold yet.
    /// - Throws: `StoreError` with code `.versionConflict` when the version is taken: by an event this
    ///   transaction appended, or (SQLite, schema version 15) by a stored one, found by `saveRequest`.
    /// - Returns: its sequence number.
    func append(_ event: ChainedEvent) throws -> Int64
    /// Writes the projection of a request's state, with `timer`, whether its state has a timer and
    /// the end of the period it runs for (`StateTimer.of`), by which the timers look it up.
    /// `body` is the state's canonical bytes (`state.canonicalBytes`), written beforehand (on
    /// another thread than the store's, with `Processor.commitEach`), read only while this runs.
    /// - Throws: `StoreError` with code `.versionConflict` when the stored projection is not older than
    ///   the events appended for it since it was written (SQLite, schema version 15: their versions are taken).
    /// - Parameter row: where the projection was last read or written (`stateAndHead`, this method's
    ///   result), if known: a hint to find it by, checked against the request (a row that holds
    ///   another request, or none, is not written; the projection is then found by its request).
    /// - Returns: where the projection now stands, when the store can say (SQLite: the row's rowid).
    @discardableResult
    func saveRequest(_ state: RequestState, body: UnsafeRawBufferPointer, head: Digest, timer: StateTimer, row: Int64?) throws -> Int64?
    /// Records the outcome of every command the transaction claimed, in one go: the oldest
    /// queued commands, each once, processed at `now`.
    /// - Throws: `StoreError` when the commands are not the oldest queued ones that this transaction
    ///   claimed (one skipped, one twice, one not claimed).
    func recordOutcomes(_ outcomes: [QueuedOutcome], now: Timestamp) throws
    /// Sets a register's last sequence drawn. `open`: the register's `last` may lag behind letters that later commits
    /// of this batch draw and record (`recordLetterNumber`) before it sets it again closed; `letterSequence` then
    /// reads the highest sequence its recorded letters carry too.
    func setLetterSequence(register: String, to sequence: Int, open: Bool) throws
    /// Records a letter's printed number; a number another letter carries is a constraint error.
    func recordLetterNumber(_ number: String, of letter: NumberedLetter) throws
    /// The sequence number of the last event appended by anyone, 0 when there is none: what
    /// tells a writer that its cached states are still current (nobody else appended since).
    func lastEventSequence() throws -> Int64
    /// Commits what the transaction has written so far (a synced commit, like the batch's last)
    /// and begins the next one, holding the write lock again; the batch goes on in it.
    /// - Parameter committed: runs once the commit is done, before the next transaction begins
    ///   (which may fail: another writer holding the lock past the busy timeout).
    /// - Returns: `false` when another connection committed in between something the caller's deciding
    ///   reads (anything but queued commands): what the caller decided from what it read before is void, and the transaction begun must be left unwritten
    ///   (rolled back: the body throws).
    func commitAndContinue(committed: () -> Void) throws -> Bool
}

// MARK: - Records

public enum DefinitionChange: Sendable, Equatable {
    /// A new version, now current.
    case added
    /// This version was already current.
    case unchanged
    /// A version loaded before became current again.
    case reinstated
}

public struct DefinitionVersion: Sendable, Hashable {
    public var workflow: WorkflowID
    public var hash: DefinitionHash
    public var loadedAt: Timestamp
    public var isCurrent: Bool
}

public struct DirectoryVersion: Sendable, Hashable {
    public var version: Int64
    public var effectiveFrom: CivilDate
    public var hash: String
    public var importedAt: Timestamp
    public var source: String
    /// False when the same body and date had been imported before.
    public var isNew: Bool
}

/// An event row exactly as stored. `decode()` reads it back into an `Event`; `audit` also
/// looks at rows that no longer decode, so the raw columns are kept.
@dynamicMemberLookup
public struct StoredEvent: Sendable, Hashable {
    /// The global sequence number: 1, 2, 3, … without gaps.
    public var sequence: Int64
    public var envelope: EventEnvelope
    /// The canonical JSON of the event's detail.
    public var data: [UInt8]
    /// The stored SHA-256, 32 bytes unless the row was damaged.
    public var hash: [UInt8]

    public init(sequence: Int64, envelope: EventEnvelope, data: [UInt8], hash: [UInt8]) {
        self.sequence = sequence
        self.envelope = envelope
        self.data = data
        self.hash = hash
    }

    /// `row.request`, `row.version`, …: the envelope's members.
    public subscript<Value>(dynamicMember keyPath: KeyPath<EventEnvelope, Value>) -> Value { envelope[keyPath: keyPath] }

    public func decode() throws(EventFormatError) -> Event {
        Event(envelope: envelope, detail: try Event.Detail(bytes: data))
    }
}

/// Which of an event row's columns `scanEvents` reads.
public enum ScanColumns: Sendable {
    /// Every column.
    case all
    /// Only those a fold reads (`StoredEventBytes.fold`): `request`, `version`, `action`, `state`,
    /// `actor`, `at`, `data` and `by`; `sequence` and `recorded` are 0, `command` and `hash` empty.
    /// A detail stored apart from its opening is given as stored, its rest and the opening's body
    /// (`StoredEventBytes.openingBody`), for one fold to read in the scan's order.
    /// Replay's scan: each column read costs the store's stepping too.
    case fold
}

/// An event row as the store holds it, borrowed from the store for one call (`scanEvents`):
/// nothing is copied, and no buffer may be kept after the call returns. Made by the store only
/// (the memberwise initializer).
public struct StoredEventBytes {
    public var sequence: Int64
    public var request: UnsafeRawBufferPointer
    public var version: Int
    public var action: UnsafeRawBufferPointer
    public var state: UnsafeRawBufferPointer
    public var actor: UnsafeRawBufferPointer
    public var at: Int64
    public var recorded: Int64
    public var command: UnsafeRawBufferPointer
    /// The canonical JSON of the event's detail; its rest alone when `openingBody` is given.
    public var data: UnsafeRawBufferPointer
    public var hash: UnsafeRawBufferPointer
    /// Where the detail's `by` stands in `data` when it was stored apart (schema version 11:
    /// `StoredOpenings`) and put back: the same bytes for every event by that actor.
    public var by: Range<Int>?
    /// The number in this scan of the opening put back with `by` (the same for every event that
    /// cites it): where the fold keeps the `by` it read, to compare the next one with.
    public var opening: Int?
    /// In a fold's scan (`ScanColumns.fold`), the body of the opening numbered `opening`, not
    /// put back in front of `data`, which is then the detail's rest as stored: the fold puts them
    /// together the first time it meets the number in the scan and reads the rest alone after
    /// that (`RequestFold.apply`). `nil` when `data` is the whole detail.
    public var openingBody: UnsafeRawBufferPointer? = nil

    /// Folds the row into `fold` (`RequestFold.apply`).
    public func fold(into fold: inout RequestFold) throws {
        try fold.apply(request: request, version: version, action: action, state: state, actor: actor, at: at, data: data, by: by, opening: opening,
                       openingBody: openingBody)
    }
}

extension StoredEvent {
    /// The row's columns borrowed as `StoredEventBytes` for the body.
    public func withBytes<Result>(_ body: (StoredEventBytes) throws -> Result) rethrows -> Result {
        var (request, action, state, actor, command) = (envelope.request.rawValue, envelope.action, envelope.state, envelope.actor.rawValue, envelope.command.rawValue)
        return try request.withUTF8 { request in
            try action.withUTF8 { action in
                try state.withUTF8 { state in
                    try actor.withUTF8 { actor in
                        try command.withUTF8 { command in
                            try data.withUnsafeBytes { data in
                                try hash.withUnsafeBytes { hash in
                                    try body(StoredEventBytes(sequence: sequence, request: UnsafeRawBufferPointer(request), version: envelope.version,
                                                              action: UnsafeRawBufferPointer(action), state: UnsafeRawBufferPointer(state),
                                                              actor: UnsafeRawBufferPointer(actor), at: envelope.at.milliseconds,
                                                              recorded: envelope.recorded.milliseconds, command: UnsafeRawBufferPointer(command),
                                                              data: data, hash: hash, opening: nil))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

extension EventStore {
    public func readingPartsInOrder<Result>(_ body: () throws -> Result) throws -> Result { try body() }

    /// `scanEvents` for a store that can only give copies: its streams, and a lookup per request.
    public func scanEvents(projections: Bool, _ event: (StoredEventBytes) throws -> Void, end: (StoredRequest?) throws -> Void) throws {
        try scanEvents(in: .all, projections: projections, event, end: end)
    }

    public func scanEvents(in range: RequestRange, projections: Bool, _ event: (StoredEventBytes) throws -> Void, end: (StoredRequest?) throws -> Void) throws {
        try scanEvents(in: range, projections: projections, columns: .all, event, end: end)
    }

    /// Every column, whichever `columns` asks for: the rows are copies already.
    public func scanEvents(in range: RequestRange, projections: Bool, columns: ScanColumns, _ event: (StoredEventBytes) throws -> Void,
                           end: (StoredRequest?) throws -> Void) throws {
        try forEachStream { request, rows in
            guard range.contains(request) else { return }
            for row in rows { try row.withBytes(event) }
            try end(projections ? try self.request(request) : nil)
        }
    }

    public func splitRequests(into parts: Int) throws -> [RequestRange] { [.all] }

    /// None for a store that keeps each event's detail whole.
    public func storedOpenings() throws -> [(hash: String, body: [UInt8])] { [] }

    public func requestCount() throws -> Int {
        var count = 0
        try forEachRequest { _ in count += 1 }
        return count
    }

    public func openReader() throws -> (any EventStore)? { nil }
}

/// The requests whose ids, compared byte by byte (UTF-8, as the store orders them), are at
/// least `lower` and below `upper`; `nil` leaves that side open.
public struct RequestRange: Sendable, Hashable, CustomStringConvertible {
    public var lower: RequestID?
    public var upper: RequestID?

    public static let all = RequestRange(lower: nil, upper: nil)

    public init(lower: RequestID?, upper: RequestID?) {
        self.lower = lower
        self.upper = upper
    }

    public func contains(_ request: RequestID) -> Bool {
        let bytes = request.rawValue.utf8
        if let lower, bytes.lexicographicallyPrecedes(lower.rawValue.utf8) { return false }
        if let upper, !bytes.lexicographicallyPrecedes(upper.rawValue.utf8) { return false }
        return true
    }

    public var description: String { "[\(lower?.rawValue ?? "…"), \(upper?.rawValue ?? "…"))" }
}

/// The last event a snapshot holds: its sequence number (0 when there is none) and stored hash.
public struct SnapshotMark: Sendable, Hashable, CustomStringConvertible {
    public var sequence: Int64
    public var hash: [UInt8]

    public init(sequence: Int64, hash: [UInt8]) {
        self.sequence = sequence
        self.hash = hash
    }

    public var description: String { "event #\(sequence) (\(Digest(bytes: hash)?.hex.prefix(12) ?? "no hash"))" }
}

/// A request's projection row exactly as stored.
public struct StoredRequest: Sendable, Hashable {
    public var request: RequestID
    /// The canonical JSON of the state.
    public var body: [UInt8]
    /// The hash of the request's last event.
    public var head: [UInt8]
    /// The columns stored beside the body so that queries need not parse it; `audit` checks
    /// that they say what the body says.
    public var columns: Columns

    public struct Columns: Sendable, Hashable {
        public var workflow: WorkflowID
        public var state: String
        public var version: Int
        public var updated: Timestamp
        /// The end of the period the state runs for (schema version 9), `nil` when it does not end.
        public var ends: CivilDate?
        /// Whether the state has a timer in the request's definition (schema version 14, `StateTimer`).
        public var timed: Bool

        public init(workflow: WorkflowID, state: String, version: Int, updated: Timestamp, ends: CivilDate? = nil, timed: Bool = false) {
            self.workflow = workflow
            self.state = state
            self.version = version
            self.updated = updated
            self.ends = ends
            self.timed = timed
        }

        public init(of state: RequestState) {
            self.init(workflow: state.workflow, state: state.state, version: state.version, updated: state.updated)
        }
    }

    /// The state; `keepingParticipants` for one that is only looked at (`RequestState.init(bytes:keepingParticipants:)`).
    public func decode(keepingParticipants: Bool = false) throws(EventFormatError) -> RequestState {
        try RequestState(bytes: body, keepingParticipants: keepingParticipants)
    }

    public var headDigest: Digest? { Digest(bytes: head) }
}

public struct QueuedCommand: Sendable, Hashable {
    /// The queue's sequence number.
    public var sequence: Int64
    public var command: Command
    public var enqueuedAt: Timestamp
    /// Set when the stored command can no longer be read (its data is damaged); such a
    /// command is refused, never dropped.
    public var damage: String?
}

/// Some commands reuse the id of a different command queued earlier; nothing was queued.
public struct CommandIDConflict: Error, Sendable, Hashable {
    /// Positions (0-based) in the list given to `enqueue`, with the earlier command's queue sequence.
    public var conflicts: [(index: Int, sequence: Int64)] { zip(indices, sequences).map { ($0, $1) } }
    public var indices: [Int]
    public var sequences: [Int64]
}

public enum EnqueueResult: Sendable, Hashable {
    case queued(sequence: Int64)
    /// The same command was queued before; nothing changed.
    case duplicate(sequence: Int64)
}

public enum CommandStatus: String, Sendable, Hashable, CaseIterable {
    case queued, done, refused
}

public enum CommandOutcome: Sendable, Hashable {
    /// Applied: its events are in the log (`CommandRecord.firstEvent` is the first of them).
    case done
    case refused(Refusal)
}

/// A claimed command with its outcome, as `StoreBatch.recordOutcomes` records it. A struct, not a pair: a member of
/// one in an array is read where it stands, where a pair's reads copied it whole (the runtime's generic copy of a
/// tuple, its command's members retained and released, about 400 instructions).
public struct QueuedOutcome: Sendable, Hashable {
    public var command: QueuedCommand
    public var outcome: CommandOutcome

    public init(_ command: QueuedCommand, _ outcome: CommandOutcome) {
        self.command = command
        self.outcome = outcome
    }
}

/// A command in the queue, as kept forever for idempotency and audit.
public struct CommandRecord: Sendable, Hashable {
    public var sequence: Int64
    public var command: Command
    public var status: CommandStatus
    public var enqueuedAt: Timestamp
    public var processedAt: Timestamp?
    public var refusal: Refusal?
    public var firstEvent: Int64?
    public var source: String
}

public struct CommandFilter: Sendable, Hashable {
    public var status: CommandStatus?
    public var request: RequestID?
    public var id: CommandID?
    public var limit: Int

    public init(status: CommandStatus? = nil, request: RequestID? = nil, id: CommandID? = nil, limit: Int = 1000) {
        self.status = status
        self.request = request
        self.id = id
        self.limit = limit
    }
}

public struct QueueSummary: Sendable, Hashable {
    public var queued: Int
    public var done: Int
    public var refused: Int
    public var oldestQueued: Timestamp?
    /// When the last command was processed (done or refused): the last batch that took any.
    public var lastProcessed: Timestamp? = nil
}

/// See `EventStore.catalogStamp()`: equal stamps mean nothing a catalog holds was saved in between.
public struct CatalogStamp: Sendable, Hashable {
    /// Commits by other connections (SQLite's `data_version`): any commit, not only the catalog's.
    public var others: Int64
    /// Definitions and directory versions saved through this store object.
    public var own: Int64

    public init(others: Int64, own: Int64) {
        self.others = others
        self.own = own
    }
}

public struct SequenceSummary: Sendable, Hashable {
    public var count: Int64
    public var first: Int64?
    public var last: Int64?

    public init(count: Int64, first: Int64?, last: Int64?) {
        self.count = count
        self.first = first
        self.last = last
    }
}

/// A store failure: what went wrong, in a way an operator can act on.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public struct Code: RawRepresentable, Sendable, Hashable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let notFound = Code(rawValue: "not_found")
        /// Another process holds the write lock longer than the busy timeout.
        public static let busy = Code(rawValue: "busy")
        public static let diskFull = Code(rawValue: "disk_full")
        public static let corrupt = Code(rawValue: "corrupt")
        public static let constraint = Code(rawValue: "constraint")
        public static let readOnly = Code(rawValue: "read_only")
        public static let io = Code(rawValue: "io")
        /// An event with this request and version exists already (optimistic concurrency).
        public static let versionConflict = Code(rawValue: "version_conflict")
        /// The database was written by a newer lintas.
        public static let schemaTooNew = Code(rawValue: "schema_too_new")
        /// Stored data that cannot be read back.
        public static let malformed = Code(rawValue: "malformed")
        public static let other = Code(rawValue: "other")
    }

    /// Worth retrying later: the lock or the disk may free up.
    public var isTransient: Bool { code == .busy || code == .diskFull || code == .io }
}

extension RequestState {
    /// The state a request's stored events fold into, oldest first; `nil` for no events. The
    /// letters' content is not part of the state, so it is read past (audit checks it).
    /// - Throws: `ReplayError` or `EventFormatError` when the events cannot be folded.
    public static func folding(_ events: [StoredEvent]) throws -> RequestState? {
        var fold = RequestFold()
        for event in events { try event.withBytes { try $0.fold(into: &fold) } }
        return try fold.result()
    }
}

extension StoreBatch {
    /// Appends an event, its hash chained to the request's previous one (`EventChain`).
    /// - Throws: `StoreError` with code `.versionConflict` when the version is taken (as `append(_:)`).
    /// - Returns: the event as stored, with its sequence number and hash.
    public func append(_ event: Event, previous: Digest) throws -> StoredEvent {
        let chained = chain(event, after: previous, letter: nil)
        return StoredEvent(sequence: try append(chained), envelope: chained.envelope, data: chained.data, hash: chained.hash.bytes)
    }

    /// Sets a register's last sequence, closed: exact until set again.
    public func setLetterSequence(register: String, to sequence: Int) throws {
        try setLetterSequence(register: register, to: sequence, open: false)
    }

    /// `saveRequest(_:body:head:timer:row:)` with the state's canonical bytes written here.
    @discardableResult
    public func saveRequest(_ state: RequestState, head: Digest, timer: StateTimer, row: Int64? = nil) throws -> Int64? {
        try state.canonicalBytes.withUnsafeBytes { try saveRequest(state, body: $0, head: head, timer: timer, row: row) }
    }
}
