/// Where a request stands: everything folded from its events, and nothing else.
public struct RequestState: Sendable, Hashable {
    public var request: RequestID
    public var workflow: WorkflowID
    /// The definition the request was opened under; later edits of the file do not affect it.
    public var definition: DefinitionHash
    public var state: String
    public var version: Int
    /// When the current state was entered (the `at` of that event).
    public var since: Timestamp
    /// When the last step was taken.
    public var updated: Timestamp
    /// Every field given so far; a later step's value replaces an earlier one.
    public var fields: [String: JSONValue] {
        // Changed in place (the observer reads no old value): the bytes kept for them are no longer theirs.
        didSet { fieldsBytes = WrittenBytes() }
    }
    /// The canonical bytes of `fields` (the object, braces included) when the state keeps them:
    /// written as `evolve` and `apply` change the fields, and kept by every later step that
    /// gives none, so that each projection written from the state copies them rather than
    /// sorting and writing the fields again. Changing `fields` any other way drops them.
    var fieldsBytes = WrittenBytes()
    /// Who has taken each action, in order: for steps every nominee takes once. A state read
    /// from its stored bytes to be looked at keeps them as stored (checked) until they are asked
    /// for (`init(bytes:keepingParticipants:)`): the status of a request whose steps are not
    /// taken by each nominee never asks. So does one the daemon reads to take a step: `evolve`
    /// appends the step's person to them as they stand (`ParticipantList.append`). A state
    /// `evolve` starts keeps them as their canonical bytes from its first step (`ParticipantList.first`),
    /// so that no projection written from it sorts them; a step each nominee takes reads only its
    /// action's people from them (`ParticipantList.people`).
    public var participants: [String: [NIP]] {
        get { participantList.values }
        set { participantList = .values(newValue) }
        // Changed in place: no copy of the dictionary while the list still holds it.
        _modify {
            var values = participantList.values
            participantList = .values([:])
            defer { participantList = .values(values) }
            yield &values
        }
    }
    /// `participants`, as values or as stored.
    var participantList: ParticipantList
    /// The letters its steps issued, by reference: the content is in the issuing event only.
    /// A state read from its stored bytes keeps them as stored (checked) until they are asked for:
    /// whose turn it is, and a step that issues no letter, never ask.
    public var letters: [LetterReference] {
        get { letterList.values }
        set { letterList = .values(newValue) }
        // Changed in place, as `participants` is.
        _modify {
            var values = letterList.values
            letterList = .values([])
            defer { letterList = .values(values) }
            yield &values
        }
    }
    /// `letters`, as values or as stored.
    var letterList: LetterList
    public var warnings: [String]
    /// The `since` of the state whose deadline passed and was reminded of, so a reminder is
    /// recorded once per stay in a state.
    public var remindedFor: Timestamp? = nil
    /// When the assignment ended because its duration ran out.
    public var ended: Timestamp? = nil

    /// Still waiting in a state whose deadline passed: a reminder was recorded for this stay, and
    /// the assignment has not ended.
    public var isOverdue: Bool { remindedFor == since && ended == nil }
}

extension RequestState {
    /// A state from its parts, the participants as values (`evolve`, `RequestFold`).
    init(request: RequestID, workflow: WorkflowID, definition: DefinitionHash, state: String, version: Int, since: Timestamp, updated: Timestamp,
         fields: [String: JSONValue], participants: [String: [NIP]], letterList: LetterList, warnings: [String],
         remindedFor: Timestamp? = nil, ended: Timestamp? = nil) {
        self.init(request: request, workflow: workflow, definition: definition, state: state, version: version, since: since, updated: updated,
                  fields: fields, participantList: .values(participants), letterList: letterList, warnings: warnings,
                  remindedFor: remindedFor, ended: ended)
    }
}

/// Folding a log that cannot be folded: a first event without its workflow, a version out of order.
public struct ReplayError: Error, Sendable, CustomStringConvertible {
    public var request: RequestID
    public var version: Int
    public var message: String
    public var description: String { "request \(request), event version \(version): \(message)" }
}

