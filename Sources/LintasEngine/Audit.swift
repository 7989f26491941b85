import Foundation
import LintasCore
import LintasStore

/// Proves the log was not altered and that every stored state is what replaying the log gives.
///
/// Checks, on one snapshot of the store:
/// 1. each event's hash, recomputed from its stored columns and the previous hash of its request;
/// 2. each request's versions run 1, 2, 3, … and its events fold (`RequestState.evolve`);
/// 3. the replayed state equals the stored projection byte for byte, and its head is the last hash;
/// 4. the global sequence runs 1…N without gaps (a removed event leaves one);
/// 5. no projection exists without events;
/// 6. every stored workflow definition still hashes to its id, and each request's definition is stored;
/// 7. every issued letter's content still hashes to the content hash sealed into its event;
/// 8. every opening stored once (an event's article and `by`, schema version 11) still hashes to its
///    key: a changed one also fails the hash of every event that cites it, whose detail is read back
///    with it.
public enum Audit {
    public struct Finding: Sendable, Hashable, CustomStringConvertible {
        /// The event's global sequence number, when the finding is about an event.
        public var sequence: Int64?
        public var request: RequestID?
        public var version: Int?
        public var message: String

        public init(sequence: Int64? = nil, request: RequestID? = nil, version: Int? = nil, message: String) {
            self.sequence = sequence
            self.request = request
            self.version = version
            self.message = message
        }

        public var description: String {
            var place: [String] = []
            if let sequence { place.append("event #\(sequence)") }
            if let request { place.append("request \(request)" + (version.map { " version \($0)" } ?? "")) }
            return place.isEmpty ? message : "\(place.joined(separator: ", ")): \(message)"
        }
    }

    public struct Report: Sendable, Hashable {
        public var requests = 0
        public var events = 0
        public var definitions = 0
        /// Every finding, the first bad event first.
        public var findings: [Finding] = []
        public var isClean: Bool { findings.isEmpty }
    }

    /// Audits the whole store, or one request.
    /// - Parameter workers: how many connections and threads read the log (`SnapshotReaders`):
    ///   the requests are split into consecutive ranges, each audited on its own, all on one
    ///   snapshot; the report is the one a single reader gives. One request is audited on
    ///   one connection.
    public static func run(_ store: any EventStore, request: RequestID? = nil, workers: Int = SnapshotReaders.defaultWorkers) throws -> Report {
        if let request { return try audit(store, request: request) }
        return try SnapshotReaders.read(store, workers: workers) { split in
            var report = Report()
            let definitions = try checkDefinitions(store, &report)
            try checkOpenings(store, &report)
            // Each range on its own reader: the chain is per request (each event's hash from its
            // request's previous one), so the ranges share nothing but the definitions.
            let parts = try split.map { _, reader, range in
                var part = Part()
                var stream = StreamCheck(definitions: definitions, store: reader)
                // A range's requests first write their own letter parts in about the order they are read.
                try reader.readingPartsInOrder {
                    try reader.scanEvents(in: range, projections: true, { row in
                        part.events += 1
                        part.sequences.insert(row.sequence)
                        stream.check(row, into: &part.findings)
                    }, end: { stored in
                        part.streams += 1
                        stream.finish(stored: stored, into: &part.findings)
                    })
                }
                return part
            }
            var sequences = SequenceSet()
            for part in parts {
                report.events += part.events
                report.requests += part.streams
                report.findings += part.findings
                sequences.formUnion(part.sequences)
            }
            let last = try store.highestSequence() ?? 0
            if let gap = sequences.firstGap(upTo: last) {
                report.findings.append(Finding(sequence: gap, message: "event missing from the global sequence (expected 1…\(last) without gaps): an event was removed, or its request's projection does not list it"))
            }
            try findOrphanProjections(store, streams: report.requests, into: &report)
            sortFindings(&report)
            return report
        }
    }

    /// What one range of requests gives.
    private struct Part {
        var events = 0
        var streams = 0
        var findings: [Finding] = []
        var sequences = SequenceSet()
    }

    private static func audit(_ store: any EventStore, request: RequestID) throws -> Report {
        try store.readSnapshot {
            var report = Report()
            var stream = StreamCheck(definitions: try checkDefinitions(store, &report), store: store)
            try checkOpenings(store, &report)
            let events = try store.events(of: request)
            if events.isEmpty {
                if try store.request(request) != nil {
                    report.findings.append(Finding(request: request, message: "a stored state exists but the log has no events for it"))
                } else {
                    throw StoreError(.notFound, "no request \(request)")
                }
            } else {
                for row in events {
                    report.events += 1
                    row.withBytes { stream.check($0, into: &report.findings) }
                }
                stream.finish(stored: try store.request(request), into: &report.findings)
                report.requests = 1
            }
            sortFindings(&report)
            return report
        }
    }

