import Dispatch
import Foundation
import LintasCore
import LintasStore

/// Takes queued commands in batches and applies them: decides each one, appends its events,
/// updates the projection and records the outcome, all in one transaction per batch.
///
/// A refusal is an outcome like any other: it is recorded with its reason and the batch
/// goes on. Only a store failure aborts a batch, and then nothing of it is kept, so the
/// same commands are taken again by the next batch.
///
/// A batch of at least `pipelineFrom` commands runs on two threads inside its one transaction
/// (`BatchWriter`): the calling thread decides, seals and applies each command while a second
/// thread appends the events of the commands before it and writes their projections. Every use
/// of the batch's connection, from either thread, is serialized (`BatchConnection`); what is
/// stored is byte for byte what one thread stores.
///
/// With `commitEach`, the same two threads commit each command in a transaction of its own
/// (durable commands, one synced commit each): the writing thread stores a command, its registers'
/// and numbers' rows and its outcome, commits, and begins the next transaction, while the calling
/// thread decides the commands after it from the snapshot it read when the batch began, corrected
/// in memory by what it decided since (`DecideReads`). Another connection's commit between two of
/// ours that changed anything deciding reads (an event, an outcome, the catalogs: `SQLiteStore.DecideStamp`;
/// a `lintas submit`, which only queues, does not) voids what was decided ahead: the commands not
/// committed yet stay queued, the state cache is forgotten, and the next batch decides them again from the store.
///
/// With `claimBatches` above 1 (a group commit), the same: one claim takes that many batches, and the writing
/// thread commits each batch (`batchSize` commands with their outcomes, registers and numbers) as soon as it has
/// written it, while the calling thread decides the next ones; `commitEach` is the group of one command.
///
/// Not `Sendable`: runs on the thread that owns the store.
public final class Processor {
    public let store: any EventStore
    public let definitions: DefinitionCatalog
    public let directories: DirectoryCatalog
    /// The most commands one transaction takes (with `commitEach`: one claim, each command committed apart;
    /// with `claimBatches`, each claim takes that many batches of this size).
    public var batchSize: Int
    /// Commits each command in a transaction of its own (one synced commit a command, as a batch
    /// size of 1 does), the next commands decided while it syncs.
    public var commitEach = false
    /// How many batches one claim takes (without `commitEach`): above 1, they are decided on the calling
    /// thread while the writing thread writes and commits them one after another (a commit every
    /// `batchSize` commands), so that neither thread waits for the other at each batch's commit
    /// (when `claimsTogether`; otherwise a claim takes one batch, as before).
    public var claimBatches = 1

    /// Whether a claim takes `claimBatches` batches together (a group commit): only when they make
    /// `pipelineFrom` commands or more, from batches of more than one (a claim of two batches of one
    /// would start a writing thread for every two commands).
    public var claimsTogether: Bool {
        guard !commitEach, claimBatches > 1, batchSize > 1 else { return false }
        return batchesTogether >= max(pipelineFrom, 2)
    }

    /// `claimBatches` batches' commands, or the whole queue when that overflows.
    private var batchesTogether: Int {
        let commands = batchSize.multipliedReportingOverflow(by: claimBatches)
        return commands.overflow ? .max : commands.partialValue
    }

    /// How many commands one claim takes.
    private var claimSize: Int { claimsTogether ? batchesTogether : batchSize }
    /// The fewest commands a batch hands to a writing thread of its own; smaller batches are
    /// written on the calling thread.
    public var pipelineFrom = Processor.defaultPipelineFrom
    /// 64: below it a batch is written on the calling thread (a batch of one, the durable figure,
    /// gains nothing from a hand-over). On two threads, with the deciding thread reading on a
    /// connection of its own (`DecideReads`), W1 at N = 10,000 on a quiet machine measured batched
    /// 11,045 and 11,665 commands/s on one thread against 13,484 and 14,226 on two (alternated
    /// runs, ninth round); see docs/performance.md, *Batched commands/s*.
    public static let defaultPipelineFrom = 64
    /// Request states carried from one transaction to the next.
    private var states: StateCache
    /// Letters' frames composed so far (`LetterFrames`), one set per org directory version.
    private var letterFrames = LetterFrameSets()
    /// The second connection a batch on two threads decides on (`DecideReads`), opened at the
    /// first such batch.
    private var reader = Reader.notOpened
    private enum Reader {
        case notOpened
        /// The store has no second connection (`openReader` gave none): decide on the store's own.
        case absent
        case opened(any EventStore)
    }
    /// Letter parts' hashes, kept from batch to batch for the deciding thread chaining the events with `commitEach` (`BatchWriter.names`).
    private let partNames = LetterPartNames()
    /// How many times the deciding thread woke a waiting writing thread, over every batch (`BatchWriter.wakes`).
    private(set) var wakes = 0

    /// How many requests a processor keeps between transactions unless told otherwise: about
    /// 4.7 KB each in W1 (the state's fields 2.2 KB and their canonical bytes about 0.5, its
    /// letters 1.0, its participants about 0.2 as their bytes, or 0.9 as values, the dictionary's
    /// slot 0.6, the request part), so at most about 47 MB whatever the file holds.
    public static let defaultCachedRequests = 10_000

    /// - Parameter cachedRequests: how many requests' states (each with its letters' request part) to keep between transactions (0: none).
    public init(store: any EventStore, batchSize: Int = 500, cachedRequests: Int = Processor.defaultCachedRequests) throws {
        self.store = store
        self.batchSize = batchSize
        states = StateCache(limit: cachedRequests)
        definitions = try DefinitionCatalog(store: store)
        directories = try DirectoryCatalog(store: store)
    }

    /// What one batch did.
    public struct BatchReport: Sendable, Hashable {
        public var commands = 0
        public var done = 0
        public var refused = 0
        public var events = 0
        /// Each refusal, for the log.
        public var refusals: [Refusals] = []
        /// The requests the batch changed, for the timers to look at.
        public var touched: [RequestID] = []
        /// The timers' look at the requests the batch changed, in its own transaction, when asked for.
        public var timers: TimerReport?

        public struct Refusals: Sendable, Hashable {
            public var command: CommandID
            public var request: RequestID
            public var refusal: Refusal
        }
    }

    /// What the timers' look after a batch needs.
    public struct TimerLook: Sendable {
        /// The working-day calendar deadlines are counted in.
        public var calendar: WorkingCalendar?
        public init(calendar: WorkingCalendar?) { self.calendar = calendar }
    }