extension RequestState {
    /// Folds one event into the state. Reads only the event.
    /// - Parameter state: the state before the event, `nil` before the first one.
    /// - Throws: `ReplayError` when the event cannot follow the state.
    public static func evolve(_ state: RequestState?, _ event: Event) throws(ReplayError) -> RequestState {
        guard var next = state else {
            guard event.version == 1, let workflow = event.detail.workflow, let definition = event.detail.definition else {
                throw ReplayError(request: event.request, version: event.version,
                                  message: "the first event of a request must have version 1 and name its workflow and definition")
            }
            var first = RequestState(
                request: event.request, workflow: workflow, definition: definition, state: event.state, version: 1,
                since: event.at, updated: event.at, fields: event.detail.fields, participants: [:],
                letterList: .values(event.detail.letter.map { [LetterReference($0, version: 1)] } ?? []), warnings: event.detail.warnings)
            // Kept as their canonical bytes, which every later step appends to in place and every projection copies.
            first.participantList = .first(event.actor, to: event.action)
            first.fieldsBytes = WrittenBytes(fields: first.fields)
            return first
        }
        try next.apply(event)
        return next
    }

    /// Folds one event into this state in place (`evolve` of a state there is): its fields,
    /// participants and letters changed where they stand, not copied, when nothing else holds them.
    /// - Throws: `ReplayError` when the event cannot follow the state, before anything is changed.
    public mutating func apply(_ event: Event) throws(ReplayError) {
        guard event.request == request, event.version == version + 1 else {
            throw ReplayError(request: event.request, version: event.version,
                              message: "follows version \(version) of request \(request)")
        }
        if event.state != state { since = event.at }
        state = event.state
        version = event.version
        updated = event.at
        if Timers.actions.contains(event.action) {
            // The engine's own events: no person's step, no fields of the request.
            if event.action == Timers.ended { ended = event.at } else { remindedFor = since }
            return
        }
        // A step that gives no field keeps the fields' bytes; one that does writes the fields it gives into them.
        if !event.detail.fields.isEmpty {
            let merged = fieldsBytes.merging(event.detail.fields)
            fields.merge(event.detail.fields) { _, new in new }
            fieldsBytes = merged ?? WrittenBytes(fields: fields)
        }
        participantList.append(event.actor, to: event.action)
        if let letter = event.detail.letter { letters.append(LetterReference(letter, version: event.version)) }
        warnings += event.detail.warnings
    }

    /// Folds a whole stream, in order.
    public static func replay<Events: Sequence<Event>>(_ events: Events) throws(ReplayError) -> RequestState? {
        var state: RequestState?
        for event in events { state = try evolve(state, event) }
        return state
    }
}

// MARK: - Encoding (the projection)

extension RequestState {
    /// The state as JSON: what the projection stores and what `audit` compares byte for byte.
    public var json: JSONValue {
        .object([
            "request": .string(request.rawValue), "workflow": .string(workflow.rawValue),
            "definition": .string(definition.rawValue), "state": .string(state), "version": .int(Int64(version)),
            "since": .int(since.milliseconds), "updated": .int(updated.milliseconds), "fields": .object(fields),
            "participants": .object(participants.mapValues { .array($0.map { .string($0.rawValue) }) }),
            "letters": .array(letters.map(\.json)), "warnings": .array(warnings.map(JSONValue.string)),
        ].merging(timerMembers) { first, _ in first })
    }

    /// Present only once a timer fired, so states without timers keep their stored form.
    private var timerMembers: [String: JSONValue] {
        var members: [String: JSONValue] = [:]
        if let remindedFor { members["reminded_for"] = .int(remindedFor.milliseconds) }
        if let ended { members["ended"] = .int(ended.milliseconds) }
        return members
    }

    /// The canonical bytes of `json`, written directly: what the projection stores and what
    /// `audit` compares byte for byte. Keys in sorted order; a test checks it equals `json.canonicalBytes`.
    public var canonicalBytes: [UInt8] {
        // Written in place, piece by piece (`ByteRun`): some thirty pieces that would each be an append.
        var output = ByteRun(capacity: 2048)
        writeCanonical(into: &output)
        return output.finish()
    }

