/// Folds a request's stored events into its state straight from their stored bytes: what
/// `RequestState.evolve` does to decoded events, without decoding them.
///
/// Replay and audit read millions of events; decoding each into an `Event` (a `String` per
/// name and title, a `JSONValue` tree per field, the letter's content scanned) costs far more
/// than the fold itself. Here an event's detail is scanned once: the members the state needs
/// are kept as the bytes they are stored as (each field's value, each letter's strings) in one
/// buffer reused from request to request, the letter's content is read past by matching its
/// brackets (its `date` kept), and the columns repeated across events (actions, states,
/// actors) become one `String` each per scan. A state is built (`result()`) or written in its
/// canonical form (`writeCanonical`) once per request, after its last event.
///
/// The semantics are `evolve`'s, and its errors: a test folds every event of the shipped
/// procedures both ways and compares the states.
public struct RequestFold {
    /// A stored string or value, as its bytes in `arena` (a JSON token: strings keep their quotes).
    private typealias Token = Range<Int>

    /// A field as the member `"name":value`, one run of bytes: the name's token (quotes
    /// included) is its first `keyCount` bytes, the value follows the colon.
    private struct Field {
        var member: Token
        var keyCount: Int

        var key: Token { member.lowerBound..<(member.lowerBound + keyCount) }
        var value: Token { (member.lowerBound + keyCount + 1)..<member.upperBound }
    }

    private struct Letter {
        var type: Token, label: Token, number: Token, register: Token
        var sequence: Int
        var numbering: LetterRecord.Numbering
        var date: Token?, contentHash: Token?
        var version: Int
    }

    /// A letter's members as `readLetter` reads them, all present.
    private struct ScannedLetter {
        var type: Token = 0..<0, label: Token = 0..<0, number: Token = 0..<0, register: Token = 0..<0
        var sequence: Int64 = 0
        var numbering = LetterRecord.Numbering.register
        var date: Token?, contentHash: Token?
    }

    /// What one event's detail says that the fold uses, as ranges of its `data`.
    private struct Scan {
        var fields: [(key: Token, value: Token)] = []
        /// The letter the detail issues, when `hasLetter` (cleared for each event: an optional set to
        /// `nil` copied the whole of its 150 bytes, and its members were unwrapped again in `take`).
        var letter = ScannedLetter()
        var hasLetter = false
        var content: Token?
        var contentParts: Token?
        var warnings: [String] = []
        var workflow: String?
        var definition: String?
    }

    private var strings = Interner()
    /// A detail's opening read strictly before: its bytes from the detail's start through the
    /// end of its last member (the article, the `by` where the store put it back and, when it
    /// follows, the definition), and what `read` took from them.
    private struct Opening {
        var bytes: [UInt8]
        var capacity: Range<Int>
        var definition: String? = nil
    }
    /// The openings read strictly before (stored once per article, official and definition, so
    /// met again and again), each under its number (`apply`'s `opening`): a detail that starts
    /// with the same bytes is read from where they end (`read`), found by that number and
    /// compared whole rather than hashed and looked up. A number with none kept has empty bytes
    /// (an opening read is never empty): an optional was copied, its bytes and its definition
    /// retained and released, each time it was looked at.
    private var openings: [Opening] = []
    /// Beyond this opening number openings are not kept (read strictly each time).
    private static let openingLimit = 1 << 16
    private var scan = Scan()
    /// A detail put back together from its rest and its opening (`apply`'s `openingBody`), a
    /// buffer reused from event to event.
    private var joined: [UInt8] = []
    /// The tokens' bytes: a buffer reused from request to request, never shrunk, each token
    /// copied to its place (`copy`) rather than appended.
    private var arena = ByteRun()
    /// Where `writeCanonical` writes the state before it appends it whole to its output.
    private var scratch = ByteRun()
    /// The request being folded as its column stores it: copied into place at its first event (an
    /// array emptied and appended to cost about 180 instructions a request).
    private var requestBytes = ByteRun()
    private var request = RequestID("")
    private var workflow = WorkflowID(""), definition = DefinitionHash("")
    private var state = ""
    /// The state's number in the scan (`Interner`).
    private var stateID = 0
    private var version = 0
    private var since: Int64 = 0, updated: Int64 = 0
    private var remindedFor: Int64?, ended: Int64?
    /// In key order: the names' bytes as stored, between their quotes (`take`).
    private var fields: [Field] = []
    /// Who took which action, in order, as the action's and the actor's numbers in the scan
    /// (`Interner`): copied, compared and sorted without a `String`'s retain and release.
    private typealias Participant = (action: Int, actor: Int)
    private var participants: [Participant] = []
    /// The action and state met last at each version (from 1), the first 64: what `apply` tries first.
    private var metAt = [(action: Int, state: Int)](repeating: (-1, -1), count: 64)
    /// The actions taken, once each in key order, as the index of each one's first entry in
    /// `participants`: written by `writeCanonical` before the participants.
    private var actionOrder: [Int] = []
    /// Actions taken in turn (their numbers in the scan, all kept) and the `actionOrder` sorted
    /// for them: a request that took the same actions in the same order (most of a procedure's
    /// requests do) takes that order again rather than sorting (`sortActions`).
    private var sortedActions: [(actions: [Int], order: [Int])] = []
    /// How many runs of actions `sortedActions` keeps; beyond it a new one replaces the oldest
    /// (`sortedActionsNext`).
    private static let sortedActionsLimit = 8
    private var sortedActionsNext = 0
    /// For each kept action by its number, 1 when it is one the engine takes itself, -1 when it is
    /// not, 0 when not yet asked (`isTimerAction`).
    private var timerActionKnown: [Int8] = []
    private var letters: [Letter] = []
    private var warnings: [String] = []

    /// The range in the last event's `data` of its letter's content as stored, `nil` when it
    /// issued none: the bytes the letter's seal covers. (An event given with its opening apart,
    /// `apply`'s `openingBody`, may have been read from the fold's own bytes: audit, which checks
    /// the seals, gives every detail whole.)
    public private(set) var letterContent: Range<Int>?

    public init() {}