    /// Processes one batch of queued commands.
    /// - Parameters:
    ///   - now: the daemon clock's reading, recorded in each event.
    ///   - timers: look at the timers of the requests the batch changed, in the same
    ///     transaction (what `runTimers(only:)` would do after it, without a transaction of its own).
    /// - Returns: what the batch did; `commands == 0` when the queue was empty.
    /// - Throws: a `StoreError` when the transaction could not be committed; nothing of the batch is kept.
    ///   With `commitEach`, once a command of the batch was committed, `PartlyCommitted`: the error, with
    ///   the report of the commands committed before it, which stay done.
    public func runBatch(now: Timestamp, timers: TimerLook? = nil) throws -> BatchReport {
        // With `commitEach`: what the commands committed so far did, whatever fails after them.
        var committed = BatchReport()
        do {
            let (report, kept, rest, mark) = try store.withBatch { (batch) throws -> (BatchReport, [RequestID: StateCache.Entry], [RequestID: StateCache.Entry], Int64) in
                // In the batch's transaction: a read transaction of their own before it cost more than the look.
                try definitions.refresh()
                try directories.refresh()
                let start = try batch.lastEventSequence()
                let every = commitEach ? 1 : batchSize
                // One batch, or `claimBatches` of them taken together (`claimsTogether`).
                let claimed = try batch.claimQueued(limit: claimSize)
                // One group alone is committed alone either way, as a batch.
                let commitEvery = claimed.count > every && (commitEach || claimsTogether) ? every : nil
                let threaded = commitEvery != nil || claimed.count >= max(pipelineFrom, 2)
                let writer = BatchWriter(BatchConnection(batch), threaded: threaded, commitEvery: commitEvery, names: partNames,
                                         commands: claimed.count)
                // The writing thread never outlives the transaction, whatever is thrown.
                defer {
                    writer.stop()
                    self.wakes += writer.wakes
                }
                let reads = DecideReads(writer.connection)
                var work = BatchWork(writer: writer, reads: reads, definitions: definitions, directories: directories,
                                     cached: self.states.take(at: start), lastSequence: start, now: now)
                swap(&work.frames, &self.letterFrames)
                defer { swap(&work.frames, &self.letterFrames) }
                func decideAll() throws {
                    for queued in claimed {
                        try work.process(queued)
                    }
                }
                do {
                    if threaded, let reader = try self.decideReader() {
                        // Begun after this transaction took the write lock: it sees what the batch starts from.
                        // Ends once the batch is decided, so that checkpoints pass what it committed meanwhile.
                        try reader.withLookups { lookups in
                            reads.snapshot = lookups
                            defer { reads.snapshot = nil }
                            try decideAll()
                        }
                    } else {
                        try decideAll()
                    }
                    try work.written()
                    if let timers, !work.touched.isEmpty {
                        let timed = try definitions.timed().all
                        let looked = work.touched.compactMap { work.requests.entries[$0] }.filter { timed.contains($0.state.state) }
                        var report = TimerReport()
                        let changed = try writer.connection.use { batch in
                            try fire(looked, in: batch, calendar: timers.calendar, now: now, report: &report, last: &work.lastSequence)
                        }
                        for request in work.touched {
                            guard let entry = changed[request] else { continue }
                            work.requests.entries[request] = entry
                            try work.save(entry)
                        }
                        work.report.timers = report
                    }
                    try work.finish()
                } catch {
                    // What the writer committed stands; the transaction it began after is left unwritten (rolled back).
                    writer.stop()
                    if writer.commitsApart { committed = work.report(committed: writer.committed) }
                    throw error
                }
                // Every command is committed; the transaction left (the timers' look) may still fail.
                if writer.commitsApart {
                    committed = work.report
                    committed.timers = nil
                }
                // The last event appended is the store's last (sequences only grow): no query for it.
                return (work.report, work.requests.entries, work.cached, work.lastSequence)
            }
            // Consumed: the cache holds what the batch left alone, and adds the batch's states in place, not into a copy.
            states.keep(kept, mark: mark, over: consume rest)
            return report
        } catch is CommitsInterrupted {
            self.states.forget()
            return committed
        } catch {
            self.states.forget()
            if committed.commands > 0 { throw PartlyCommitted(committed: committed, error: error) }
            throw error
        }
    }

    /// A store error in a batch that commits each command apart (`commitEach`), after some were
    /// committed: they are done, and `committed` says what they did; the command in hand and those
    /// after it stay queued, as after any failed batch.
    public struct PartlyCommitted: Error {
        public var committed: BatchReport
        /// What failed (a `StoreError`, as a batch's failure).
        public var error: any Error
    }

    /// The second connection a batch on two threads decides on, opened once.
    private func decideReader() throws -> (any EventStore)? {
        switch reader {
        case .opened(let opened): return opened
        case .absent: return nil
        case .notOpened:
            let opened = try store.openReader()
            reader = opened.map(Reader.opened) ?? .absent
            return opened
        }
    }
}

/// Request states as the last transaction this processor committed left them, so that the
/// next command on a request need not read and decode its projection again (W1 touches each
/// request once a round, in batches of 500, so a batch alone never finds one twice). Each
/// entry also keeps the request part of the request's last letter (`LetterFrames.RequestPart`),
/// so that its next letter need not compose it again: one cache, one bound, one eviction.
///
/// Kept only while nobody else appends: each transaction first compares the store's last
/// event sequence with the one this processor saw after its own commit, and starts empty when
/// they differ; a transaction that fails (rolled back) empties it too. Bounded: when full it
/// is emptied and refilled, which keeps memory flat whatever N is.
///
/// A cache that filled up while its batches found few of their requests in it (fewer than
/// `limit / usefulShare`: W1's round robin over more requests than the bound finds none) keeps
/// none from then on: states kept for many batches and freed together, cold, cost the deciding
/// thread more than they save, and the memory of a full cache. Meanwhile it follows the
/// requests a full cache would hold by their ids (`ghosts`), and fills again once those would
/// have served enough of the batches' requests.
struct StateCache {
    /// A request's kept state. Its fields live in one shared box, copied only when an entry
    /// whose box another holds is changed: an entry is copied several times a command (into
    /// the batch's states, the writer's item, the cache), each copy one retain rather than one
    /// per field of the state.
    struct Entry {
        private final class Fields {
            var state: RequestState
            var head: Digest
            var requestPart: LetterFrames.RequestPart?
            var row: Int64?

            init(state: RequestState, head: Digest, requestPart: LetterFrames.RequestPart?, row: Int64?) {
                self.state = state
                self.head = head
                self.requestPart = requestPart
                self.row = row
            }
        }
        private var fields: Fields

        init(state: RequestState, head: Digest, requestPart: LetterFrames.RequestPart? = nil, row: Int64? = nil) {
            fields = Fields(state: state, head: head, requestPart: requestPart, row: row)
        }

        /// Read where it stands in the box: `entry.state.request` copies no member but the request.
        var state: RequestState {
            _read { yield fields.state }
        }
        /// The hash of the request's last event.
        var head: Digest {
            get { fields.head }
            set { stored = BatchWriter.Stored(head: newValue, row: fields.row) }
        }
        /// Where the store keeps its projection, when known (`StoreBatch.saveRequest`'s `row`).
        var row: Int64? { fields.row }

        /// Its head and row, as the writer stored them.
        fileprivate var stored: BatchWriter.Stored {
            get { BatchWriter.Stored(head: fields.head, row: fields.row) }
            set {
                if isKnownUniquelyReferenced(&fields) {
                    fields.head = newValue.head
                    fields.row = newValue.row
                } else {
                    fields = Fields(state: fields.state, head: newValue.head, requestPart: fields.requestPart, row: newValue.row)
                }
            }
        }
        /// The request part of its last letter, with what it was composed from.
        var requestPart: LetterFrames.RequestPart? {
            _read { yield fields.requestPart }
        }