    /// Runs `body` with the state's canonical bytes (`canonicalBytes`) written into `buffer`, whose
    /// room is kept for the next state: for a writer storing one projection after another, where
    /// each would allocate its ~1.5 KB, above what glibc's per-thread cache keeps (1,032 bytes).
    public func withCanonicalBytes<Result>(in buffer: inout CanonicalBuffer, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        if buffer.run.bytes.isEmpty { buffer.run = ByteRun(capacity: 2048) }
        buffer.run.count = 0
        writeCanonical(into: &buffer.run)
        return try buffer.run.withWritten(body)
    }

    @inline(__always)
    private func writeCanonical(into output: inout ByteRun) {
        Self.writeCanonical(definition: definition.rawValue, ended: ended?.milliseconds, remindedFor: remindedFor?.milliseconds, request: request.rawValue,
                            since: since.milliseconds, state: state, updated: updated.milliseconds, version: version, warnings: warnings,
                            workflow: workflow.rawValue, into: &output,
                            fields: { output in
                                if let bytes = fieldsBytes.bytes {
                                    bytes.withUnsafeBytes { output.writeBytes($0) }
                                } else {
                                    JSONWriter.write(.object(fields), to: &output)
                                }
                            },
                            letters: { letterList.write(into: &$0) },
                            participants: { participantList.write(into: &$0) })
    }

    /// The canonical form of a state, members in sorted key order: the one definition of the
    /// bytes a projection stores, for `canonicalBytes` and for `RequestFold.writeCanonical`.
    /// `fields` writes the fields' object; `letters` and `participants` the members of their
    /// array and object, between the brackets written here. Into an array (`canonicalBytes`) or
    /// a run written in place (`CanonicalOutput`).
    static func writeCanonical<Output: CanonicalOutput>(definition: String, ended: Int64?, remindedFor: Int64?, request: String, since: Int64, state: String,
                                                        updated: Int64, version: Int, warnings: [String], workflow: String, into output: inout Output,
                                                        fields: (inout Output) -> Void, letters: (inout Output) -> Void, participants: (inout Output) -> Void) {
        output.writeKey("definition", first: true)
        output.writeString(definition)
        if let ended {
            output.writeKey("ended", first: false)
            output.writeInteger(ended)
        }
        output.writeKey("fields", first: false)
        fields(&output)
        output.writeKey("letters", first: false)
        output.writeByte(UInt8(ascii: "["))
        letters(&output)
        output.writeByte(UInt8(ascii: "]"))
        output.writeKey("participants", first: false)
        output.writeByte(UInt8(ascii: "{"))
        participants(&output)
        output.writeByte(UInt8(ascii: "}"))
        if let remindedFor {
            output.writeKey("reminded_for", first: false)
            output.writeInteger(remindedFor)
        }
        output.writeKey("request", first: false)
        output.writeString(request)
        output.writeKey("since", first: false)
        output.writeInteger(since)
        output.writeKey("state", first: false)
        output.writeString(state)
        output.writeKey("updated", first: false)
        output.writeInteger(updated)
        output.writeKey("version", first: false)
        output.writeInteger(Int64(version))
        output.writeKey("warnings", first: false)
        output.writeStrings(warnings)
        output.writeKey("workflow", first: false)
        output.writeString(workflow)
        output.writeByte(UInt8(ascii: "}"))
    }