    /// The letter the last event issued with content, as its event stores it (its content left
    /// out: `letterContent` says where it stands), lent to `body` as its stored bytes
    /// (`StoredLetter`, no `String` built): what its seal is checked with. Its parts' hashes are
    /// the last event's `data`'s; `nil` when that event issued no letter with content.
    /// - Throws: when the parts' hashes are not a list of strings, before `body` is called.
    public func withStoredLetter<Result>(in data: UnsafeRawBufferPointer, _ body: (StoredLetter) -> Result) throws(EventFormatError) -> Result? {
        guard letterContent != nil, let letter = letters.last, letter.version == version else { return nil }
        var parts = UnsafeRawBufferPointer(start: nil, count: 0)
        if let token = scan.contentParts {
            do {
                try JSONReader.read(UnsafeBufferPointer(rebasing: data.assumingMemoryBound(to: UInt8.self)[token])) { (reader) throws(JSONSyntaxError) in
                    try reader.skipStrings()
                }
            } catch {
                throw EventFormatError(message: "event data has a letter whose content_parts is not a list of hashes: \(error)")
            }
            parts = UnsafeRawBufferPointer(rebasing: data[token])
        }
        return arena.bytes.withUnsafeBytes { arena in
            body(StoredLetter(number: UnsafeRawBufferPointer(rebasing: arena[letter.number]), register: UnsafeRawBufferPointer(rebasing: arena[letter.register]),
                              sequence: letter.sequence, numbering: letter.numbering,
                              contentHash: letter.contentHash.map { UnsafeRawBufferPointer(rebasing: arena[$0]) }, parts: parts))
        }
    }

    /// The folded state's definition and the members a projection keeps in its columns.
    public var definitionHash: DefinitionHash { definition }
    public var columns: (workflow: WorkflowID, state: String, version: Int, updated: Timestamp) {
        (workflow, state, version, Timestamp(milliseconds: updated))
    }

    /// Whether no event has been folded since the last `reset()`.
    public var isEmpty: Bool { version == 0 }

    /// Forgets the request folded so far; what was interned is kept for the next one.
    public mutating func reset() {
        version = 0
        arena.count = 0
        // Lists a request may leave empty (its letters; most requests: its warnings, its unkept strings) checked
        // first: emptying an empty one still calls the generic `replaceSubrange` (about 70 instructions).
        fields.removeAll(keepingCapacity: true)
        participants.removeAll(keepingCapacity: true)
        strings.forgetUnkept()
        if !letters.isEmpty { letters.removeAll(keepingCapacity: true) }
        if !warnings.isEmpty { warnings.removeAll(keepingCapacity: true) }
        remindedFor = nil
        ended = nil
        letterContent = nil
    }

    /// Whether `bytes` (a stored `request` column) names the request being folded.
    public func isFolding(request bytes: UnsafeRawBufferPointer) -> Bool {
        !isEmpty && requestBytes.bytes.withUnsafeBytes { Self.equal(UnsafeRawBufferPointer(rebasing: $0[..<requestBytes.count]), bytes) }
    }

    /// Folds the next event of the request, given as its stored columns.
    /// - Parameters:
    ///   - by: where the detail's `by` stands in `data` when it was stored apart in an opening
    ///     (the same bytes for every event that cites it).
    ///   - opening: the number of that opening in the scan (`StoredEventBytes.opening`): where
    ///     the opening read before is kept, to compare with; it is read strictly the first time
    ///     only. A fold folds the events of one scan, in which a number names one opening.
    ///   - openingBody: when given, `data` is the detail's rest as stored and this the body of
    ///     its opening (number `opening`), not put back together (`Event.Detail.join`): the
    ///     first time the fold meets the number it puts them together and reads them as a
    ///     detail, strictly; after that it trusts the number and reads the rest alone. A rest
    ///     that is not read without error is put together with its opening and read again, so
    ///     that what is refused is refused with the same message.
    /// - Throws: `EventFormatError` when `data` is not what lintas writes, `ReplayError` when
    ///   the event cannot follow the events folded before it, as `evolve` does.
    public mutating func apply(request requestColumn: UnsafeRawBufferPointer, version eventVersion: Int, action actionColumn: UnsafeRawBufferPointer,
                               state stateColumn: UnsafeRawBufferPointer, actor actorColumn: UnsafeRawBufferPointer, at: Int64,
                               data: UnsafeRawBufferPointer, by: Range<Int>? = nil, opening: Int? = nil, openingBody: UnsafeRawBufferPointer? = nil) throws {
        /// The event merged with its detail as read (`data`, or the detail put back together).
        func merged(_ detail: UnsafeRawBufferPointer) throws {
            try merge(request: requestColumn, version: eventVersion, action: actionColumn, state: stateColumn, actor: actorColumn, at: at, data: detail)
        }
        guard let openingBody, let opening else {
            try read(data, by: by, opening: opening)
            return try merged(data)
        }
        // The opening kept under this number is the body's bytes up to its closing brace when its count is theirs (it was
        // read from this body put together with a rest, in this scan): what follows it in every detail that cites it is the rest.
        if opening >= 0, opening < openings.count, !openings[opening].bytes.isEmpty, openings[opening].bytes.count == openingBody.count - 1,
           (try? read(data, by: nil, opening: opening, rest: true)) != nil {
            return try merged(data)
        }
        // The buffer taken out of the fold while the fold reads from it.
        var joined = self.joined
        self.joined = []
        defer { self.joined = joined }
        guard let count = Event.Detail.join(rest: data, opening: openingBody, into: &joined) else {
            try read(data, by: nil, opening: nil)
            return try merged(data)
        }
        try joined.withUnsafeBytes { bytes in
            let detail = UnsafeRawBufferPointer(rebasing: bytes[..<count])
            try read(detail, by: by, opening: opening)
            try merged(detail)
        }
    }