        /// Folds `events` into the state and keeps `requestPart`: in place when this entry alone
        /// holds its box and the events are one (the state's fields, participants and letters then
        /// changed where they stand, not copied and freed), else into a copy.
        /// - Throws: `ReplayError` when an event cannot follow the state, before the entry is changed.
        mutating func evolve(_ events: [Event], requestPart: LetterFrames.RequestPart?) throws(ReplayError) {
            if events.count == 1, isKnownUniquelyReferenced(&fields) {
                // `apply` throws before changing anything.
                try fields.state.apply(events[0])
                fields.requestPart = requestPart
                return
            }
            var state = fields.state
            for index in events.indices { try state.apply(events[index]) }
            fields = Fields(state: state, head: fields.head, requestPart: requestPart, row: fields.row)
        }
    }
    private(set) var entries: [RequestID: Entry] = [:]
    /// The store's last event sequence right after this processor's last commit.
    private var mark: Int64?
    /// The most requests kept.
    var limit: Int
    /// A full cache, or a full cache's worth of requests followed by id, that served fewer of
    /// the batches' requests than `limit / usefulShare` was not worth its states.
    static let usefulShare = 8
    /// The requests the transactions since the cache last started filling found in it.
    private var hits = 0
    /// How many entries the last `take` handed out.
    private var held = 0
    /// While the cache keeps no state (it thrashed): the requests a full cache
    /// would hold (those of the transactions since it last emptied), by id, and how many of
    /// the transactions' requests were among them.
    private var ghosts: Set<RequestID>?
    private var ghostHits = 0
    /// Whether the cache keeps no state, having found that a full one did not pay.
    var thrashing: Bool { ghosts != nil }

    init(limit: Int) { self.limit = limit }

    /// The entries, if nobody appended an event since they were kept (the store's last event
    /// sequence is still `current`); otherwise empties itself.
    mutating func valid(at current: Int64) -> [RequestID: Entry] {
        guard let mark, current == mark else {
            forget()
            return [:]
        }
        return entries
    }

    /// The entries, as `valid` gives them, taken out for a batch: it holds them alone (its
    /// requests' states changed in place, not copied) until `keep` puts back those it did not use.
    mutating func take(at current: Int64) -> [RequestID: Entry] {
        defer { entries = [:] }
        let taken = valid(at: current)
        held = taken.count
        return taken
    }

    /// What a committed transaction read or wrote, and the last event sequence after it.
    /// - Parameter taken: what is left of the entries a batch took (`take`), kept again under its own.
    mutating func keep(_ states: [RequestID: Entry], mark: Int64, over taken: consuming [RequestID: Entry]? = nil) {
        guard limit > 0 else { return }
        self.mark = mark
        // Held by `entries` alone once this scope ends, so that the states below are added in place.
        // What the batch read from them is no longer among them.
        if let taken = consume taken {
            hits += held - taken.count
            entries = taken
        }
        held = 0
        if ghosts != nil {
            keepThrashing(states)
            return
        }
        // A request kept already is replaced, not added: past the bound, the cache is emptied and
        // keeps this transaction's states alone (one look-up a request, not a count and a merge).
        for (request, entry) in states where entries.updateValue(entry, forKey: request) != nil { hits += 1 }
        guard entries.count > limit else { return }
        if hits * Self.usefulShare < limit {
            ghosts = Set(states.keys)
            ghostHits = 0
            entries = [:]
        } else {
            entries = states
        }
        hits = 0
    }

    /// `keep` while thrashing: no state kept (each freed after its own batch, while its memory
    /// is still warm), the transaction's requests followed by id as a full cache would have held
    /// them; once a full cache's worth of them has passed, fills again if that would have paid.
    private mutating func keepThrashing(_ states: [RequestID: Entry]) {
        entries = [:]
        guard var followed = ghosts.take() else { return }
        for request in states.keys where !followed.insert(request).inserted { ghostHits += 1 }
        if followed.count > limit {
            guard ghostHits * Self.usefulShare < limit else {
                // Filling again, from this transaction's states.
                ghostHits = 0
                hits = 0
                entries = states
                return
            }
            followed = Set(states.keys)
            ghostHits = 0
        }
        ghosts = followed
    }

    mutating func forget() {
        entries.removeAll()
        mark = nil
        hits = 0
        held = 0
    }
}

extension Processor {
    /// What one look at the timers did.
    public struct TimerReport: Sendable, Hashable {
        /// Requests looked at (in a state with a deadline or an end).
        public var requests = 0
        public var events: [Event] = []
        /// When the next timer falls, if any is pending.
        public var next: Timestamp?
        /// Deadlines that cannot be counted (a calendar that does not cover their years), once per request.
        public var problems: [String] = []
    }

    /// Records every timer event that is due at `now`, in one transaction: a reminder (and an
    /// escalation) for each step whose deadline has passed, an `ended` for each assignment
    /// whose duration has run out. Derived from the stored states, so a deadline that passed
    /// while the daemon was down fires on the first look after, and only once.
    /// - Parameter calendar: the working-day calendar deadlines are counted in.
    /// - Throws: a `StoreError`; nothing of the look is kept.
    /// - Parameter only: look at these requests only (those a batch just changed) instead of
    ///   every request in a state with a timer.
    public func runTimers(now: Timestamp, calendar: WorkingCalendar?, only: [RequestID]? = nil) throws -> TimerReport {
        try definitions.refresh()
        try directories.refresh()
        // States with a deadline are read whole; for states that only end, the store picks the expired ones.
        let specs = try definitions.timed()
        let timed = specs.all
        guard !timed.isEmpty else { return TimerReport() }
        let zone = try directories.timeZone()
        do {
            let (report, changed, mark) = try store.withBatch { (batch) throws -> (TimerReport, [RequestID: StateCache.Entry], Int64) in
                var report = TimerReport()
                // Only states with a timer are decoded; a request the last batch changed is usually cached.
                var looked: [StateCache.Entry] = []
                func look(_ stored: StoredRequest) throws {
                    guard timed.contains(stored.columns.state), let head = stored.headDigest else { return }
                    looked.append(StateCache.Entry(state: try stored.decode(), head: head))
                }
                let start = try batch.lastEventSequence()
                let cached = self.states.valid(at: start)
                if let only {
                    for request in only {
                        if let entry = cached[request] {
                            if timed.contains(entry.state.state) { looked.append(entry) }
                        } else if let stored = try batch.request(request) {
                            try look(stored)
                        }
                    }
                } else {
                    var seen = Set<RequestID>()
                    for stored in try batch.requests(inStates: specs.deadlines) where seen.insert(stored.request).inserted {
                        try look(stored)
                    }
                    // Through `requests.ends` (each request's own definition says which field ends it): once a state.
                    for ending in Set(specs.endings.map(\.state)).sorted() {
                        for stored in try batch.requests(inState: ending, endingBefore: now.civilDate(in: zone))
                        where seen.insert(stored.request).inserted {
                            try look(stored)
                        }
                    }
                }
                var last = start
                let changed = try fire(looked, in: batch, calendar: calendar, now: now, report: &report, last: &last)
                for entry in changed.values { try batch.saveRequest(entry.state, head: entry.head, timer: try definitions.timer(of: entry.state), row: entry.row) }
                return (report, changed, last)
            }
            states.keep(changed, mark: mark)
            return report
        } catch {
            states.forget()
            throw error
        }
    }