    /// Reads the stored projection (canonical JSON, as `canonicalBytes` writes it) without
    /// building a `JSONValue` tree for more than the fields: what the daemon does per command.
    /// - Parameter keepingParticipants: keep the participants as stored (checked) until they are
    ///   asked for: for a state that is only looked at (`lintas status`, which asks only for a
    ///   step each nominee takes), and for one the daemon reads to take a step (`evolve` appends
    ///   to them as stored; only a step each nominee takes asks for them, twice). Otherwise they are
    ///   made into values now, once.
    public init(bytes: [UInt8], keepingParticipants: Bool = false) throws(EventFormatError) {
        var request: String?, workflow: String?, definition: String?, state: String?
        var version: Int64?, since: Int64?, updated: Int64?, remindedFor: Int64?, ended: Int64?
        var fields: [String: JSONValue]?, participants: ParticipantList?, letters: LetterList?, warnings: [String]?
        do {
            try JSONReader.read(bytes) { (reader) throws(JSONSyntaxError) in
                // Names as bytes, letters and participants read in place: no `String` per name, no tree but the fields'.
                try reader.members(bytes: { (reader, key) throws(JSONSyntaxError) in
                    if JSONReader.equal(key, "fields") {
                        guard case .object(let members) = try reader.value() else { throw reader.expected("an object") }
                        fields = members
                    } else if JSONReader.equal(key, "letters") {
                        // Checked now, made into values when asked for (`LetterList`).
                        let stored = try LetterReference.checkArray(reading: &reader)
                        letters = stored.count == 2 ? .values([]) : .stored(Array(reader.bytes[stored]))
                    } else if JSONReader.equal(key, "participants") {
                        participants = try ParticipantList.reading(&reader, keep: keepingParticipants)
                    } else if JSONReader.equal(key, "request") { request = try reader.string()
                    } else if JSONReader.equal(key, "workflow") { workflow = try reader.string()
                    } else if JSONReader.equal(key, "definition") { definition = try reader.string()
                    } else if JSONReader.equal(key, "state") { state = try reader.string()
                    } else if JSONReader.equal(key, "version") { version = try reader.int()
                    } else if JSONReader.equal(key, "since") { since = try reader.int()
                    } else if JSONReader.equal(key, "updated") { updated = try reader.int()
                    } else if JSONReader.equal(key, "reminded_for") { remindedFor = try reader.int()
                    } else if JSONReader.equal(key, "ended") { ended = try reader.int()
                    } else if JSONReader.equal(key, "warnings") { warnings = try reader.strings()
                    } else { try reader.skip()
                    }
                })
            }
        } catch {
            throw EventFormatError(message: "stored request state is not what lintas writes: \(error)")
        }
        guard let request, let workflow, let definition, let state, let version, let since, let updated,
              let fields, let participants, let letters, let warnings
        else { throw EventFormatError(message: "stored request state is incomplete") }
        self.init(request: RequestID(request), workflow: WorkflowID(workflow), definition: DefinitionHash(definition), state: state,
                  version: Int(version), since: Timestamp(milliseconds: since), updated: Timestamp(milliseconds: updated), fields: fields,
                  participantList: participants, letterList: letters, warnings: warnings,
                  remindedFor: remindedFor.map(Timestamp.init), ended: ended.map(Timestamp.init))
    }

    public init(json: JSONValue) throws(EventFormatError) {
        guard let members = json.objectValue, let request = members["request"]?.stringValue,
              let workflow = members["workflow"]?.stringValue, let definition = members["definition"]?.stringValue,
              let state = members["state"]?.stringValue, let version = members["version"]?.intValue,
              let since = members["since"]?.intValue, let updated = members["updated"]?.intValue,
              let fields = members["fields"]?.objectValue, let participants = members["participants"]?.objectValue,
              let letters = members["letters"]?.arrayValue, let warnings = members["warnings"]?.arrayValue
        else { throw EventFormatError(message: "stored request state is incomplete") }
        var parsedLetters: [LetterReference] = []
        for letter in letters {
            guard let record = LetterReference(json: letter) else { throw EventFormatError(message: "stored request state has a malformed letter") }
            parsedLetters.append(record)
        }
        self.init(
            request: RequestID(request), workflow: WorkflowID(workflow), definition: DefinitionHash(definition), state: state,
            version: Int(version), since: Timestamp(milliseconds: since), updated: Timestamp(milliseconds: updated), fields: fields,
            participants: participants.mapValues { ($0.arrayValue ?? []).compactMap(\.stringValue).map(NIP.init) },
            letterList: .values(parsedLetters), warnings: warnings.compactMap(\.stringValue),
            remindedFor: members["reminded_for"]?.intValue.map(Timestamp.init), ended: members["ended"]?.intValue.map(Timestamp.init))
    }
}

/// Bytes a state keeps beside the values they were written from (`RequestState.fieldsBytes`):
/// equal values write equal bytes, so they are neither compared nor hashed.
struct WrittenBytes: Sendable, Hashable {
    /// `nil`: not kept.
    private(set) var bytes: [UInt8]?

    init() {}

