import LintasCore
import LintasStore

/// Takes queued commands in batches and applies them: decides each one, appends its events,
/// updates the projection and records the outcome, all in one transaction per batch.
///
/// A refusal is an outcome like any other: it is recorded with its reason and the batch
/// goes on. Only a store failure aborts a batch, and then nothing of it is kept, so the
/// same commands are taken again by the next batch.
///
/// One thread does all of it: a batch on two threads (a writing thread appending the events
/// while this one decided the next commands) was built in the eighth and ninth rounds and
/// measured no faster (docs/performance-history.md, *The daemon's batch on two threads, removed*).
///
/// Not `Sendable`: runs on the thread that owns the store.
public final class Processor {
    public let store: any EventStore
    public let definitions: DefinitionCatalog
    public let directories: DirectoryCatalog
    /// The most commands one transaction takes.
    public var batchSize: Int
    /// Request states carried from one transaction to the next.
    private var states: StateCache
    /// Letters' frames composed so far (`LetterFrames`), one set per org directory version.
    private var letterFrames = LetterFrameSets()

    /// How many requests a processor keeps between transactions unless told otherwise: about
    /// 4.7 KB each in W1 (the state's fields 2.2 KB, its letters 1.0, its participants 0.9, the
    /// dictionary's slot 0.6, the request part), so at most about 47 MB whatever the file holds.
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
    public func runBatch(now: Timestamp, timers: TimerLook? = nil) throws -> BatchReport {
        do {
            let (report, kept, mark) = try store.withBatch { (batch) throws -> (BatchReport, [RequestID: StateCache.Entry], Int64) in
                // In the batch's transaction: a read transaction of their own before it cost more than the look.
                try definitions.refresh()
                try directories.refresh()
                let start = try batch.lastEventSequence()
                let claimed = try batch.claimQueued(limit: batchSize)
                var work = BatchWork(batch: batch, definitions: definitions, directories: directories, cached: self.states.valid(at: start),
                                     lastSequence: start, now: now)
                swap(&work.frames, &self.letterFrames)
                defer { swap(&work.frames, &self.letterFrames) }
                for queued in claimed {
                    try work.process(queued)
                }
                if let timers, !work.touched.isEmpty {
                    let timed = try definitions.timed().all
                    let looked = work.touched.compactMap { work.requests.entries[$0] }.filter { timed.contains($0.state.state) }
                    var report = TimerReport()
                    let changed = try fire(looked, in: batch, calendar: timers.calendar, now: now, report: &report, last: &work.lastSequence)
                    for request in work.touched {
                        guard let entry = changed[request] else { continue }
                        work.requests.entries[request] = entry
                        try work.save(entry)
                    }
                    work.report.timers = report
                }
                try work.finish()
                // The last event appended is the store's last (sequences only grow): no query for it.
                return (work.report, work.requests.entries, work.lastSequence)
            }
            states.keep(kept, mark: mark)
            return report
        } catch {
            self.states.forget()
            throw error
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
struct StateCache {
    struct Entry {
        var state: RequestState
        /// The hash of the request's last event.
        var head: Digest
        /// The request part of its last letter, with what it was composed from.
        var requestPart: LetterFrames.RequestPart?
    }
    private(set) var entries: [RequestID: Entry] = [:]
    /// The store's last event sequence right after this processor's last commit.
    private var mark: Int64?
    /// The most requests kept.
    var limit: Int

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

    /// What a committed transaction read or wrote, and the last event sequence after it.
    mutating func keep(_ states: [RequestID: Entry], mark: Int64) {
        guard limit > 0 else { return }
        // A request kept already is replaced, not added: only the others count against the bound.
        let added = states.keys.reduce(0) { entries[$1] == nil ? $0 + 1 : $0 }
        if entries.count + added > limit { entries.removeAll(keepingCapacity: true) }
        entries.merge(states) { _, new in new }
        self.mark = mark
    }

    mutating func forget() {
        entries.removeAll()
        mark = nil
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
                for entry in changed.values { try batch.saveRequest(entry.state, head: entry.head, ends: try definitions.periodEnd(of: entry.state)) }
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
private struct BatchWork {
    let batch: any StoreBatch
    let definitions: DefinitionCatalog
    let directories: DirectoryCatalog
    let now: Timestamp
    /// States kept from earlier transactions (`StateCache`), still current.
    let cached: [RequestID: StateCache.Entry]
    /// The store's last event sequence: the last this batch appended, else the one it started at.
    var lastSequence: Int64
    /// The states this batch has read or changed, shared with the quota counting by reference
    /// (a copy per command would copy the whole batch's states each time).
    let requests = BatchStates()
    /// Requests changed by this batch, in the order first touched.
    var touched: [RequestID] = []
    var touchedSet: Set<RequestID> = []
    var numbering: StoreNumbering
    /// Letters' frames, kept by the processor from batch to batch (a frame is a pure function of its key and directory).
    var frames = LetterFrameSets()
    /// Reused for each letter's seal.
    var assembler = LetterParts.Assembler()
    var report = Processor.BatchReport()
    /// Every claimed command's outcome, recorded together by `finish`.
    var outcomes: [(command: QueuedCommand, outcome: CommandOutcome)] = []

    init(batch: any StoreBatch, definitions: DefinitionCatalog, directories: DirectoryCatalog,
         cached: [RequestID: StateCache.Entry], lastSequence: Int64, now: Timestamp) {
        self.batch = batch
        self.definitions = definitions
        self.directories = directories
        self.cached = cached
        self.lastSequence = lastSequence
        self.now = now
        numbering = StoreNumbering(batch: batch)
    }

    mutating func process(_ queued: QueuedCommand) throws {
        report.commands += 1
        let command = queued.command
        if let damage = queued.damage {
            return try refuse(queued, Refusal(.malformedCommand, "The queued command cannot be read back: \(damage)."))
        }
        let current = try state(of: command.request)
        let definition: WorkflowDefinition?
        do {
            definition = try current.map { try definitions.definition($0.state.definition) } ?? command.workflow.flatMap { try definitions.current($0) }
        } catch let error as InvalidDocument {
            return try refuse(queued, Refusal(.unknownWorkflow, "The workflow definition cannot be read: \(error.problems.first?.description ?? "invalid").",
                                              hint: "Load a valid version with 'lintas workflows load'."))
        }
        let at = command.at ?? queued.enqueuedAt
        let directory = try directories.version(at: at)
        let input = DecisionInput(command: command, state: current?.state, definition: definition,
                                  directory: directory?.directory, at: at, now: now)
        let counting = BatchCounting(batch: batch, inBatch: requests)
        // The request part kept with the state is lent to the letter's composer and taken back with the state.
        let (decision, requestPart) = frames.with(directory?.version) { frames in
            frames.lend(current?.requestPart)
            let decision = decide(input, numbering: &numbering, counting: counting, frames: &frames)
            return (decision, frames.takeRequestPart())
        }
        if let error = numbering.takeError() ?? counting.error { throw error }
        switch decision {
        case .refused(let refusal):
            try refuse(queued, refusal)
        case .accepted(let events):
            // Every event is applied before any is stored: one the state cannot fold refuses the whole command.
            var state = current?.state
            var sealed: [(Event, LetterParts.Encoded?)] = []
            sealed.reserveCapacity(events.count)
            for (event, letter) in events.map({ LetterSeal.seal($0, assembler: &assembler) }) {
                do {
                    state = try RequestState.evolve(state, event)
                } catch {
                    // decide produced an event its own state cannot fold: a defect, refused rather than stored.
                    return try refuse(queued, Refusal(Refusal.Code(rawValue: "internal_error"), "lintas could not apply this command: \(error)",
                                                      hint: "Report this as a defect; the command is kept."))
                }
                sealed.append((event, letter))
            }
            if let state {
                var head = current?.head ?? .zero
                for (event, letter) in sealed {
                    let stored = try batch.append(event, previous: head, letter: letter)
                    lastSequence = stored.sequence
                    head = Digest(bytes: stored.hash)!
                }
                try batch.saveRequest(state, head: head, ends: try definitions.periodEnd(of: state))
                if touchedSet.insert(command.request).inserted { touched.append(command.request) }
                requests.entries[command.request] = StateCache.Entry(state: state, head: head, requestPart: requestPart)
            }
            report.events += sealed.count
            numbering.commit()
            outcomes.append((queued, .done))
            report.done += 1
        }
    }

    private mutating func refuse(_ queued: QueuedCommand, _ refusal: Refusal) throws {
        numbering.rollback()
        outcomes.append((queued, .refused(refusal)))
        report.refused += 1
        report.refusals.append(.init(command: queued.command.id, request: queued.command.request, refusal: refusal))
    }

    /// The request's state as this batch sees it: what it changed, else what an earlier
    /// transaction left (cached), else the stored projection.
    private mutating func state(of request: RequestID) throws -> StateCache.Entry? {
        if let known = requests.entries[request] { return known }
        if let known = cached[request] {
            requests.entries[request] = known
            return known
        }
        guard let stored = try batch.request(request) else { return nil }
        guard let head = stored.headDigest else { throw StoreError(.malformed, "request \(request) has a damaged head hash") }
        let loaded = StateCache.Entry(state: try stored.decode(), head: head)
        requests.entries[request] = loaded
        return loaded
    }

    /// Writes the projection of a request changed after its commands (by its timers).
    func save(_ entry: StateCache.Entry) throws {
        try batch.saveRequest(entry.state, head: entry.head, ends: try definitions.periodEnd(of: entry.state))
    }

    /// Records the registers and outcomes (the projections are written with each command).
    mutating func finish() throws {
        report.touched = touched
        try numbering.flush()
        try batch.recordOutcomes(outcomes, now: now)
    }
}

/// The request states one batch has read or changed, by request.
private final class BatchStates {
    var entries: [RequestID: StateCache.Entry] = [:]
}

/// Counts for quota rules: the stored projections, corrected by what this batch has changed
/// but not yet written.
private final class BatchCounting: RequestCounting {
    let batch: any StoreBatch
    let states: BatchStates
    /// A store error met while counting; the batch must not commit.
    var error: (any Error)?

    init(batch: any StoreBatch, inBatch states: BatchStates) {
        self.batch = batch
        self.states = states
    }

    func count(workflow: WorkflowID, quotaUnit unit: UnitID, states: [String]) -> Int {
        let stored: [RequestID]
        do { stored = try batch.requests(workflow: workflow, quotaUnit: unit, states: states) } catch {
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
private struct StoreNumbering: LetterNumbering {
    let batch: any StoreBatch
    private var committed: [String: Int] = [:]
    private var pending: [String: Int] = [:]
    /// Printed numbers claimed by commands applied in this batch, and by the command under way.
    private var committedNumbers: [String: NumberedLetter] = [:]
    private var pendingNumbers: [String: NumberedLetter] = [:]
    private var error: (any Error)?

    init(batch: any StoreBatch) { self.batch = batch }

    mutating func nextSequence(register: String) -> Int {
        let last: Int
        if let value = pending[register] ?? committed[register] {
            last = value
        } else {
            do { last = try batch.letterSequence(register: register) } catch {
                self.error = error
                last = 0
            }
        }
        pending[register] = last + 1
        return last + 1
    }

    mutating func claim(number: String, for letter: NumberedLetter) -> NumberedLetter? {
        if let holder = pendingNumbers[number] ?? committedNumbers[number] { return holder }
        do {
            if let holder = try batch.letter(numbered: number) { return holder }
        } catch {
            self.error = error
            return letter
        }
        pendingNumbers[number] = letter
        return nil
    }

    /// A store error met while drawing a number; the batch must not commit.
    mutating func takeError() -> (any Error)? {
        defer { error = nil }
        return error
    }

    mutating func commit() {
        committed.merge(pending) { _, new in new }
        pending.removeAll()
        committedNumbers.merge(pendingNumbers) { _, new in new }
        pendingNumbers.removeAll()
    }

    mutating func rollback() {
        pending.removeAll()
        pendingNumbers.removeAll()
    }

    func flush() throws {
        for (register, sequence) in committed.sorted(by: { $0.key < $1.key }) {
            try batch.setLetterSequence(register: register, to: sequence)
        }
        for (number, letter) in committedNumbers.sorted(by: { $0.key < $1.key }) {
            try batch.recordLetterNumber(number, of: letter)
        }
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