    /// Appends the timer events due at `now` for the requests looked at, and reports them.
    /// - Returns: the requests that changed, with their new state and head (not yet saved).
    private func fire(_ looked: [StateCache.Entry], in batch: any StoreBatch, calendar: WorkingCalendar?, now: Timestamp,
                      report: inout TimerReport, last: inout Int64) throws -> [RequestID: StateCache.Entry] {
        guard !looked.isEmpty else { return [:] }
        let zone = try directories.timeZone()
        let directory = try directories.directory(at: now)
        var changed: [RequestID: StateCache.Entry] = [:]
        for entry in looked {
            let state = entry.state
            guard let definition = try definitions.definition(state.definition) else { continue }
            report.requests += 1
            let due = Timers.due(Timers.Input(state: state, definition: definition, calendar: calendar, directory: directory, zone: zone, now: now))
            if let problem = due.problem { report.problems.append(problem) }
            if let next = due.next { report.next = min(report.next ?? next, next) }
            guard !due.events.isEmpty else { continue }
            var current = state
            var previous = entry.head
            for event in due.events {
                current = try RequestState.evolve(current, event)
                let stored = try batch.append(event, previous: previous)
                previous = Digest(bytes: stored.hash)!
                last = stored.sequence
                report.events.append(event)
            }
            changed[state.request] = StateCache.Entry(state: current, head: previous, requestPart: entry.requestPart)
        }
        return changed
    }
}

/// The state of one batch in memory: the requests it touched and the letter registers it drew from.
///
/// Runs on the calling thread ("thread A"): it decides, seals and applies each command, and
/// hands what is to be stored to its `writer` ("thread B" when the batch is large enough).
private struct BatchWork {
    let writer: BatchWriter
    /// What deciding reads from the store.
    let reads: DecideReads
    let definitions: DefinitionCatalog
    let directories: DirectoryCatalog
    let now: Timestamp
    /// States kept from earlier transactions (`StateCache`), still current, taken from the cache:
    /// each moves to `requests` when the batch reads it, so that one entry alone holds it.
    var cached: [RequestID: StateCache.Entry]
    /// The store's last event sequence: the last this batch appended, else the one it started at
    /// (the appends' own once `written` has returned).
    var lastSequence: Int64
    /// The states this batch has read or changed, shared with the quota counting by reference
    /// (a copy per command would copy the whole batch's states each time). Their heads are the
    /// writer's once `written` has returned; before, a changed request's head is stale.
    let requests: BatchStates
    /// The quota counting of every command of the batch: made once, reading `requests`.
    let counting: BatchCounting
    /// Requests changed by this batch, in the order first touched.
    var touched: [RequestID] = []
    var touchedSet: Set<RequestID> = []
    var numbering: StoreNumbering
    /// Letters' frames, kept by the processor from batch to batch (a frame is a pure function of its key and directory).
    var frames = LetterFrameSets()
    /// Reused for each letter's seal.
    var assembler = LetterParts.Assembler()
    var report = Processor.BatchReport()
    /// Every claimed command's outcome, recorded together by `finish` (with `commitsApart`, by the writer, each group's
    /// handed over with its last command).
    var outcomes: [QueuedOutcome] = []
    /// With `commitsApart`, what the commands of the group under way drew: each register's last sequence
    /// (they only grow; written by the group's commit when it first draws from the register in the batch, and by the
    /// batch's last: `groupDrawn`), and the printed numbers in the commands' order.
    var groupRegisters: [String: Int] = [:]
    var groupNumbers: [(key: String, value: NumberedLetter)] = []
    /// With `commitsApart`, the registers the batch has set open (at their first draw, in that group's commit) with the
    /// last sequence drawn from each since: set closed at those in the batch's last commit, and not written between.
    var openRegisters: [String: Int] = [:]
    /// With `commitsApart`: each decided command's events and the request it changed, for the
    /// report of the commands committed when the writer was interrupted (`report(committed:)`).
    var decided: [(events: Int, changed: RequestID?)] = []

    init(writer: BatchWriter, reads: DecideReads, definitions: DefinitionCatalog, directories: DirectoryCatalog,
         cached: [RequestID: StateCache.Entry], lastSequence: Int64, now: Timestamp) {
        self.writer = writer
        self.reads = reads
        self.definitions = definitions
        self.directories = directories
        self.cached = cached
        self.lastSequence = lastSequence
        self.now = now
        numbering = StoreNumbering(reads: reads, commands: writer.commands)
        // A request is touched at most once a command: room for all, where the set grew (and rehashed) by doubling.
        touchedSet.reserveCapacity(writer.commands)
        let requests = BatchStates()
        self.requests = requests
        counting = BatchCounting(reads: reads, inBatch: requests)
    }

    private var connection: BatchConnection { writer.connection }