    /// The canonical bytes of `fields` as an object, kept in an array of their size (a state
    /// may stay in the processor's cache for many batches).
    init(fields: [String: JSONValue]) {
        var output = ByteRun(capacity: 512)
        JSONWriter.write(.object(fields), to: &output)
        bytes = Array(output.bytes[..<output.count])
    }

    /// The bytes of these fields with `changes` merged in (a change replacing the member of its
    /// name), as `init(fields:)` writes the merged fields: each member that stays copied as it
    /// stands, each change written, in canonical order. `nil` when none are kept, or a kept
    /// name has an escape (its bytes then are not its text's UTF-8, which the order compares).
    func merging(_ changes: [String: JSONValue]) -> WrittenBytes? {
        guard let bytes else { return nil }
        // Each kept member's name's length and where the member ends (after its value). The bytes
        // are as `init(fields:)` or this wrote them: no space between tokens, so that each member
        // starts right after the last one's comma and its name right after its quote.
        var members: [(name: Int, end: Int)] = []
        members.reserveCapacity(16)
        do {
            try JSONReader.read(bytes) { (reader) throws(JSONSyntaxError) in
                try reader.members(matching: { (reader, name) throws(JSONSyntaxError) in
                    members.append((name.count, try reader.skipMatching().upperBound))
                })
            }
        } catch {
            // Unreachable: bytes the writer wrote.
            preconditionFailure("the fields' kept bytes do not read: \(error)")
        }
        let order = JSONWriter.sortedIndices(changes)
        var output = ByteRun(capacity: bytes.count + 256)
        output.writeByte(UInt8(ascii: "{"))
        var next = 0
        let escaped: Bool = bytes.withUnsafeBytes { kept in
            var start = 1
            for (count, end) in members {
                let name = UnsafeRawBufferPointer(rebasing: kept[(start + 1)..<(start + 1 + count)])
                if name.contains(UInt8(ascii: "\\")) { return true }
                // The changes up to this name, and whether the last of them is this name's.
                var replaced = false
                while next < order.count {
                    var change = changes[order[next].index].key
                    let (before, same) = change.withUTF8 { change in
                        (JSONWriter.precedes(UnsafeRawBufferPointer(change), name), !JSONWriter.precedes(name, UnsafeRawBufferPointer(change)))
                    }
                    guard before || same else { break }
                    Self.write(changes[order[next].index], into: &output)
                    next += 1
                    if !before {
                        replaced = true
                        break
                    }
                }
                if !replaced {
                    if output.count > 1 { output.writeByte(UInt8(ascii: ",")) }
                    output.writeBytes(UnsafeRawBufferPointer(rebasing: kept[start..<end]))
                }
                start = end + 1
            }
            return false
        }
        guard !escaped else { return nil }
        for index in order[next...] { Self.write(changes[index.index], into: &output) }
        output.writeByte(UInt8(ascii: "}"))
        var merged = WrittenBytes()
        merged.bytes = Array(output.bytes[..<output.count])
        return merged
    }

    /// `member` as `,"name":value`, without the comma when it is the object's first.
    private static func write(_ member: (key: String, value: JSONValue), into output: inout ByteRun) {
        if output.count > 1 { output.writeByte(UInt8(ascii: ",")) }
        output.writeString(member.key)
        output.writeByte(UInt8(ascii: ":"))
        JSONWriter.write(member.value, to: &output)
    }

    static func == (lhs: WrittenBytes, rhs: WrittenBytes) -> Bool { true }

    func hash(into hasher: inout Hasher) {}
}

/// A list a state read from its stored projection keeps as the projection has it (its bytes,
/// checked as strictly as reading them) until it is asked for: the letters, and for a state only
/// looked at the participants. Equal when the values are.
enum KeptAsStored<Kind: StoredList>: Sendable, Hashable, CustomDebugStringConvertible {
    case values(Kind.Values)
    /// The array or object, brackets included, as it stood in a stored state.
    case stored([UInt8])

    var values: Kind.Values {
        switch self {
        case .values(let values):
            return values
        case .stored(let bytes):
            do {
                return try JSONReader.read(bytes) { (reader) throws(JSONSyntaxError) in try Kind.read(&reader) }
            } catch {
                // Unreachable: the state's reading checked these bytes as strictly.
                preconditionFailure("\(Kind.name) checked when their state was read do not read: \(error)")
            }
        }
    }