    /// The first bad event first; findings about no event after, by request.
    private static func sortFindings(_ report: inout Report) {
        report.findings.sort { ($0.sequence ?? .max, $0.request?.rawValue ?? "") < ($1.sequence ?? .max, $1.request?.rawValue ?? "") }
    }

    /// - Returns: the stored definitions, each decoded only when a request pinned to it is checked.
    private static func checkDefinitions(_ store: any EventStore, _ report: inout Report) throws -> StoredDefinitions {
        var bodies: [DefinitionHash: StoredDefinitions.Body] = [:]
        for version in try store.definitionVersions() {
            report.definitions += 1
            let body = try store.definitionBody(version.hash)
            bodies[version.hash] = StoredDefinitions.Body(text: body)
            guard let body else { continue }
            let actual = Digest.sha256(Array(body.utf8)).hex
            if actual != version.hash.rawValue {
                report.findings.append(Finding(message: "stored definition \(version.hash.short) of \(version.workflow) was altered: its content hashes to \(actual.prefix(12))"))
            }
        }
        return StoredDefinitions(bodies)
    }

    /// The store's definitions as audit reads them: every version is hashed, but only those that
    /// requests are pinned to are decoded (a store keeps every version ever loaded, most pinned by
    /// none), each once, by the first range of requests that needs it.
    private final class StoredDefinitions: @unchecked Sendable {
        struct Body {
            /// `nil` when the store lists the version without a body.
            var text: String?
        }

        private let bodies: [DefinitionHash: Body]
        private let lock = NSLock()
        private var timers: [DefinitionHash: Timers] = [:]

        init(_ bodies: [DefinitionHash: Body]) { self.bodies = bodies }

        func contains(_ hash: DefinitionHash) -> Bool { bodies[hash] != nil }

        /// A definition's states that end, with the period field that ends them (`PeriodEnd`), and its states
        /// with a timer (`StateTimer`): what the projections' `ends` and `timed` are checked against.
        struct Timers {
            var ending: [String: String] = [:]
            var timed: Set<String> = []
        }

        /// The definition's `Timers`; none for a body that does not decode, `nil` for a definition not in the store.
        func timers(of hash: DefinitionHash) -> Timers? {
            guard let body = bodies[hash] else { return nil }
            return lock.withLock {
                if let known = timers[hash] { return known }
                let found = body.text.flatMap { try? WorkflowDefinition.stored($0, hash: hash) }
                    .map { Timers(ending: PeriodEnd.fields(in: $0), timed: StateTimer.states(in: $0)) } ?? Timers()
                timers[hash] = found
                return found
            }
        }
    }

    private static func checkOpenings(_ store: any EventStore, _ report: inout Report) throws {
        for (hash, body) in try store.storedOpenings() {
            let actual = Digest.sha256(body).hex
            if actual != hash {
                report.findings.append(Finding(message: "stored opening \(hash.prefix(12)) (an article and who acted) was altered: its content hashes to \(actual.prefix(12)); every event citing it fails its hash"))
            }
        }
    }

    /// The checks of one request's stream, event by event from the stored bytes, then against
    /// its stored projection; reused from request to request, so its buffers are too.
    private struct StreamCheck {
        /// The stored definitions, each with its states that end and their period fields.
        let definitions: StoredDefinitions
        /// The definition the last request was pinned to, whether it is stored and its states with
        /// a timer: most requests share their definition with the one before.
        private var pinned: (hash: DefinitionHash, stored: Bool, timers: StoredDefinitions.Timers?)?
        let store: any EventStore
        var fold = RequestFold()
        /// Letter parts read and checked, and the buffers their letters are written from (`LetterSeal.Parts`).
        var parts = LetterSeal.Parts()
        /// The hash of the request's last event checked (32 zero bytes before its first), and the
        /// one recomputed for the next: buffers swapped on a match, not a digest made a row.
        var previous = [UInt8](repeating: 0, count: Digest.byteCount)
        var expected = [UInt8](repeating: 0, count: Digest.byteCount)
        var count = 0
        var replayable = true
        var request: [UInt8] = []
        var scratch: [UInt8] = []
        var state: [UInt8] = []