    /// `apply` after the detail was read into `scan`: the event merged into the state.
    private mutating func merge(request requestColumn: UnsafeRawBufferPointer, version eventVersion: Int, action actionColumn: UnsafeRawBufferPointer,
                                state stateColumn: UnsafeRawBufferPointer, actor actorColumn: UnsafeRawBufferPointer, at: Int64,
                                data: UnsafeRawBufferPointer) throws {
        // The action and state the last request took at this version, tried first (most requests of a procedure take the same steps).
        let place = eventVersion - 1
        let guessed = place >= 0 && place < metAt.count ? metAt[place] : (action: -1, state: -1)
        let action = strings.intern(actionColumn, guess: guessed.action)
        let eventState = strings.intern(stateColumn, guess: guessed.state)
        if place >= 0 && place < metAt.count { metAt[place] = (action, eventState) }
        let actor = strings.intern(actorColumn)
        guard !isEmpty else {
            let opened = RequestID(String(decoding: requestColumn, as: UTF8.self))
            guard eventVersion == 1, let workflow = scan.workflow, let definition = scan.definition else {
                throw ReplayError(request: opened, version: eventVersion,
                                  message: "the first event of a request must have version 1 and name its workflow and definition")
            }
            requestBytes.count = 0
            requestBytes.put(requestColumn)
            request = opened
            self.workflow = WorkflowID(workflow)
            self.definition = DefinitionHash(definition)
            stateID = eventState
            state = strings.string(eventState)
            version = 1
            since = at
            updated = at
            take(data, action: action, actor: actor)
            return
        }
        guard isFolding(request: requestColumn), eventVersion == version + 1 else {
            throw ReplayError(request: RequestID(String(decoding: requestColumn, as: UTF8.self)), version: eventVersion,
                              message: "follows version \(version) of request \(request)")
        }
        if !strings.same(eventState, stateID) {
            since = at
            stateID = eventState
            state = strings.string(eventState)
        }
        version = eventVersion
        updated = at
        if isTimerAction(action, actionColumn) {
            // The engine's own events: no person's step, no fields of the request.
            if Self.equal(actionColumn, Self.ended) { ended = at } else { remindedFor = since }
            return
        }
        take(data, action: action, actor: actor)
    }

    /// Merges what the scanned event says into the state: fields (a later value replaces an
    /// earlier one), who acted, the letter, the warnings.
    private mutating func take(_ data: UnsafeRawBufferPointer, action: Int, actor: Int) {
        for (key, value) in scan.fields {
            let keyBytes = UnsafeRawBufferPointer(rebasing: data[key])
            // The member copied as one run when it is stored as one (canonical JSON: no space around the colon).
            let member: Token
            if value.lowerBound == key.upperBound + 1 {
                member = copy(data, key.lowerBound..<value.upperBound)
            } else {
                let start = copy(data, key).lowerBound
                _ = withUnsafeBytes(of: UInt8(ascii: ":")) { copy($0) }
                member = start..<copy(data, value).upperBound
            }
            // Kept in key order (as `writeCanonical` writes them): found from the end, where a
            // detail's fields, themselves in key order, go one after the other.
            let name = UnsafeRawBufferPointer(rebasing: keyBytes.dropFirst().dropLast())
            var position = fields.count
            var replaces = false
            arena.bytes.withUnsafeBytes { arena in
                while position > 0 {
                    let key = fields[position &- 1].key
                    // The name between its quotes, from the arena's start (a slice of it checked its bounds, about 11
                    // instructions a name): a kept key's token, its quotes and the name, lies within the arena.
                    let other = UnsafeRawBufferPointer(start: arena.baseAddress! + (key.lowerBound &+ 1), count: key.count &- 2)
                    if !JSONWriter.precedes(name, other) {
                        replaces = !JSONWriter.precedes(other, name)
                        break
                    }
                    position -= 1
                }
            }
            let stored = Field(member: member, keyCount: key.count)
            if replaces {
                fields[position - 1] = stored
            } else if position == fields.count {
                fields.append(stored)
            } else {
                fields.insert(stored, at: position)
            }
        }
        participants.append((action, actor))
        if scan.hasLetter {
            let letter = scan.letter
            let (type, label, number, register) = (letter.type, letter.label, letter.number, letter.register)
            // The strings outside the content copied in one piece, from the first to the last as the
            // event stores them (whatever lies between: the list of the parts' hashes), not one by one.
            let hash = letter.contentHash
            // Two at a time: `min` of more than two takes the rest as an array, allocated.
            let first = min(min(min(type.lowerBound, label.lowerBound), min(number.lowerBound, register.lowerBound)), hash?.lowerBound ?? Int.max)
            let end = max(max(max(type.upperBound, label.upperBound), max(number.upperBound, register.upperBound)), hash?.upperBound ?? 0)
            let by = copy(data, first..<end).lowerBound - first
            letters.append(Letter(type: type.shifted(by), label: label.shifted(by), number: number.shifted(by), register: register.shifted(by),
                                  sequence: Int(letter.sequence), numbering: letter.numbering, date: letter.date.map { copy(data, $0) },
                                  contentHash: hash?.shifted(by), version: version))
        }
        // Appending an empty list still costs a call into the runtime (about 145 instructions an event).
        if !scan.warnings.isEmpty { warnings += scan.warnings }
    }

    private mutating func copy(_ data: UnsafeRawBufferPointer, _ range: Range<Int>) -> Token {
        copy(UnsafeRawBufferPointer(rebasing: data[range]))
    }

    private mutating func copy(_ bytes: UnsafeRawBufferPointer) -> Token {
        let start = arena.count
        arena.put(bytes)
        return start..<arena.count
    }

    // MARK: Reading an event's detail