    /// The items or members, between the brackets: written canonically, or stored ones as they
    /// stood (the projection's bytes, which `audit` compares with the log's).
    func write<Output: CanonicalOutput>(into output: inout Output) {
        switch self {
        case .values(let values): Kind.write(values, into: &output)
        case .stored(let bytes): bytes.withUnsafeBytes { output.writeBytes(UnsafeRawBufferPointer(rebasing: $0[1..<(bytes.count - 1)])) }
        }
    }

    static func == (lhs: KeptAsStored, rhs: KeptAsStored) -> Bool {
        if case .stored(let left) = lhs, case .stored(let right) = rhs, left == right { return true }
        return lhs.values == rhs.values
    }

    func hash(into hasher: inout Hasher) { hasher.combine(values) }

    var debugDescription: String { "\(values)" }
}

/// How one kind of list a stored state may keep as stored is read and written.
protocol StoredList {
    associatedtype Values: Sendable, Hashable
    /// For messages: "letters", "participants".
    static var name: String { get }
    /// Reads the values at the reader.
    static func read(_ reader: inout JSONReader) throws(JSONSyntaxError) -> Values
    /// Writes the values' items or members canonically, without the brackets.
    static func write<Output: CanonicalOutput>(_ values: Values, into output: inout Output)
}

/// A state's letter references (`RequestState.letters`).
enum StoredLetters: StoredList {
    static let name = "letters"

    static func read(_ reader: inout JSONReader) throws(JSONSyntaxError) -> [LetterReference] {
        var references: [LetterReference] = []
        references.reserveCapacity(4)
        try reader.elements { (reader) throws(JSONSyntaxError) in references.append(try LetterReference(reading: &reader)) }
        return references
    }

    static func write<Output: CanonicalOutput>(_ references: [LetterReference], into output: inout Output) {
        for (index, letter) in references.enumerated() {
            if index > 0 { output.writeByte(UInt8(ascii: ",")) }
            letter.write(into: &output)
        }
    }
}

/// A state's participants (`RequestState.participants`): each action's people, in order.
enum StoredParticipants: StoredList {
    static let name = "participants"

    static func read(_ reader: inout JSONReader) throws(JSONSyntaxError) -> [String: [NIP]] {
        // Room for a workflow's handful of actions: growing a dictionary rehashes it.
        var actions = [String: [NIP]](minimumCapacity: 8)
        try reader.members { (reader, action) throws(JSONSyntaxError) in actions[action] = try reader.strings(NIP.init) }
        return actions
    }

    /// Actions in sorted order.
    static func write<Output: CanonicalOutput>(_ participants: [String: [NIP]], into output: inout Output) {
        // Sorted as indices into the dictionary, each NIP written as it stands: no array of pairs or of strings made.
        var first = true
        for item in JSONWriter.sortedIndices(participants) {
            if !first { output.writeByte(UInt8(ascii: ",")) }
            first = false
            let (action, people) = participants[item.index]
            output.writeString(action)
            output.writeByte(UInt8(ascii: ":"))
            output.writeStrings(people.lazy.map(\.rawValue))
        }
    }
}

typealias LetterList = KeptAsStored<StoredLetters>
typealias ParticipantList = KeptAsStored<StoredParticipants>