        init(definitions: StoredDefinitions, store: any EventStore) {
            self.definitions = definitions
            self.store = store
        }

        var requestID: RequestID { RequestID(String(decoding: request, as: UTF8.self)) }

        mutating func check(_ row: StoredEventBytes, into findings: inout [Finding]) {
            if count == 0 { request.append(contentsOf: row.request) }
            count += 1
            previous.withUnsafeBytes { previous in expected.withUnsafeMutableBytes { EventChain.hash(row, previous: previous, scratch: &scratch, into: $0) } }
            if row.hash.count == Digest.byteCount, expected.withUnsafeBytes({ memcmp($0.baseAddress!, row.hash.baseAddress!, Digest.byteCount) == 0 }) {
                swap(&previous, &expected)
            } else {
                findings.append(Finding(sequence: row.sequence, request: requestID, version: row.version,
                                               message: "stored hash \(hex(Array(row.hash)).prefix(16))… does not match the event's content (\(hex(expected).prefix(16))…): the event was altered"))
                // The chain goes on from the stored hash, so that only the altered event is named.
                if row.hash.count == Digest.byteCount { previous = Array(row.hash) } else { swap(&previous, &expected) }
            }
            if row.version != count {
                findings.append(Finding(sequence: row.sequence, request: requestID, version: row.version,
                                               message: "versions must run 1, 2, 3, …; expected \(count): an event was removed or reordered"))
                replayable = false
            }
            guard replayable else { return }
            do {
                try row.fold(into: &fold)
                if let problem = try Self.letterProblem(row, fold: fold, request: request, in: store, parts: &parts) {
                    findings.append(Finding(sequence: row.sequence, request: requestID, version: row.version, message: problem))
                }
            } catch {
                findings.append(Finding(sequence: row.sequence, request: requestID, version: row.version, message: "cannot be replayed: \(error)"))
                replayable = false
            }
        }

        /// Why the letter the row issued (after `fold` took the row) does not match its seal, over
        /// its content as stored: whole in the event, or put back together from the members the
        /// event keeps and its parts, each part checked; `nil` when it matches or the row issued none.
        ///
        /// Static, with the fold, the parts and the request's bytes as arguments: a closure that
        /// captured the check's `self` while its `fold` was lent made Swift copy the whole fold
        /// (every buffer retained and released) for each letter.
        private static func letterProblem(_ row: StoredEventBytes, fold: borrowing RequestFold, request: [UInt8], in store: any EventStore,
                                          parts: inout LetterSeal.Parts) throws(EventFormatError) -> String? {
            // The content of the letter as the row stores it: the whole content, or for a letter
            // stored in parts the members its event keeps (`LetterSeal.writeContent`).
            guard let content = fold.letterContent else { return nil }
            let own = UnsafeRawBufferPointer(rebasing: row.data[content])
            return try fold.withStoredLetter(in: row.data) { letter in
                request.withUnsafeBytes { request in
                    do {
                        return try LetterSeal.problem(letter, request: request, own: own, in: store, parts: &parts)
                    } catch {
                        return (error as? StoreError)?.message ?? "\(error)"
                    }
                }
            } ?? nil
        }