    /// Taken (`consuming`): the command is kept with its outcome (`outcomes`) without another copy.
    mutating func process(_ queued: consuming QueuedCommand) throws {
        report.commands += 1
        writer.taking()
        if let damage = queued.damage {
            return try refuse(queued, Refusal(.malformedCommand, "The queued command cannot be read back: \(damage)."))
        }
        let request = queued.command.request
        let current = try state(of: request)
        let definition: WorkflowDefinition?
        do {
            // The catalogs read the store (the batch's connection) only for what they have not
            // parsed yet: the writing thread is not waited for when they have.
            let (pinned, workflow) = (current?.state.definition, queued.command.workflow)
            definition = try (pinned.map(definitions.parsedDefinition) ?? workflow.flatMap(definitions.parsedCurrent)) ?? connection.use { _ in
                try pinned.map { try definitions.definition($0) } ?? workflow.flatMap { try definitions.current($0) }
            }
        } catch let error as InvalidDocument {
            return try refuse(queued, Refusal(.unknownWorkflow, "The workflow definition cannot be read: \(error.problems.first?.description ?? "invalid").",
                                              hint: "Load a valid version with 'lintas workflows load'."))
        }
        let at = queued.command.at ?? queued.enqueuedAt
        let directory = try directories.parsedVersion(at: at) ?? connection.use { _ in try directories.version(at: at) }
        // The request part kept with the state is lent to the letter's composer and taken back with the state.
        // The input is made here and handed over (`decide` takes it): its copy of the state ends with the
        // decision, before the state is changed in place below, and nothing else copies it.
        let (decision, requestPart) = frames.with(directory?.version) { frames in
            frames.lend(current?.requestPart)
            let decision = decide(DecisionInput(command: queued.command, state: current?.state, definition: definition,
                                                directory: directory?.directory, at: at, now: now),
                                  numbering: &numbering, counting: counting, frames: &frames)
            return (decision, frames.takeRequestPart())
        }
        if let error = numbering.takeError() ?? counting.error { throw error }
        // Consumed: the events, held by the decision alone, are sealed in place (not copied).
        switch consume decision {
        case .refused(let refusal):
            try refuse(queued, refusal)
        case .accepted(var events):
            var letters: [LetterParts.Encoded?] = []
            letters.reserveCapacity(events.count)
            for index in events.indices { letters.append(LetterSeal.seal(&events[index], assembler: &assembler)) }
            // Every event is applied before any is stored: one the state cannot fold refuses the whole command.
            // The request's entry is taken out of the batch's states (and `current` ended), so that
            // it alone holds its state, folded in place (`StateCache.Entry.evolve`).
            var changed = consume current
            if changed != nil { requests.entries[request] = nil }
            do {
                if changed != nil {
                    try changed!.evolve(events, requestPart: requestPart)
                } else if !events.isEmpty {
                    // Each event read in place by index: taking it out (`for event in`) copies it, every member retained.
                    var state = try RequestState.evolve(nil, events[0])
                    for index in events.indices.dropFirst() { try state.apply(events[index]) }
                    changed = StateCache.Entry(state: state, head: .zero, requestPart: requestPart)
                }
            } catch {
                // Unchanged: `evolve` throws before changing the entry.
                if let changed { requests.entries[request] = changed }
                // decide produced an event its own state cannot fold: a defect, refused rather than stored.
                return try refuse(queued, Refusal(Refusal.Code(rawValue: "internal_error"), "lintas could not apply this command: \(error)",
                                                  hint: "Report this as a defect; the command is kept."))
            }
            let drawn = numbering.commit()
            if var entry = consume changed {
                var stored = BatchWriter.Item.Events.sealed(events, letters: letters)
                var body: [UInt8]?
                if writer.chainsAhead {
                    // The writing thread, which also commits and syncs at each command, is the longer: what needs no connection is done here.
                    let chained = writer.chain(events, letters: letters, after: entry.head)
                    entry.head = chained.last?.hash ?? entry.head
                    stored = .chained(chained)
                    body = entry.state.canonicalBytes
                }
                let item = BatchWriter.Item(events: stored, entry: entry, timer: try timer(of: entry.state), body: body, own: own(queued, .done, drawn: drawn))
                if let stored = try writer.write(item) { entry.stored = stored }
                if touchedSet.insert(request).inserted { touched.append(request) }
                requests.entries[request] = entry
                if writer.commitsApart { decided.append((events.count, request)) }
            } else if writer.commitsApart {
                if let own = own(queued, .done, drawn: drawn) { _ = try writer.write(BatchWriter.Item(events: .chained([]), entry: nil, own: own)) }
                decided.append((events.count, nil))
            }
            report.events += events.count
            outcomes.append(QueuedOutcome(consume queued, .done))
            report.done += 1
        }
    }

    private mutating func refuse(_ queued: consuming QueuedCommand, _ refusal: Refusal) throws {
        numbering.rollback()
        if writer.commitsApart {
            if let own = own(queued, .refused(refusal), drawn: .init()) { _ = try writer.write(BatchWriter.Item(events: .chained([]), entry: nil, own: own)) }
            decided.append((0, nil))
        }
        report.refused += 1
        report.refusals.append(.init(command: queued.command.id, request: queued.command.request, refusal: refusal))
        outcomes.append(QueuedOutcome(consume queued, .refused(refusal)))
    }

    /// With `commitsApart`, what the command's group stores besides its commands' events and projections, in its
    /// transaction, when the command is the group's last (`nil` before, the command's draws kept for it): made here,
    /// on the deciding thread, so that the writing one copies no command.
    private mutating func own(_ queued: QueuedCommand, _ outcome: CommandOutcome, drawn: StoreNumbering.Drawn) -> BatchWriter.Item.Own? {
        guard let every = writer.commitEvery else { return nil }
        for (register, sequence) in drawn.registers { groupRegisters[register] = sequence }
        groupNumbers += drawn.numbers
        let decided = outcomes.count + 1
        guard decided % every == 0 || decided == writer.commands else { return nil }
        defer {
            groupRegisters.removeAll(keepingCapacity: true)
            groupNumbers.removeAll(keepingCapacity: true)
        }
        let first = (decided - 1) / every * every
        return .init(drawn: groupDrawn(closing: decided == writer.commands), outcomes: Array(outcomes[first...]) + [QueuedOutcome(queued, outcome)], now: now)
    }

    /// What the group's commit stores of its draws: its printed numbers, and of the registers, in the batch's last
    /// commit every one it drew from set closed, else those first drawn from set open (the others' rows, open
    /// already, not written: a register's one leaf each commit drawing a letter was a tenth of the frames).
    private mutating func groupDrawn(closing: Bool) -> StoreNumbering.Drawn {
        var registers: [(key: String, value: Int)] = []
        for (register, sequence) in groupRegisters where openRegisters.updateValue(sequence, forKey: register) == nil {
            registers.append((register, sequence))
        }
        if closing {
            registers = openRegisters.map { ($0.key, $0.value) }
            openRegisters.removeAll()
        }
        registers.sort { $0.key < $1.key }
        return StoreNumbering.Drawn(registers: registers, numbers: groupNumbers, open: !closing)
    }

    /// The report of the first `committed` commands decided (with `commitsApart`: those committed, when the batch
    /// was interrupted or failed after them).
    func report(committed: Int) -> Processor.BatchReport {
        var report = Processor.BatchReport()
        report.commands = committed
        report.refused = outcomes.prefix(committed).count { if case .refused = $0.outcome { true } else { false } }
        report.done = committed - report.refused
        report.refusals = Array(self.report.refusals.prefix(report.refused))
        report.events = decided.prefix(committed).reduce(0) { $0 + $1.events }
        var seen = Set<RequestID>()
        report.touched = decided.prefix(committed).compactMap(\.changed).filter { seen.insert($0).inserted }
        return report
    }

    /// The request's state as this batch sees it: what it changed, else what an earlier
    /// transaction left (cached), else the stored projection.
    private mutating func state(of request: RequestID) throws -> StateCache.Entry? {
        if let known = requests.entries[request] { return known }
        if let known = cached.removeValue(forKey: request) {
            requests.entries[request] = known
            return known
        }
        // The projection's state and head alone: its other columns say what the state says.
        guard let stored = try reads.use({ try $0.stateAndHead(of: request) }) else { return nil }
        guard let head = Digest(bytes: stored.head) else { throw StoreError(.malformed, "request \(request) has a damaged head hash") }
        // The participants kept as stored: the step appends to them as they stand (`RequestState.evolve`).
        let loaded = StateCache.Entry(state: try RequestState(bytes: stored.body, keepingParticipants: true), head: head, row: stored.row)
        requests.entries[request] = loaded
        return loaded
    }