    /// Scans the `data` column into `scan`, as strictly as `Event.Detail(bytes:)` except inside
    /// a letter's content, which is read past by its brackets, and an opening (under the number
    /// `opening`) that is byte for byte one read strictly before (in a detail read without
    /// error), which is stepped over. With `rest`, `data` is the rest of a detail whose opening
    /// is the one kept under `opening` (`apply`'s `openingBody`).
    private mutating func read(_ data: UnsafeRawBufferPointer, by byRange: Range<Int>?, opening: Int?, rest: Bool = false) throws(EventFormatError) {
        scan.fields.removeAll(keepingCapacity: true)
        scan.hasLetter = false
        scan.content = nil
        scan.contentParts = nil
        // An empty list's `removeAll` still makes a buffer.
        if !scan.warnings.isEmpty { scan.warnings.removeAll(keepingCapacity: true) }
        scan.workflow = nil
        scan.definition = nil
        letterContent = nil
        var hasArticle = false, hasFields = false, by = 0
        var capacity: Range<Int>?
        let buffer = data.assumingMemoryBound(to: UInt8.self)
        /// The members read so far, and where the opening read here ends: set when the detail
        /// opens with the article and then `by` where the store put it back, moved past the
        /// definition when it follows.
        var members = 0
        var openingEnd: Int?
        var openingDefinition: String?
        // How many bytes the opening read before under its number takes, if the detail starts
        // with it: compared where the list holds it (a copy of the `Opening` retained and
        // released its bytes and its definition for every event).
        var resumption = JSONReader.Resumption.start
        if let opening, opening >= 0, opening < openings.count, !openings[opening].bytes.isEmpty,
           rest || openings[opening].bytes.withUnsafeBytes({ $0.count < data.count && Self.equal($0, UnsafeRawBufferPointer(rebasing: data[..<$0.count])) }) {
            resumption = rest ? .rest : .after(openings[opening].bytes.count)
            hasArticle = true
            by = 31
            capacity = openings[opening].capacity
            // Only a request's first event takes its definition (`merge`): for any other, a `String` retained and released.
            if isEmpty { scan.definition = openings[opening].definition }
        }
        do {
            try JSONReader.read(buffer) { (reader) throws(JSONSyntaxError) in
                try reader.members(bytes: { (reader, key) throws(JSONSyntaxError) in
                    defer { members += 1 }
                    if Self.equal(key, "article") {
                        _ = try reader.stringRange()
                        hasArticle = true
                    } else if Self.equal(key, "by") {
                        let start = reader.position
                        try reader.members(bytes: { (reader, key) throws(JSONSyntaxError) in
                            let bit = Self.equal(key, "role") ? 1 : Self.equal(key, "name") ? 2 : Self.equal(key, "title") ? 4
                                : Self.equal(key, "capacity") ? 8 : Self.equal(key, "position") ? 16 : 0
                            guard bit != 0 else { return try reader.skip() }
                            let token = try reader.stringRange()
                            if bit == 8 { capacity = token }
                            by |= bit
                        })
                        if members == 1 && hasArticle && byRange == start..<reader.position { openingEnd = reader.position }
                    } else if Self.equal(key, "fields") {
                        guard reader.isAtObject else { throw reader.expected("an object") }
                        try reader.members(bytes: { [buffer] (reader, key) throws(JSONSyntaxError) in
                            let start = key.baseAddress! - buffer.baseAddress! - 1
                            scan.fields.append((start..<(start + key.count + 2), try reader.rawRange()))
                        })
                        hasFields = true
                    } else if Self.equal(key, "letter") {
                        try readLetter(&reader)
                    } else if Self.equal(key, "warnings") {
                        scan.warnings = try reader.strings()
                    } else if Self.equal(key, "workflow") {
                        scan.workflow = try reader.string()
                    } else if Self.equal(key, "definition") {
                        scan.definition = try reader.string()
                        if members == 2 && openingEnd != nil {
                            openingEnd = reader.position
                            openingDefinition = scan.definition
                        }
                    } else {
                        try reader.skip()
                    }
                }, resuming: resumption)
            }
        } catch {
            throw EventFormatError(message: "event data is not what lintas writes: \(error)")
        }
        guard hasArticle, by == 31, hasFields, let capacity else { throw EventFormatError(message: "event data lacks article, by or fields") }
        guard case .start = resumption else { return }
        // Each capacity as lintas writes it, compared as bytes; any other spelling is read as a string.
        let written = UnsafeRawBufferPointer(rebasing: data[capacity])
        if !(Self.equal(written, Self.definitive) || Self.equal(written, Self.plt) || Self.equal(written, Self.plh)) {
            let name = try? JSONReader.read(UnsafeBufferPointer(rebasing: buffer[capacity])) { (reader) throws(JSONSyntaxError) in try reader.string() }
            guard let name, Capacity(rawValue: name) != nil else { throw EventFormatError(message: "event data has an unknown capacity \"\(name ?? "")\"") }
        }
        if let openingEnd, let opening, opening >= 0, opening < Self.openingLimit {
            if openings.count <= opening { openings.append(contentsOf: repeatElement(Opening(bytes: [], capacity: 0..<0), count: opening + 1 - openings.count)) }
            openings[opening] = Opening(bytes: Array(data[..<openingEnd]), capacity: capacity, definition: openingDefinition)
        }
    }

    /// The engine's own actions (`Timers.actions`) as stored: compared as bytes, not hashed as strings.
    private static let timerActions = Timers.actions.map { Array($0.utf8) }

    /// Whether `bytes`, the action numbered `action` in the scan (`Interner`), is one the engine
    /// takes itself (`timerActions`): compared once for each kept action, its answer kept under
    /// its number (a static's lazy start checked, and each of its names retained, released and
    /// compared, at every event before).
    private mutating func isTimerAction(_ action: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        if action >= 0 && action < timerActionKnown.count && timerActionKnown[action] != 0 { return timerActionKnown[action] > 0 }
        let timer = Self.timerActions.contains { Self.equal(bytes, $0) }
        guard action >= 0 else { return timer }
        if timerActionKnown.count <= action { timerActionKnown.append(contentsOf: repeatElement(0, count: action + 1 - timerActionKnown.count)) }
        timerActionKnown[action] = timer ? 1 : -1
        return timer
    }
    private static let ended = Array(Timers.ended.utf8)

    /// The capacities as written in canonical JSON, quotes included (`Capacity`).
    private static let definitive = Array("\"\(Capacity.definitive.rawValue)\"".utf8)
    private static let plt = Array("\"\(Capacity.plt.rawValue)\"".utf8)
    private static let plh = Array("\"\(Capacity.plh.rawValue)\"".utf8)