        mutating func finish(stored: StoredRequest?, into findings: inout [Finding]) {
            defer {
                fold.reset()
                _ = previous.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) }
                count = 0
                replayable = true
                request.removeAll(keepingCapacity: true)
            }
            guard let stored else {
                findings.append(Finding(request: requestID, message: "the log has events but no stored state"))
                return
            }
            if !stored.head.sameBytes(as: previous) {
                findings.append(Finding(request: requestID, message: "the stored head hash is not the hash of the last event"))
            }
            guard replayable, !fold.isEmpty else { return }
            let definition = fold.definitionHash
            if pinned?.hash != definition {
                pinned = (definition, definitions.contains(definition), definitions.timers(of: definition))
            }
            if pinned?.stored != true {
                findings.append(Finding(request: requestID, message: "pinned to definition \(definition.short), which is not in the store"))
            }
            state.removeAll(keepingCapacity: true)
            fold.writeCanonical(into: &state)
            // The bytes written from the fold equal the state's canonical bytes for events as lintas
            // wrote them; on a difference the state is built and encoded before anything is reported.
            if !state.sameBytes(as: stored.body) {
                do {
                    if let replayed = try fold.result(), replayed.canonicalBytes != stored.body {
                        let detail = (try? stored.decode()).map {
                            "stored state says \($0.state) version \($0.version), replay gives \(replayed.state) version \(replayed.version)"
                                + differingMembers(stored.body, replayed.canonicalBytes)
                        } ?? "the stored state cannot be read"
                        findings.append(Finding(request: requestID, message: "replaying the log does not give the stored state: \(detail)"))
                    }
                } catch {
                    findings.append(Finding(request: requestID, message: "cannot be replayed: \(error)"))
                }
            }
            let folded = fold.columns
            // The period's end from the replayed fields, for a state that ends: a wrong `ends` would
            // make the timers end the assignment early or never.
            var ends: CivilDate?
            if let field = pinned?.timers?.ending[folded.state] {
                do {
                    // Read from the value's bytes when it is as lintas writes a period; else as a tree.
                    switch try fold.withField(field, PeriodEnd.of(plainPeriod:)) {
                    case nil: ends = nil
                    case .some(.some(let end)): ends = end
                    case .some(.none): ends = PeriodEnd.of(period: try fold.field(field))
                    }
                } catch {
                    findings.append(Finding(request: requestID, message: "cannot be replayed: \(error)"))
                    return
                }
            }
            if ends != stored.columns.ends {
                findings.append(Finding(request: requestID, message: "the stored end of the period (ends \(stored.columns.ends?.description ?? "none")) does not match "
                                               + "the log (\(ends?.description ?? "none")): the timers end the assignment by it"))
            }
            // A state with a timer left out of the timers' index would never run out; one put in, looked at for nothing.
            let timed = pinned?.timers?.timed.contains(folded.state) ?? false
            if timed != stored.columns.timed {
                findings.append(Finding(request: requestID, message: "the stored state is \(stored.columns.timed ? "" : "not ")marked as having a timer (timed), "
                                               + "but its state \(folded.state) has \(timed ? "one" : "none") in its definition: the timers look it up by it"))
            }
            let columns = StoredRequest.Columns(workflow: folded.workflow, state: folded.state, version: folded.version, updated: folded.updated,
                                                ends: stored.columns.ends, timed: stored.columns.timed)
            if columns != stored.columns {
                findings.append(Finding(request: requestID, message: "the stored state's columns (\(stored.columns.state) version \(stored.columns.version) "
                                               + "of \(stored.columns.workflow)) do not match the log (\(columns.state) version \(columns.version) of \(columns.workflow))"))
            }
        }
    }

    private static func findOrphanProjections(_ store: any EventStore, streams: Int, into report: inout Report) throws {
        guard try store.requestCount() != streams else { return }
        // Only when the counts differ: look for the states without events.
        try store.forEachRequest { stored in
            if try store.events(of: stored.request).isEmpty {
                report.findings.append(Finding(request: stored.request, message: "a stored state exists but the log has no events for it"))
            }
        }
    }

    /// `; they differ in letters, warnings` — the top-level members of two states that differ.
    private static func differingMembers(_ stored: [UInt8], _ replayed: [UInt8]) -> String {
        guard case .object(let left)? = try? JSONValue.parse(stored), case .object(let right)? = try? JSONValue.parse(replayed) else { return "" }
        let names = Set(left.keys).union(right.keys).filter { left[$0] != right[$0] }.sorted()
        return names.isEmpty ? "" : "; they differ in \(names.joined(separator: ", "))"
    }

    private static func hex(_ bytes: [UInt8]) -> String { Digest(bytes: bytes)?.hex ?? bytes.map { String($0, radix: 16) }.joined() }
}

/// A set of sequence numbers 1…N as a bitmap: an eighth of a byte per event.
private struct SequenceSet {
    private var words: [UInt64] = []
    private var outOfRange: Int64?

    mutating func insert(_ sequence: Int64) {
        guard sequence >= 1, sequence < Int64(Int32.max) else {
            outOfRange = outOfRange ?? sequence
            return
        }
        let index = Int(sequence / 64)
        if index >= words.count { words.append(contentsOf: repeatElement(0, count: index - words.count + 1)) }
        words[index] |= 1 << UInt64(sequence % 64)
    }

    mutating func formUnion(_ other: SequenceSet) {
        if other.words.count > words.count { words.append(contentsOf: repeatElement(0, count: other.words.count - words.count)) }
        for (index, word) in other.words.enumerated() { words[index] |= word }
        outOfRange = outOfRange ?? other.outOfRange
    }