    private func timer(of state: RequestState) throws -> StateTimer {
        if let definition = definitions.parsedDefinition(state.definition) { return StateTimer.of(state, in: definition) }
        return try connection.use { _ in try definitions.timer(of: state) }
    }

    /// Waits for the writer to store everything handed to it (rethrowing its error), and takes
    /// the requests' heads (those it stored on a thread of its own) and the last sequence from it.
    mutating func written() throws {
        let written = try writer.finish()
        for (request, stored) in written.heads { requests.entries[request]?.stored = stored }
        if let last = written.last { lastSequence = last }
    }

    /// Writes the projection of a request changed after `written` (by its timers).
    func save(_ entry: StateCache.Entry) throws {
        let timer = try timer(of: entry.state)
        _ = try connection.use { try $0.saveRequest(entry.state, head: entry.head, timer: timer, row: entry.row) }
    }

    /// Records the registers and outcomes, after `written` (the projections are the writer's, and
    /// with `commitsApart` the registers and outcomes too).
    mutating func finish() throws {
        report.touched = touched
        if writer.commitsApart { return }
        try numbering.flush(to: connection)
        try connection.use { try $0.recordOutcomes(outcomes, now: now) }
    }
}

/// The batch's store, one use at a time: SQLite connections are opened without a mutex of their
/// own (`SQLITE_OPEN_NOMUTEX`) and the store's statement caches are plain Swift state, so every
/// use of a batch, and of the catalogs that read through its connection, from either of its
/// threads, goes through `use`.
private final class BatchConnection: @unchecked Sendable {
    private let batch: any StoreBatch
    private let lock = NSLock()

    init(_ batch: any StoreBatch) { self.batch = batch }

    func use<Result>(_ body: (any StoreBatch) throws -> Result) throws -> Result {
        try lock.withLock { try body(batch) }
    }
}

/// Where deciding a batch's commands reads the store: the batch's own connection, one use at a
/// time (`BatchConnection`), or, while the writer has a thread of its own, `snapshot`: a read
/// transaction on a second connection that only the deciding thread uses, begun once the batch
/// holds the write lock, so that deciding never waits for the writer's item in hand.
///
/// The snapshot holds what the batch started from, none of what it wrote; every read deciding
/// makes is of that, or corrected in memory by what the batch did: a request's projection is read
/// only when the batch has not touched it (`BatchWork.state(of:)`, its states are in
/// `BatchStates`), quota counts replace the stored states of the batch's requests by their own
/// (`BatchCounting`), and registers and printed numbers are written only by `StoreNumbering.flush`
/// after the last decision, what the batch drew kept in memory until then. The catalogs are
/// refreshed before the batch and answer from what they parsed; a miss reads through the
/// batch's connection.
private final class DecideReads {
    let connection: BatchConnection
    var snapshot: (any StoreLookups)?

    init(_ connection: BatchConnection) { self.connection = connection }

    func use<Result>(_ body: (any StoreLookups) throws -> Result) throws -> Result {
        if let snapshot { return try body(snapshot) }
        return try connection.use { try body($0) }
    }
}

/// The writing half of a batch ("thread B"): appends each applied command's events, chaining
/// their hashes per request, and writes the request's projection, in the order the commands were
/// applied. Threaded, it runs on a thread of its own while the calling thread applies the next
/// commands; otherwise `write` stores on the calling thread at once.
///
/// A store error stops it: what it was handed after is dropped, the next `write` and `finish`
/// throw the error, and the batch rolls back whole.
///
/// With `commitsApart` the last command of each group (`commitEvery` commands, or the batch's last
/// ones) is handed over, refused or not, with the group's registers' and numbers' rows and outcomes,
/// and the group committed after it (`StoreBatch.commitAndContinue`): a store error then rolls back only the
/// group in hand and drops the later commands, the earlier groups staying committed; another connection's commit between two of ours that changed what
/// deciding reads stops it the same way (`CommitsInterrupted`).
private final class BatchWriter: @unchecked Sendable {
    /// What one decided command stores.
    struct Item {
        /// Its events.
        var events: Events
        /// The request's state after them, with its head after them when `chained`, else before
        /// them (when threaded, before this batch touched it: the writer knows the heads of the
        /// requests it stored since). `nil` for a command that changed no request (refused).
        var entry: StateCache.Entry?
        /// The state's timer and the end of its period (`DefinitionCatalog.timer`), for the projection.
        var timer: StateTimer = .none
        /// With `chainsAhead`, the state's canonical bytes, written on the deciding thread: the
        /// writing one, which also commits and syncs, is the longer there (`nil`: the writer writes them).
        var body: [UInt8]? = nil
        /// With `commitsApart`, for the last command of a group: the rest of the group's transaction, which the writer
        /// commits after this item (a reference: the item stays small to move).
        var own: Own?

        enum Events {
            /// Sealed, with their letters' content as encoded for the store: the writer chains them.
            case sealed([Event], letters: [LetterParts.Encoded?])
            /// Chained already, after the entry's head (with `chainsAhead`, on the deciding thread).
            case chained([ChainedEvent])
        }

        final class Own {
            /// The registers and printed numbers its group drew.
            var drawn: StoreNumbering.Drawn
            /// Its group's commands with their outcomes, in order.
            var outcomes: [QueuedOutcome]
            /// When it was processed.
            var now: Timestamp

            init(drawn: StoreNumbering.Drawn, outcomes: [QueuedOutcome], now: Timestamp) {
                self.drawn = drawn
                self.outcomes = outcomes
                self.now = now
            }
        }
    }

    /// A request's last event's hash and the row of its projection (`StoreBatch.saveRequest`'s), as stored.
    struct Stored {
        var head: Digest
        var row: Int64?
    }

    let connection: BatchConnection
    /// Whether a thread of its own stores what `write` is handed.
    private let threaded: Bool
    /// How many commands are committed together, each group as soon as it is written (`nil`: the
    /// batch's commands in its one transaction, committed by the caller).
    let commitEvery: Int?
    /// Whether the commands are committed in groups, each group's own rows handed over with its last command (`Item.own`).
    var commitsApart: Bool { commitEvery != nil }
    /// Whether each command is committed alone: the deciding thread then chains its events (the
    /// writing thread, which commits and syncs at each command, is the longer).
    var chainsAhead: Bool { commitEvery == 1 }
    /// How many commands the batch decides.
    let commands: Int
    private let condition = NSCondition()
    // Under `condition`: what the thread has yet to take, and how it ended.
    private var queue: [Item] = []
    /// With `commitsApart`, the items stored, released by the calling thread (its next `write`, or with the
    /// writer after the batch): their events' bytes freed there, not on the writing thread, which also commits and syncs.
    private var stored: [Item] = []
    private var closed = false
    /// Set by `stop`: the items the thread has taken are dropped too.
    private var dropped = false
    private var running = false
    private var failure: (any Error)?
    // The writing thread's own (the calling thread's after `finish`): each request's last event's hash and row, and the last sequence.
    private var heads: [RequestID: Stored] = [:]
    private var last: Int64?
    /// The calling thread's room for the projections' bytes when it stores them itself (not `threaded`; the writing
    /// thread has its own, `run`).
    private var bodies = CanonicalBuffer()
    /// With `commitsApart`, how many commands were committed (the calling thread's after `finish` or `stop`).
    private(set) var committed = 0
    /// Under `condition`: the thread waits for items (`run`), and no wake is on its way to it.
    private var waiting = false
    // The calling thread's: the commands of the batch not taken yet (`taking`), and how many times it woke the waiting thread.
    private var untaken: Int
    private(set) var wakes = 0
    /// How many items the calling thread hands over before it wakes the writing thread when that
    /// waits (it is the shorter of the two threads): one wake for a group instead of one an item,
    /// each a `futex` call on both threads and a switch of the writing one. Sooner once the items
    /// waiting outnumber the commands left to decide, so that the batch's end waits for the
    /// writing of one item or two, not of a group; with `chainsAhead` at once (each command is
    /// committed as soon as it can be).
    static let group = 16
    /// Letter parts' hashes, for the calling thread chaining events with `chainsAhead` (else the
    /// store names them as it appends them, by its own cache of those it holds).
    private let names: LetterPartNames