    private mutating func readLetter(_ reader: inout JSONReader) throws(JSONSyntaxError) {
        if readWrittenLetter(&reader) { return }
        var letter: (type: Token?, label: Token?, number: Token?, register: Token?, sequence: Int64?, numbering: LetterRecord.Numbering, date: Token?, contentHash: Token?)
            = (nil, nil, nil, nil, nil, .register, nil, nil)
        try reader.members(bytes: { (reader, key) throws(JSONSyntaxError) in
            // Each name a letter has, told apart by its length (and its last byte where two share
            // one) and then compared once: a chain of comparisons tried up to eight names a member.
            switch (key.count, key.last) {
            case (7, _) where Self.equal(key, "content"):
                guard reader.isAtObject else { return try reader.skip() }
                // As lintas writes it, in one scan; otherwise member by member, which takes or refuses it as before.
                if let (content, date) = reader.matchedObject(keeping: "date") {
                    if let date { letter.date = date }
                    scan.content = content
                    return
                }
                let start = reader.position
                try reader.members(matching: { (reader, key) throws(JSONSyntaxError) in
                    if Self.equal(key, "date") {
                        // A string (as lintas writes a date) read past in place, as strictly as any other value.
                        if reader.position < reader.bytes.count && reader.bytes[reader.position] == UInt8(ascii: "\"") {
                            letter.date = try reader.stringRange()
                        } else {
                            _ = try reader.rawRange()
                        }
                    } else {
                        _ = try reader.skipMatching()
                    }
                })
                scan.content = start..<reader.position
            case (13, _) where Self.equal(key, "content_parts"):
                // The hashes of the parts stored apart (schema 7): kept where they stand, read only by audit.
                guard reader.position < reader.bytes.count, reader.bytes[reader.position] == UInt8(ascii: "[") else { throw reader.expected("a list of hashes") }
                scan.contentParts = try reader.stringListRange()
            case (12, _) where Self.equal(key, "content_hash"): letter.contentHash = try reader.stringRange()
            case (4, _) where Self.equal(key, "type"): letter.type = try reader.stringRange()
            case (5, _) where Self.equal(key, "label"): letter.label = try reader.stringRange()
            case (6, _) where Self.equal(key, "number"): letter.number = try reader.stringRange()
            case (8, UInt8(ascii: "r")) where Self.equal(key, "register"): letter.register = try reader.stringRange()
            case (8, UInt8(ascii: "e")) where Self.equal(key, "sequence"): letter.sequence = try reader.int()
            case (9, _) where Self.equal(key, "numbering"): letter.numbering = LetterRecord.Numbering(rawValue: try reader.string()) ?? .register
            default: try reader.skip()
            }
        })
        guard let type = letter.type, let label = letter.label, let number = letter.number, let register = letter.register, let sequence = letter.sequence else {
            throw reader.expected("a letter with type, label, number, register and sequence")
        }
        scan.letter = ScannedLetter(type: type, label: label, number: number, register: register, sequence: sequence, numbering: letter.numbering,
                                    date: letter.date, contentHash: letter.contentHash)
        scan.hasLetter = true
        letterContent = scan.content
    }

    /// `readLetter` for a letter as lintas writes it (`Letter.write`): its members in their order
    /// without whitespace, each found by comparing its name's bytes with the name it must have
    /// there (`JSONReader.follows`), not read as a string and told apart from the others; each
    /// value read as `readLetter` reads it. For any other letter, or a value refused, `false`,
    /// nothing read and `scan` as it was: `readLetter` reads the letter member by member, and
    /// takes or refuses it as before. (Reading each name and telling it apart was most of a
    /// letter's cost outside its content.)
    private mutating func readWrittenLetter(_ reader: inout JSONReader) -> Bool {
        // Read by a copy: the reader moves only when the whole letter is read.
        var letter = ScannedLetter(), copy = reader
        var content: Token?, parts: Token?
        do {
            var punctuation = UInt8(ascii: "{")
            if copy.follows(punctuation, "\"content\":") {
                guard let (object, date) = copy.matchedObject(keeping: "date") else { return false }
                (content, letter.date, punctuation) = (object, date, UInt8(ascii: ","))
            }
            if copy.follows(punctuation, "\"content_hash\":") {
                letter.contentHash = try copy.hashRange()
                punctuation = UInt8(ascii: ",")
            }
            if copy.follows(punctuation, "\"content_parts\":") {
                guard copy.position < copy.bytes.count, copy.bytes[copy.position] == UInt8(ascii: "[") else { return false }
                parts = try copy.stringListRange()
                punctuation = UInt8(ascii: ",")
            }
            guard copy.follows(punctuation, "\"label\":") else { return false }
            letter.label = try copy.stringRange()
            guard copy.follows(UInt8(ascii: ","), "\"number\":") else { return false }
            letter.number = try copy.stringRange()
            if copy.follows(UInt8(ascii: ","), "\"numbering\":") { letter.numbering = LetterRecord.Numbering(rawValue: try copy.string()) ?? .register }
            guard copy.follows(UInt8(ascii: ","), "\"register\":") else { return false }
            letter.register = try copy.stringRange()
            guard copy.follows(UInt8(ascii: ","), "\"sequence\":") else { return false }
            letter.sequence = try copy.int()
            guard copy.follows(UInt8(ascii: ","), "\"type\":") else { return false }
            letter.type = try copy.stringRange()
            guard copy.follows(UInt8(ascii: "}"), "") else { return false }
        } catch {
            return false
        }
        reader = copy
        // As `readLetter` sets them: the content and the parts only when the letter has them.
        if let content { scan.content = content }
        if let parts { scan.contentParts = parts }
        scan.letter = letter
        scan.hasLetter = true
        letterContent = scan.content
        return true
    }

    // MARK: The folded state

    /// One field's value as `result()` would hold it in `fields`, without building the state;
    /// `nil` when the request has no such field.
    public func field(_ name: String) throws(EventFormatError) -> JSONValue? {
        try fieldValue(name).map { (token) throws(EventFormatError) in try value(token) }
    }