    /// The first number in 1…last that is missing.
    func firstGap(upTo last: Int64) -> Int64? {
        guard last >= 1 else { return nil }
        for sequence in 1...last {
            let index = Int(sequence / 64)
            if index >= words.count || words[index] & (1 << UInt64(sequence % 64)) == 0 { return sequence }
        }
        return nil
    }
}

/// Replaying one request's history step by step: the state after each event.
public enum Replay {
    public struct Step: Sendable, Hashable {
        public var stored: StoredEvent
        public var event: Event
        public var state: RequestState
    }

    /// Rebuilds every request's state from the log, one request at a time, as a new
    /// projection would be built; `visit` sees each state once its last event is folded, in
    /// request order.
    /// - Returns: how many requests and events were folded.
    /// - Throws: `ReplayError` or `EventFormatError` when the log cannot be replayed (run `lintas audit`).
    @discardableResult
    public static func all(in store: any EventStore, _ visit: (RequestState) throws -> Void = { _ in }) throws -> (requests: Int, events: Int) {
        try fold(store, workers: 1) { _, fold, _ in
            if let state = try fold.result() { try visit(state) }
        }
    }

    /// `all` on `workers` connections and threads at once (`SnapshotReaders`): the requests split
    /// into consecutive ranges, numbered from 0 in request order; `visit` sees each state with
    /// its range's number, the states of one range in request order on one thread, the ranges
    /// at the same time on different threads.
    @discardableResult
    public static func all(in store: any EventStore, workers: Int, _ visit: @Sendable (_ part: Int, RequestState) throws -> Void = { _, _ in }) throws -> (requests: Int, events: Int) {
        try fold(store, workers: workers) { part, fold, _ in
            if let state = try fold.result() { try visit(part, state) }
        }
    }

    /// Rebuilds every request's projection from the log as the store would keep it (the
    /// state's canonical bytes, `RequestState.canonicalBytes`), without building the state's
    /// values: `visit` sees each request's bytes once its last event is folded.
    @discardableResult
    public static func projections(in store: any EventStore, _ visit: ([UInt8]) throws -> Void = { _ in }) throws -> (requests: Int, events: Int) {
        try fold(store, workers: 1) { _, fold, bytes in
            fold.writeCanonical(into: &bytes)
            try visit(bytes)
        }
    }

    /// `projections` on `workers` connections and threads at once, as `all(in:workers:_:)`.
    @discardableResult
    public static func projections(in store: any EventStore, workers: Int, _ visit: @Sendable (_ part: Int, [UInt8]) throws -> Void = { _, _ in }) throws -> (requests: Int, events: Int) {
        try fold(store, workers: workers) { part, fold, bytes in
            fold.writeCanonical(into: &bytes)
            try visit(part, bytes)
        }
    }

    /// Folds every request's events from their stored bytes (`RequestFold`), one request at a
    /// time in each range of requests; `finished` gets the range's number, the fold and an
    /// empty buffer of that range's to write into.
    private static func fold(_ store: any EventStore, workers: Int, _ finished: (Int, inout RequestFold, inout [UInt8]) throws -> Void) throws -> (requests: Int, events: Int) {
        let counts = try SnapshotReaders.read(store, workers: workers) { split in
            try split.map { part, reader, range in
                var requests = 0, events = 0
                var fold = RequestFold()
                var bytes: [UInt8] = []
                try reader.scanEvents(in: range, projections: false, columns: .fold, { row in
                    try row.fold(into: &fold)
                    events += 1
                }, end: { _ in
                    requests += 1
                    bytes.removeAll(keepingCapacity: true)
                    try finished(part, &fold, &bytes)
                    fold.reset()
                })
                return (requests, events)
            }
        }
        return counts.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
    }

    /// The states after each event of a request, up to and including `version` when given.
    /// - Throws: `StoreError(.notFound)` for an unknown request; `ReplayError` or
    ///   `EventFormatError` when the log cannot be replayed (run `lintas audit`).
    public static func steps(of request: RequestID, in store: any EventStore, upTo version: Int? = nil) throws -> [Step] {
        let rows = try store.events(of: request)
        guard !rows.isEmpty else { throw StoreError(.notFound, "no request \(request)") }
        var steps: [Step] = []
        var state: RequestState?
        for row in rows where version.map({ row.version <= $0 }) ?? true {
            let event = try row.decode()
            let next = try RequestState.evolve(state, event)
            steps.append(Step(stored: row, event: event, state: next))
            state = next
        }
        return steps
    }
}