    /// - Parameter commands: how many commands the batch decides.
    init(_ connection: BatchConnection, threaded: Bool, commitEvery: Int?, names: LetterPartNames, commands: Int) {
        self.connection = connection
        self.threaded = threaded
        self.commitEvery = commitEvery
        self.commands = commands
        self.names = names
        untaken = commands
        guard threaded else { return }
        running = true
        Thread.detachNewThread { [self] in run() }
    }

    /// Counts a command taken to be decided (the calling thread's, before its `write`).
    func taking() { untaken -= 1 }

    /// Stores `item` and returns the request's new head and row, or hands it to the writing thread (`nil`).
    func write(_ item: Item) throws -> Stored? {
        guard threaded else { return try store(item, after: item.entry?.stored, bodies: &bodies) }
        var stored: [Item] = []
        try condition.withLock {
            if let failure { throw failure }
            queue.append(item)
            swap(&stored, &self.stored)
            if waiting && (chainsAhead || queue.count >= Self.group || queue.count > untaken) {
                waiting = false
                wakes += 1
                condition.signal()
            }
        }
        return nil
    }

    /// Waits until everything handed over is stored.
    /// - Returns: each request's last event's hash and row, and the last sequence, if any was appended.
    /// - Throws: the store error that stopped the writer.
    func finish() throws -> (heads: [RequestID: Stored], last: Int64?) {
        // The items stored that the calling thread has not taken yet, freed here: not by the writing thread's last
        // reference to the writer, whichever thread happened to hold the last.
        var stored: [Item] = []
        try condition.withLock {
            closed = true
            condition.signal()
            while running { condition.wait() }
            swap(&stored, &self.stored)
            if let failure { throw failure }
        }
        return (heads, last)
    }

    /// Drops what was not stored yet and waits for the thread to end: nothing is stored after
    /// the item in hand.
    func stop() {
        condition.withLock {
            closed = true
            dropped = true
            queue.removeAll()
            condition.signal()
            while running { condition.wait() }
        }
    }

    private func run() {
        var taken: [Item] = []
        // Room for the projections' bytes this thread writes (without `chainsAhead`), reused from one to the next: each
        // state's ~1.5 KB was allocated and freed, above the sizes glibc's per-thread cache keeps. A local, not a
        // property, which each use would check for exclusive access.
        var bodies = CanonicalBuffer()
        // Room for a head a command: grown from empty, the table was rehashed about ten times a batch (5.2 M
        // instructions at N = 2,000 with `--commit-each`).
        heads.reserveCapacity(commands)
        while true {
            let more = condition.withLock { () -> Bool in
                while queue.isEmpty && !closed {
                    waiting = true
                    condition.wait()
                }
                waiting = false
                swap(&taken, &queue)
                return !taken.isEmpty
            }
            guard more else { break }
            do {
                // Each read in place by index: taking it out (`for item in`) copies it, every member retained.
                for index in taken.indices {
                    if condition.withLock({ dropped }) { break }
                    guard let request = taken[index].entry?.state.request else {
                        _ = try store(taken[index], after: nil, bodies: &bodies)
                        continue
                    }
                    heads[request] = try store(taken[index], after: heads[request] ?? taken[index].entry?.stored,
                                               bodies: &bodies)
                }
            } catch {
                condition.withLock { failure = error }
                break
            }
            // Kept for the calling thread to free also when it has not taken the last ones yet (it has decided the
            // batch and waits): each item's references retained and released here, not its bytes freed.
            if commitsApart { condition.withLock { if stored.isEmpty { swap(&stored, &taken) } else { stored.append(contentsOf: taken) } } }
            taken.removeAll(keepingCapacity: true)
        }
        condition.withLock {
            running = false
            queue.removeAll()
            condition.broadcast()
        }
    }

    /// Appends the item's events after the request's last one (`previous`; chained after it
    /// already when `chained`) and writes its projection; with `own`, records the rest of the
    /// command and commits.
    /// - Parameter bodies: where the projection's bytes are written when the item has none (`Item.body`).
    /// - Returns: the request's new head and row (`nil` when the item has no request's state).
    private func store(_ item: Item, after previous: Stored?, bodies: inout CanonicalBuffer) throws -> Stored? {
        try connection.use { batch in
            var stored = previous
            if let entry = item.entry, let previous, case var chained = previous.head {
                switch item.events {
                case .sealed(let events, let letters):
                    // Each read in place by index: taking it out (`for event in`) copies it, every member retained.
                    for index in events.indices {
                        let event = batch.chain(events[index], after: chained, letter: letters[index])
                        last = try batch.append(event)
                        chained = event.hash
                    }
                case .chained(let events):
                    // Each read in place through the buffer: taken out of the array (`for event in`, `events[index]`) it is
                    // copied, every member retained.
                    try events.withUnsafeBufferPointer { events in
                        for index in events.indices { last = try batch.append(events[index]) }
                    }
                    chained = events.last?.hash ?? chained
                }
                // Written in place by each closure: one made and kept here would copy the item and the batch, retaining their members.
                let row = if let body = item.body {
                    try body.withUnsafeBytes { try batch.saveRequest(entry.state, body: $0, head: chained, timer: item.timer, row: previous.row) }
                } else {
                    try entry.state.withCanonicalBytes(in: &bodies) { try batch.saveRequest(entry.state, body: $0, head: chained, timer: item.timer, row: previous.row) }
                }
                stored = Stored(head: chained, row: row)
            }
            if let own = item.own {
                try own.drawn.write(to: batch)
                try batch.recordOutcomes(own.outcomes, now: own.now)
                let count = own.outcomes.count
                // Counted once committed: beginning the next transaction may fail after (another writer holding the lock).
                let alone = try batch.commitAndContinue { committed += count }
                guard alone else { throw CommitsInterrupted() }
            }
            return stored
        }
    }
}