extension KeptAsStored where Kind == StoredParticipants {
    /// The object of one action with one person, as its canonical bytes: a state's first step (`evolve`).
    static func first(_ actor: NIP, to action: String) -> ParticipantList {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        bytes.reserveCapacity(action.utf8.count + actor.rawValue.utf8.count + 8)
        JSONWriter.writeString(action, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        bytes.append(UInt8(ascii: "["))
        JSONWriter.writeString(actor.rawValue, into: &bytes)
        bytes.append(UInt8(ascii: "]"))
        bytes.append(UInt8(ascii: "}"))
        return .stored(bytes)
    }

    /// The people who took `action`, in order (`participants[action]`), read from stored bytes
    /// without making the other actions into values.
    func people(_ action: String) -> [NIP]? {
        // Names compared as their UTF-8: bytes with an escape are made into values.
        guard case .stored(let bytes) = self, !bytes.contains(UInt8(ascii: "\\")) else { return values[action] }
        var found: [NIP]?
        do {
            try JSONReader.read(bytes) { (reader) throws(JSONSyntaxError) in
                try reader.members(bytes: { (reader, key) throws(JSONSyntaxError) in
                    if found == nil, key.elementsEqual(action.utf8) { found = try reader.strings(NIP.init) } else { try reader.skipStrings() }
                })
            }
        } catch {
            // Unreachable: checked when their state was read, or written by `first` and `append`.
            preconditionFailure("participants checked when their state was read do not read: \(error)")
        }
        return found
    }

    /// Whether `person` took `action` (`participants[action]` has them), answered from stored
    /// bytes without making their strings.
    func took(_ person: NIP, _ action: String) -> Bool {
        guard case .stored(let bytes) = self else { return values[action]?.contains(person) ?? false }
        var action = action, nip = person.rawValue
        let found: Bool? = action.withUTF8 { name in
            nip.withUTF8 { nip in
                bytes.withUnsafeBytes { bytes in Self.took(UnsafeRawBufferPointer(nip), UnsafeRawBufferPointer(name), in: bytes) }
            }
        }
        return found ?? (values[action]?.contains(person) ?? false)
    }

    /// `took` over canonical bytes; `nil` unless they are in the canonical form. Without escapes,
    /// each string ends at its next quote, and a NIP that needs one is in none.
    private static func took(_ nip: UnsafeRawBufferPointer, _ name: UnsafeRawBufferPointer, in bytes: UnsafeRawBufferPointer) -> Bool? {
        guard let place = insertion(of: name, in: bytes) else { return nil }
        guard let (end, newMember, start) = place, !newMember else { return false }
        var index = start
        while index < end {
            // At a person's opening quote.
            let close = index + 1 + nip.count
            if close < end, bytes[close] == UInt8(ascii: "\""), UnsafeRawBufferPointer(rebasing: bytes[(index + 1)..<close]).elementsEqual(nip) { return true }
            index += 1
            while bytes[index] != UInt8(ascii: "\"") { index += 1 }
            // Past the closing quote and the comma (or the closing bracket, after the last).
            index += 2
        }
        return false
    }

    /// Reads the object at the reader: as values, or (`keep`) kept as its bytes, read past an
    /// array of strings for each action as strictly as `read` reads it, without making its strings.
    static func reading(_ reader: inout JSONReader, keep: Bool) throws(JSONSyntaxError) -> ParticipantList {
        guard keep else { return .values(try StoredParticipants.read(&reader)) }
        let start = reader.position
        try reader.members(bytes: { (reader, _) throws(JSONSyntaxError) in try reader.skipStrings() })
        return reader.position - start == 2 ? .values([:]) : .stored(Array(reader.bytes[start..<reader.position]))
    }

    /// `actor` appended to `action`'s people. Kept as stored, the object's bytes are edited where
    /// the canonical form has them (after the action's last person, or a new member in key order),
    /// so that a state read from its projection takes a step without making its participants
    /// into values and writes them back as they stood; bytes not in that form (spaces, escapes,
    /// names out of order) are made into values first.
    mutating func append(_ actor: NIP, to action: String) {
        if case .stored(var bytes) = self {
            // Not held by `self` while edited: changed in place, not copied.
            self = .values([:])
            let edited = Self.insert(actor, to: action, in: &bytes)
            self = .stored(bytes)
            if edited { return }
        }
        var values = self.values
        // Not held by `self` while appended to: the list is changed in place, not copied.
        self = .values([:])
        values[action, default: []].append(actor)
        self = .values(values)
    }

    /// Inserts `actor` into the stored object's bytes where the canonical form has them, in
    /// place: written at the end (as the writer writes it), then moved to its place. Room is
    /// made for about two more steps like it, so that most steps of a kept state allocate nothing.
    /// - Returns: `false`, the bytes unchanged, unless they are in the canonical form.
    private static func insert(_ actor: NIP, to action: String, in bytes: inout [UInt8]) -> Bool {
        var action = action
        // Where the actor goes, and whether as a new member (`"action":[...]`) rather than in the action's array.
        let found: (at: Int, newMember: Bool, from: Int)?? = action.withUTF8 { name in
            bytes.withUnsafeBytes { bytes in Self.insertion(of: UnsafeRawBufferPointer(name), in: bytes) }
        }
        guard let found else { return false }
        let (at, newMember, _) = found ?? (bytes.count - 1, true, 0)
        let count = bytes.count
        let needed = action.utf8.count + actor.rawValue.utf8.count + 8
        if bytes.capacity < count + needed { bytes.reserveCapacity(count + 3 * needed) }
        if newMember {
            if found == nil { bytes.append(UInt8(ascii: ",")) }
            JSONWriter.writeString(action, into: &bytes)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(UInt8(ascii: "["))
            JSONWriter.writeString(actor.rawValue, into: &bytes)
            bytes.append(UInt8(ascii: "]"))
            if found != nil { bytes.append(UInt8(ascii: ",")) }
        } else {
            if bytes[at - 1] != UInt8(ascii: "[") { bytes.append(UInt8(ascii: ",")) }
            JSONWriter.writeString(actor.rawValue, into: &bytes)
        }
        // The piece written at the end moved to `at`, the bytes after `at` after it.
        let piece = bytes.count - count
        bytes.withUnsafeMutableBytes { bytes in
            withUnsafeTemporaryAllocation(byteCount: piece, alignment: 1) { kept in
                kept.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[count...]))
                let base = bytes.baseAddress!
                (base + at + piece).copyMemory(from: base + at, byteCount: count - at)
                (base + at).copyMemory(from: kept.baseAddress!, byteCount: piece)
            }
        }
        return true
    }

    /// Where a person taking `name` goes in the object's bytes: before the closing bracket of its
    /// array (`newMember` false; `from`: the array's first byte after its opening bracket), or at
    /// the opening quote of the first name after it (true);
    /// `.some(nil)`: after the last member. `nil` unless the bytes are in the canonical form (no
    /// spaces between tokens, no escapes, names in order), checked in one walk: without escapes,
    /// each string ends at its next quote.
    private static func insertion(of name: UnsafeRawBufferPointer, in bytes: UnsafeRawBufferPointer) -> (at: Int, newMember: Bool, from: Int)?? {
        let count = bytes.count
        guard count > 2, bytes[0] == UInt8(ascii: "{"), bytes[count - 1] == UInt8(ascii: "}") else { return nil }
        /// The index of the string's closing quote, the string starting at `quote`; `nil` past the end or at a byte a canonical string has not.
        func closingQuote(_ quote: Int) -> Int? {
            guard quote < count, bytes[quote] == UInt8(ascii: "\"") else { return nil }
            var index = quote + 1
            while index < count, bytes[index] != UInt8(ascii: "\"") {
                if bytes[index] < UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\\") { return nil }
                index += 1
            }
            return index < count ? index : nil
        }
        var insertion: (at: Int, newMember: Bool, from: Int)?
        var previous: UnsafeRawBufferPointer?
        var index = 1
        while true {
            guard let keyEnd = closingQuote(index) else { return nil }
            let key = UnsafeRawBufferPointer(rebasing: bytes[(index + 1)..<keyEnd])
            if let previous, !JSONWriter.precedes(previous, key) { return nil }
            previous = key
            if insertion == nil, JSONWriter.precedes(name, key) { insertion = (index, true, index) }
            var at = keyEnd + 1
            guard at + 2 < count, bytes[at] == UInt8(ascii: ":"), bytes[at + 1] == UInt8(ascii: "[") else { return nil }
            at += 2
            let from = at
            if bytes[at] != UInt8(ascii: "]") {
                while true {
                    guard let end = closingQuote(at), end + 1 < count else { return nil }
                    at = end + 1
                    guard bytes[at] == UInt8(ascii: ",") else { break }
                    at += 1
                }
                guard bytes[at] == UInt8(ascii: "]") else { return nil }
            }
            if insertion == nil, !JSONWriter.precedes(key, name) { insertion = (at, false, from) }
            index = at + 1
            guard index < count else { return nil }
            if bytes[index] == UInt8(ascii: "}") { return index == count - 1 ? .some(insertion) : nil }
            guard bytes[index] == UInt8(ascii: ",") else { return nil }
            index += 1
        }
    }
}