    /// What `body` makes of one field's value as its event holds it (JSON, read as strictly as
    /// `JSONReader.skip()` reads a value), without a tree of it; `nil` when the request has no
    /// such field.
    public func withField<Result>(_ name: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) throws(EventFormatError) -> Result? {
        guard let token = try fieldValue(name) else { return nil }
        return arena.bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[token])) }
    }

    /// Where the value of the field `name` stands in the arena.
    private func fieldValue(_ name: String) throws(EventFormatError) -> Token? {
        for field in fields {
            // A name without escapes compared as bytes, without a `String` per field.
            let inner = arena.bytes[(field.key.lowerBound + 1)..<(field.key.upperBound - 1)]
            let same = inner.contains(UInt8(ascii: "\\")) ? try string(field.key) == name : name.utf8.count == inner.count && name.utf8.elementsEqual(inner)
            if same { return field.value }
        }
        return nil
    }

    /// The state folded so far, `nil` before the first event.
    public func result() throws(EventFormatError) -> RequestState? {
        guard !isEmpty else { return nil }
        var fieldValues = [String: JSONValue](minimumCapacity: fields.count)
        for field in fields { fieldValues[try string(field.key)] = try value(field.value) }
        var people: [String: [NIP]] = [:]
        for (action, actor) in participants { people[strings.string(action), default: []].append(NIP(strings.string(actor))) }
        var references: [LetterReference] = []
        for letter in letters {
            references.append(LetterReference(type: try string(letter.type), label: try string(letter.label), number: try string(letter.number),
                                              register: try string(letter.register), sequence: letter.sequence, numbering: letter.numbering,
                                              date: try letter.date.map { (token) throws(EventFormatError) in try string(token) },
                                              contentHash: try letter.contentHash.map { (token) throws(EventFormatError) in try string(token) },
                                              version: letter.version))
        }
        return RequestState(request: request, workflow: workflow, definition: definition, state: state, version: version,
                            since: Timestamp(milliseconds: since), updated: Timestamp(milliseconds: updated), fields: fieldValues,
                            participants: people, letterList: .values(references), warnings: warnings,
                            remindedFor: remindedFor.map(Timestamp.init), ended: ended.map(Timestamp.init))
    }

    private func value(_ token: Token) throws(EventFormatError) -> JSONValue {
        if let text = plainString(token) { return .string(text) }
        do {
            return try arena.bytes.withUnsafeBufferPointer { buffer in
                Result { () throws(JSONSyntaxError) in try JSONValue.parse(UnsafeBufferPointer(rebasing: buffer[token])) }
            }.get()
        } catch {
            throw EventFormatError(message: "event data is not what lintas writes: \(error)")
        }
    }

    private func string(_ token: Token) throws(EventFormatError) -> String {
        if let text = plainString(token) { return text }
        guard case .string(let text) = try value(token) else { throw EventFormatError(message: "event data is not what lintas writes: expected a string") }
        return text
    }

    /// The text of a string token without escapes, its bytes between the quotes: the token was
    /// read strictly when its event was scanned (valid UTF-8, no control character), so only a
    /// backslash needs the parser. `nil` for any other token.
    private func plainString(_ token: Token) -> String? {
        arena.bytes.withUnsafeBufferPointer { arena -> String? in
            guard token.count >= 2, arena[token.lowerBound] == UInt8(ascii: "\""), arena[token.upperBound - 1] == UInt8(ascii: "\"") else { return nil }
            let inner = UnsafeBufferPointer(rebasing: arena[(token.lowerBound + 1)..<(token.upperBound - 1)])
            guard !inner.contains(UInt8(ascii: "\\")) else { return nil }
            return String(decoding: inner, as: UTF8.self)
        }
    }

    /// Appends the folded state's canonical bytes, as `RequestState.canonicalBytes` writes
    /// them: each field's value and each letter's strings copied as stored (the event's data
    /// is canonical JSON, so they already are in canonical form), the fields put in key order.
    /// Equal to `result()?.canonicalBytes` when the events are as lintas wrote them; `audit`
    /// compares with the stored projection and, on a difference, with `result()` before it
    /// reports one.
    public mutating func writeCanonical(into output: inout [UInt8]) {
        guard !isEmpty else { return }
        sortActions()
        // Static writers over the arena's bytes: a method passed as the writer would copy the
        // whole fold (and retain each of its arrays) for each of the three.
        let (fields, letters, participants, actionOrder, strings) = (self.fields, self.letters, self.participants, self.actionOrder, self.strings)
        // Written into the scratch run, piece by piece, and appended whole.
        var run = ByteRun()
        swap(&run, &scratch)
        defer { swap(&run, &scratch) }
        run.count = 0
        arena.bytes.withUnsafeBufferPointer { arena in
            RequestState.writeCanonical(definition: definition.rawValue, ended: ended, remindedFor: remindedFor, request: request.rawValue, since: since,
                                        state: state, updated: updated, version: version, warnings: warnings, workflow: workflow.rawValue, into: &run,
                                        fields: { Self.writeFields(fields, arena: arena, into: &$0) },
                                        letters: { Self.writeLetters(letters, arena: arena, into: &$0) },
                                        participants: { Self.writeParticipants(participants, actions: actionOrder, strings: strings, into: &$0) })
        }
        run.bytes.withUnsafeBufferPointer { output.append(contentsOf: UnsafeBufferPointer(rebasing: $0[..<run.count])) }
    }

    /// Each letter as `LetterReference.write` writes it, each key with its punctuation one run
    /// (`{"key":` or `,"key":`) and each string its token; into room made once a letter.
    private static func writeLetters(_ letters: [Letter], arena: UnsafeBufferPointer<UInt8>, into output: inout ByteRun) {
        let arena = UnsafeRawBufferPointer(arena)
        for (index, letter) in letters.enumerated() {
            let tokens = letter.type.count + letter.label.count + letter.number.count + letter.register.count
                + (letter.date?.count ?? 0) + (letter.contentHash?.count ?? 0)
            // The tokens, the keys with their punctuation (under 128 bytes), two integers of at most 20 bytes each.
            output.write(atMost: tokens + 128 + 40) { output in
                func put(_ token: Token) { output.put(UnsafeRawBufferPointer(rebasing: arena[token])) }
                if index > 0 { output.put(UInt8(ascii: ",")) }
                var first = true
                if let contentHash = letter.contentHash {
                    output.put("{\"content_hash\":")
                    put(contentHash)
                    first = false
                }
                if let date = letter.date {
                    output.put(first ? "{\"date\":" : ",\"date\":")
                    put(date)
                    first = false
                }
                output.put(first ? "{\"label\":" : ",\"label\":")
                put(letter.label)
                output.put(",\"number\":")
                put(letter.number)
                switch letter.numbering {
                case .register: break
                case .external: output.put(",\"numbering\":\"external\"")
                case .none: output.put(",\"numbering\":\"none\"")
                }
                output.put(",\"register\":")
                put(letter.register)
                output.put(",\"sequence\":")
                output.put(integer: Int64(letter.sequence))
                output.put(",\"type\":")
                put(letter.type)
                output.put(",\"version\":")
                output.put(integer: Int64(letter.version))
                output.put(UInt8(ascii: "}"))
            }
        }
    }

    /// The fields' members in key order, into room made once.
    private static func writeFields(_ fields: [Field], arena: UnsafeBufferPointer<UInt8>, into output: inout ByteRun) {
        let arena = UnsafeRawBufferPointer(arena)
        output.write(atMost: fields.reduce(2) { $0 + $1.member.count + 1 }) { output in
            output.put(UInt8(ascii: "{"))
            for (position, field) in fields.enumerated() {
                if position > 0 { output.put(UInt8(ascii: ",")) }
                output.put(UnsafeRawBufferPointer(rebasing: arena[field.member]))
            }
            output.put(UInt8(ascii: "}"))
        }
    }

    /// Puts each action taken once in `actionOrder`, in key order: as sorted before for the same
    /// actions in the same order (`sortedActions`), or sorted here.
    private mutating func sortActions() {
        let participants = self.participants
        for known in sortedActions where known.actions.count == participants.count
            && known.actions.indices.allSatisfy({ known.actions[$0] == participants[$0].action }) {
            actionOrder = known.order
            return
        }
        actionOrder = []
        for index in participants.indices {
            let action = participants[index].action
            if actionOrder.contains(where: { strings.same(participants[$0].action, action) }) { continue }
            var position = actionOrder.count
            while position > 0 && strings.precedes(action, participants[actionOrder[position - 1]].action) {
                position -= 1
            }
            actionOrder.insert(index, at: position)
        }
        // Numbers not kept (negative) name other strings in another request: such a run is not kept.
        guard participants.allSatisfy({ $0.action >= 0 }) else { return }
        let sorted = (participants.map(\.action), actionOrder)
        if sortedActions.count < Self.sortedActionsLimit { sortedActions.append(sorted) } else { sortedActions[sortedActionsNext] = sorted }
        sortedActionsNext = (sortedActionsNext + 1) % Self.sortedActionsLimit
    }

    private static func writeParticipants(_ participants: [Participant], actions actionOrder: [Int], strings: Interner,
                                          into output: inout ByteRun) {
        strings.run.bytes.withUnsafeBytes { run in
            // Each as `JSONWriter.writeString` writes it: the interned string's quoted bytes when it needs no escape.
            func write(_ id: Int) {
                if let quoted = strings.quoted(id) {
                    output.put(UnsafeRawBufferPointer(rebasing: run[quoted]))
                } else {
                    var escaped: [UInt8] = []
                    JSONWriter.writeString(strings.string(id), into: &escaped)
                    escaped.withUnsafeBytes { output.put($0) }
                }
            }
            for (position, first) in actionOrder.enumerated() {
                if position > 0 { output.put(UInt8(ascii: ",")) }
                let action = participants[first].action
                write(action)
                output.put(":[")
                for index in first..<participants.count where strings.same(participants[index].action, action) {
                    if index > first { output.put(UInt8(ascii: ",")) }
                    write(participants[index].actor)
                }
                output.put(UInt8(ascii: "]"))
            }
        }
    }

    // MARK: Bytes

    /// A stored column against bytes kept in an array.
    fileprivate static func equal(_ left: UnsafeRawBufferPointer, _ right: [UInt8]) -> Bool {
        right.withUnsafeBytes { equal(left, $0) }
    }

    /// Byte for byte: thirty-two at a time (four words, their differences or-ed together, one
    /// branch a run: an opening of about 260 bytes took about 420 instructions a word at a time),
    /// then eight, the last word read where it ends (overlapping bytes compared already).
    fileprivate static func equal(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Bool {
        let count = left.count
        guard count == right.count else { return false }
        guard count >= 8, let leftStart = left.baseAddress, let rightStart = right.baseAddress else {
            var offset = 0
            while offset < count {
                if left[offset] != right[offset] { return false }
                offset &+= 1
            }
            return true
        }
        func word(_ start: UnsafeRawPointer, _ offset: Int) -> UInt64 { start.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }
        var offset = 0
        while offset &+ 32 <= count {
            let differ = (word(leftStart, offset) ^ word(rightStart, offset)) | (word(leftStart, offset &+ 8) ^ word(rightStart, offset &+ 8))
                | (word(leftStart, offset &+ 16) ^ word(rightStart, offset &+ 16)) | (word(leftStart, offset &+ 24) ^ word(rightStart, offset &+ 24))
            if differ != 0 { return false }
            offset &+= 32
        }
        while offset &+ 8 <= count {
            if word(leftStart, offset) != word(rightStart, offset) { return false }
            offset &+= 8
        }
        return word(leftStart, count &- 8) == word(rightStart, count &- 8)
    }

    private static func equal(_ key: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> Bool { JSONReader.equal(key, name) }
}

private extension Range<Int> {
    /// The same range `offset` further on.
    func shifted(_ offset: Int) -> Range<Int> { (lowerBound + offset)..<(upperBound + offset) }
}

/// One `String` per distinct byte sequence (an action, a state, an actor's NIP) in a scan, found
/// again by hashing the bytes: no allocation for a value seen before.
private struct Interner {
    private var slots = [Int32](repeating: -1, count: 256)
    /// Each kept value's `String`.
    private var strings: [String] = []
    /// Where each kept value's bytes stand in `run`, and its string as `JSONWriter.writeString`
    /// writes it when it needs no escape (`quoted`): ranges of one buffer, not an array each,
    /// which every lookup, sort and write would retain and release. With a quoted string, its
    /// first eight bytes read as a big-endian number, zeros after a shorter one (`prefix`):
    /// two strings whose prefixes differ sort as them (`precedes`).
    private var spans: [(bytes: Range<Int>, quoted: Range<Int>?, prefix: UInt64)] = []
    /// The bytes `spans` points into.
    private(set) var run = ByteRun()
    /// Beyond this many distinct values new ones are not kept (a scan of a huge directory's actors).
    private static let limit = 1 << 16
    /// The values met beyond `limit` since the last `forgetUnkept()`, numbered -1, -2, … in turn.
    private var unkept: [String] = []

    /// The number in this scan of the bytes' string (`string(_:)`): negative for one not kept,
    /// numbered anew each time it is met (`same(_:_:)` compares those by string).
    mutating func intern(_ bytes: UnsafeRawBufferPointer) -> Int {
        let (found, free) = lookUp(bytes)
        if let found { return found }
        let slot = free
        let string = String(decoding: bytes, as: UTF8.self)
        guard strings.count < Self.limit else {
            unkept.append(string)
            return -unkept.count
        }
        slots[slot] = Int32(strings.count)
        let start = run.count
        run.put(bytes)
        var text = string
        // Quoted from the string's UTF-8 (bytes that are not UTF-8 are repaired in it), when it needs no escape.
        var prefix: UInt64 = 0
        let quoted = text.withUTF8 { (utf8) -> Range<Int>? in
            guard !JSONWriter.needsEscape(utf8) else { return nil }
            for index in 0..<8 { prefix = prefix << 8 | UInt64(index < utf8.count ? utf8[index] : 0) }
            let from = run.count
            run.put(UInt8(ascii: "\""))
            run.put(UnsafeRawBufferPointer(utf8))
            run.put(UInt8(ascii: "\""))
            return from..<run.count
        }
        strings.append(string)
        spans.append((start..<(start + bytes.count), quoted, prefix))
        if strings.count * 2 > slots.count { grow() }
        return strings.count - 1
    }

    /// `intern`, trying the number `guess` first: when the bytes are its value, no hash and no probe.
    @inline(__always)
    mutating func intern(_ bytes: UnsafeRawBufferPointer, guess: Int) -> Int {
        if guess >= 0 && guess < spans.count
            && run.bytes.withUnsafeBytes({ RequestFold.equal(UnsafeRawBufferPointer(rebasing: $0[spans[guess].bytes]), bytes) }) {
            return guess
        }
        return intern(bytes)
    }

    /// The string numbered `id` (`intern`).
    func string(_ id: Int) -> String { id >= 0 ? strings[id] : unkept[-id - 1] }

    /// Forgets the values not kept (their numbers no longer name them): what one request met.
    mutating func forgetUnkept() {
        if !unkept.isEmpty { unkept.removeAll(keepingCapacity: true) }
    }

    /// Whether the strings numbered `left` and `right` are the same: by number when kept.
    @inline(__always)
    func same(_ left: Int, _ right: Int) -> Bool { left == right || (left < 0 && right < 0 && string(left) == string(right)) }

    /// Where the string numbered `id` stands in `run` as a JSON string, when it was kept and needs no escape.
    func quoted(_ id: Int) -> Range<Int>? { id >= 0 ? spans[id].quoted : nil }

    /// `JSONWriter.precedes` for the strings numbered `leftID` and `rightID`: when both are kept
    /// without escapes, by their prefixes, or their UTF-8 compared in place when those are equal.
    func precedes(_ leftID: Int, _ rightID: Int) -> Bool {
        guard leftID >= 0, rightID >= 0, let leftQuoted = spans[leftID].quoted, let rightQuoted = spans[rightID].quoted else {
            return JSONWriter.precedes(string(leftID), string(rightID))
        }
        let (left, right) = (spans[leftID].prefix, spans[rightID].prefix)
        if left != right { return left < right }
        return run.bytes.withUnsafeBytes { run in
            // Between the quotes: a closing quote must not sort against a byte of the other.
            JSONWriter.precedes(UnsafeRawBufferPointer(rebasing: run[(leftQuoted.lowerBound + 1)..<(leftQuoted.upperBound - 1)]),
                                 UnsafeRawBufferPointer(rebasing: run[(rightQuoted.lowerBound + 1)..<(rightQuoted.upperBound - 1)]))
        }
    }

    /// The entry of the bytes, or the free slot where they would go.
    private func lookUp(_ bytes: UnsafeRawBufferPointer) -> (found: Int?, free: Int) {
        let mask = slots.count - 1
        var slot = Self.hash(bytes) & mask
        return run.bytes.withUnsafeBytes { run in
            while slots[slot] >= 0 {
                let index = Int(slots[slot])
                if RequestFold.equal(UnsafeRawBufferPointer(rebasing: run[spans[index].bytes]), bytes) { return (index, slot) }
                slot = (slot + 1) & mask
            }
            return (nil, slot)
        }
    }

    /// Eight bytes at a time, each word mixed in by a multiply and a rotation. Of more than 64
    /// bytes (an official's `by` object) only the length and eight words spread over them: a
    /// lookup compares the bytes whole anyway, so values that differ only elsewhere cost a probe.
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> Int {
        var hash = UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15
        if bytes.count > 64 {
            let step = (bytes.count - 8) / 7
            for offset in stride(from: 0, through: 7 * step, by: step) {
                hash = (hash ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
                hash = hash << 29 | hash >> 35
            }
            return Int(truncatingIfNeeded: hash ^ (hash >> 32))
        }
        var offset = 0
        while offset + 8 <= bytes.count {
            hash = (hash ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            hash = hash << 29 | hash >> 35
            offset += 8
        }
        while offset < bytes.count {
            hash = (hash ^ UInt64(bytes[offset])) &* 0x100_0000_01b3
            offset += 1
        }
        return Int(truncatingIfNeeded: hash ^ (hash >> 32))
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        let bytes = run.bytes
        bytes.withUnsafeBytes { run in
            for (index, span) in spans.enumerated() {
                var slot = Self.hash(UnsafeRawBufferPointer(rebasing: run[span.bytes])) & mask
                while slots[slot] >= 0 { slot = (slot + 1) & mask }
                slots[slot] = Int32(index)
            }
        }
    }
}