extension BatchWriter {
    /// A command's events sealed, chained after the request's last one (`previous`): what `store`
    /// appends with `chainsAhead`.
    func chain(_ events: [Event], letters: [LetterParts.Encoded?], after previous: Digest) -> [ChainedEvent] {
        var chained: [ChainedEvent] = []
        chained.reserveCapacity(events.count)
        // Each read in place by index: taking it out (`for event in`) copies it, every member retained.
        for index in events.indices {
            chained.append(ChainedEvent(events[index], previous: chained.last?.hash ?? previous, letter: letters[index], names: names))
        }
        return chained
    }
}

/// Thrown when another connection committed between two of a batch's per-command commits
/// (`Processor.commitEach`) something deciding reads: what was decided after is void.
private struct CommitsInterrupted: Error {}

/// The request states one batch has read or changed, by request.
private final class BatchStates {
    var entries: [RequestID: StateCache.Entry] = [:]
}

/// Counts for quota rules: the stored projections, corrected by what this batch has changed
/// but not yet written.
private final class BatchCounting: RequestCounting {
    let reads: DecideReads
    let states: BatchStates
    /// A store error met while counting; the batch must not commit.
    var error: (any Error)?

    init(reads: DecideReads, inBatch states: BatchStates) {
        self.reads = reads
        self.states = states
    }

    func count(workflow: WorkflowID, quotaUnit unit: UnitID, states: [String]) -> Int {
        let stored: [RequestID]
        do { stored = try reads.use { try $0.requests(workflow: workflow, quotaUnit: unit, states: states) } } catch {
            self.error = error
            return 0
        }
        let inBatch = self.states.entries
        let current = inBatch.values.map(\.state).filter {
            $0.workflow == workflow && states.contains($0.state) && $0.fields[RuleSpec.quotaField]?.stringValue == unit.rawValue
        }
        return stored.filter { inBatch[$0] == nil }.count + current.count
    }
}

/// Letter numbers for one batch: read from the store's registers once, counted in memory,
/// written back with the batch. A number drawn by a command that is then refused is put back,
/// so registers have no gaps.
///
/// One dictionary of sequences and one of printed numbers for the whole batch, the command
/// under way's draws among them: what it drew is listed apart (`pending`), so that `commit`
/// only empties the list and `rollback` puts back what the list names (a key hashed once a
/// draw, not again when the command is kept).
private struct StoreNumbering: LetterNumbering {
    let reads: DecideReads
    /// Each register's last sequence drawn in this batch, and each printed number claimed, the
    /// command under way's included.
    private var sequences: [String: Int] = [:]
    private var numbers: [String: NumberedLetter] = [:]
    /// What the command under way drew, and each drawn register's sequence before it (`nil`:
    /// none drawn in this batch), in the order of `pending.registers`.
    private var pending = Drawn()
    private var before: [Int?] = []
    private var error: (any Error)?
    /// How many commands the batch decides: room for a number each is made at the first claim,
    /// so that `numbers` is not grown (and rehashed) claim by claim.
    private let commands: Int

    init(reads: DecideReads, commands: Int) {
        self.reads = reads
        self.commands = commands
    }

    mutating func nextSequence(register: String) -> Int {
        let next: Int
        if let index = sequences.index(forKey: register) {
            next = sequences.values[index] + 1
            if let drawn = pending.registers.firstIndex(where: { $0.key == register }) {
                pending.registers[drawn].value = next
            } else {
                pending.registers.append((register, next))
                before.append(next - 1)
            }
            sequences.values[index] = next
        } else {
            do { next = try reads.use { try $0.letterSequence(register: register) } + 1 } catch {
                self.error = error
                next = 1
            }
            pending.registers.append((register, next))
            before.append(nil)
            sequences[register] = next
        }
        return next
    }

    /// The number's entry in `numbers` found once (its name hashed once), and filled in place
    /// when neither the batch nor the store has the number.
    mutating func claim(number: String, for letter: NumberedLetter) -> NumberedLetter? {
        if numbers.isEmpty { numbers.reserveCapacity(commands) }
        let reads = self.reads
        var failure: (any Error)?
        let holder = { (entry: inout NumberedLetter?) -> NumberedLetter? in
            if let holder = entry { return holder }
            do {
                if let holder = try reads.use({ try $0.letter(numbered: number) }) { return holder }
            } catch {
                failure = error
                return letter
            }
            entry = letter
            return nil
        }(&numbers[number])
        if let failure { error = failure }
        if holder == nil { pending.numbers.append((number, letter)) }
        return holder
    }

    /// A store error met while drawing a number; the batch must not commit.
    mutating func takeError() -> (any Error)? {
        defer { error = nil }
        return error
    }

    /// Registers' last sequences and printed numbers to store, each register and number once,
    /// written in the order they are listed (by name, as a dictionary's `sorted` gives them).
    struct Drawn {
        var registers: [(key: String, value: Int)] = []
        var numbers: [(key: String, value: NumberedLetter)] = []
        /// Whether the registers are set open (`StoreBatch.setLetterSequence(register:to:open:)`).
        var open = false

        func write(to batch: any StoreBatch) throws {
            for (register, sequence) in registers { try batch.setLetterSequence(register: register, to: sequence, open: open) }
            for (number, letter) in numbers { try batch.recordLetterNumber(number, of: letter) }
        }
    }

    /// Keeps what the command under way drew. - Returns: what it drew, by name.
    @discardableResult
    mutating func commit() -> Drawn {
        before.removeAll(keepingCapacity: true)
        defer { pending = Drawn() }
        // A command mostly draws one number, or none: a list of fewer than two is not sorted.
        if pending.registers.count > 1 { pending.registers.sort { $0.key < $1.key } }
        if pending.numbers.count > 1 { pending.numbers.sort { $0.key < $1.key } }
        return pending
    }

    /// Puts back what the command under way drew.
    mutating func rollback() {
        for (drawn, sequence) in zip(pending.registers, before) { sequences[drawn.key] = sequence }
        for drawn in pending.numbers { numbers[drawn.key] = nil }
        pending = Drawn()
        before.removeAll(keepingCapacity: true)
    }

    func flush(to connection: BatchConnection) throws {
        let drawn = Drawn(registers: sequences.sorted { $0.key < $1.key }, numbers: numbers.sorted { $0.key < $1.key })
        try connection.use { try drawn.write(to: $0) }
    }
}

/// The letters' frames a processor keeps (`LetterFrames`), one set per org directory version:
/// a frame is resolved against the directory, which its key does not name.
struct LetterFrameSets {
    private var sets: [Int64: LetterFrames] = [:]

    /// Runs `body` with the frames of directory `version` (none kept without one).
    mutating func with<Result>(_ version: Int64?, _ body: (inout LetterFrames) -> Result) -> Result {
        guard let version else {
            var none = LetterFrames()
            return body(&none)
        }
        var frames = sets.removeValue(forKey: version) ?? LetterFrames()
        defer { sets[version] = frames }
        return body(&frames)
    }
}
