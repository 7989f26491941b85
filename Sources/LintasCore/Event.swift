/// A fact in a request's history: one step taken, by whom, in which capacity, on which article.
///
/// Everything `decide` resolved is frozen here (the person's name and title, the Plt or
/// Plh capacity, the article, the letter number), so replaying the log never consults
/// today's directory or today's workflow file.
@dynamicMemberLookup
public struct Event: Sendable, Hashable {
    public var envelope: EventEnvelope
    public var detail: Detail

    public init(request: RequestID, version: Int, action: String, state: String, actor: NIP, at: Timestamp,
                recorded: Timestamp, command: CommandID, detail: Detail) {
        self.init(envelope: EventEnvelope(request: request, version: version, action: action, state: state, actor: actor,
                                          at: at, recorded: recorded, command: command), detail: detail)
    }

    public init(envelope: EventEnvelope, detail: Detail) {
        self.envelope = envelope
        self.detail = detail
    }

    /// `event.request`, `event.version`, …: the envelope's members.
    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<EventEnvelope, Value>) -> Value {
        get { envelope[keyPath: keyPath] }
        set { envelope[keyPath: keyPath] = newValue }
    }

    /// What was resolved and said when the step was taken.
    public struct Detail: Sendable, Hashable {
        /// The article that prescribes the step, cited in full.
        public var article: String
        /// The workflow role the actor played.
        public var role: String
        public var actorName: String
        /// The title the actor acted under, e.g. `Plt. Kepala Dinas Kesehatan`.
        public var actorTitle: String
        public var capacity: Capacity
        /// The position acted for.
        public var position: PositionID
        /// The fields of the command, validated, plus any the engine bound (such as the owner unit).
        public var fields: [String: JSONValue]
        /// The letter this step issued.
        public var letter: LetterRecord?
        /// Rules the step did not meet but that the regulation only recommends.
        public var warnings: [String]
        /// Set on the first event: the workflow and the exact definition the request runs under.
        public var workflow: WorkflowID?
        public var definition: DefinitionHash?

        public init(article: String, role: String, actorName: String, actorTitle: String, capacity: Capacity,
                    position: PositionID, fields: [String: JSONValue], letter: LetterRecord? = nil,
                    warnings: [String] = [], workflow: WorkflowID? = nil, definition: DefinitionHash? = nil) {
            self.article = article
            self.role = role
            self.actorName = actorName
            self.actorTitle = actorTitle
            self.capacity = capacity
            self.position = position
            self.fields = fields
            self.letter = letter
            self.warnings = warnings
            self.workflow = workflow
            self.definition = definition
        }
    }
}

/// A letter issued by a step: numbered by a register, numbered elsewhere, or (written by an employee) not at all.
@dynamicMemberLookup
public struct LetterRecord: Sendable, Hashable {
    /// Who gave the letter its number.
    public enum Numbering: String, Sendable, Hashable {
        /// Drawn from lintas's register (no `numbering` member is stored).
        case register
        /// Given by another system (e.g. SRIKANDI): `number` is as given, no sequence was drawn.
        case external
        /// Nobody: a letter an employee writes has no number (`number` is empty, no register).
        case none
    }

    /// Type, label, number, register, sequence and numbering: what the request's state keeps too (`LetterReference`).
    public var identity: LetterIdentity
    /// Numbered by another system (e.g. SRIKANDI): `number` is as given, no sequence was drawn.
    public var external: Bool { identity.numbering == .external }
    /// The letter as issued (see `LetterDraft`), frozen in the event, so the event's hash covers it;
    /// as read from a stored event whose letter has `parts`, only the members the event keeps
    /// (`LetterParts`): the whole content is those and the parts' members. For a letter `decide`
    /// composed, built from its pieces (`composed`) when asked for; setting it drops them.
    public var content: JSONValue? {
        get { composed?.content ?? tree }
        set {
            tree = newValue
            composed = nil
        }
    }
    private var tree: JSONValue?
    /// The content as `decide` composed it, in pieces (`ComposedLetter`): what sealing and the
    /// store use, without the content as one tree. `nil` once `content` is set, and as read back.
    public private(set) var composed: ComposedLetter?
    /// The SHA-256 (lowercase hex) of each part of the content stored apart (`LetterParts`), in
    /// the order of `LetterParts.groups`; empty when `content` is whole (as composed, or as
    /// stored before schema version 7). Set by the store when it writes the event.
    public var parts: [String] = []
    /// SHA-256 (lowercase hex) of `content`'s canonical JSON, set by the engine before the event is stored.
    public var contentHash: String?
    public init(type: String, label: String, number: String, register: String, sequence: Int, numbering: Numbering = .register,
                content: JSONValue? = nil, contentHash: String? = nil, parts: [String] = []) {
        self.init(LetterIdentity(type: type, label: label, number: number, register: register, sequence: sequence, numbering: numbering),
                  content: content, contentHash: contentHash, parts: parts)
    }

    public init(_ identity: LetterIdentity, content: JSONValue? = nil, contentHash: String? = nil, parts: [String] = []) {
        self.identity = identity
        self.parts = parts
        self.tree = content
        self.contentHash = contentHash
    }

    /// A letter `decide` composed, its content in pieces.
    init(_ identity: LetterIdentity, composed: ComposedLetter) {
        self.identity = identity
        self.composed = composed
    }

    /// Equal when identity, content, parts and seal are, however the content is held.
    public static func == (lhs: LetterRecord, rhs: LetterRecord) -> Bool {
        lhs.identity == rhs.identity && lhs.contentHash == rhs.contentHash && lhs.parts == rhs.parts
            && lhs.content == rhs.content
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(identity)
        hasher.combine(contentHash)
        hasher.combine(parts)
    }

    /// The content's `date`: read from the pieces of a composed letter without building its tree.
    var date: String? {
        if let composed { return composed.own.string("date") }
        return tree?["date"]?.stringValue
    }

    /// A stable id for the letter: its register and sequence, e.g. `diskominfo/surat_penugasan/2026/1`,
    /// or for a number given elsewhere `diskominfo/surat_penugasan/2026/external:<number>`; an unnumbered
    /// letter's is in its content (`GBG-1/surat_pengajuan/1`).
    public var id: String {
        identity.numbering == .none ? (composed.map { $0.own.string("id") } ?? content?["id"]?.stringValue) ?? "" : LetterReference.id(register: identity.register, sequence: identity.sequence, external: external, number: identity.number)
    }

    /// `letter.number`, `letter.register`, …: the identity's members.
    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<LetterIdentity, Value>) -> Value {
        get { identity[keyPath: keyPath] }
        set { identity[keyPath: keyPath] = newValue }
    }

    var json: JSONValue {
        var members = identity.members
        if let content { members["content"] = content }
        if let contentHash { members["content_hash"] = .string(contentHash) }
        if !parts.isEmpty { members["content_parts"] = .array(parts.map(JSONValue.string)) }
        return .object(members)
    }

    /// `json`'s canonical bytes, written directly (keys in sorted order); with `contentBytes`,
    /// the `content` member is those bytes as they are (canonical JSON already) instead of `content`.
    func write<Output: CanonicalOutput>(into output: inout Output, contentBytes: [UInt8]? = nil) {
        let hasContent = contentBytes != nil || content != nil
        if let contentBytes {
            output.writeKey("content", first: true)
            contentBytes.withUnsafeBytes { output.writeBytes($0) }
        } else if let content {
            output.writeKey("content", first: true)
            JSONWriter.write(content, to: &output)
        }
        if let contentHash {
            output.writeKey("content_hash", first: !hasContent)
            output.writeString(contentHash)
        }
        if !parts.isEmpty {
            output.writeKey("content_parts", first: !hasContent && contentHash == nil)
            output.writeStrings(parts)
        }
        identity.write(first: !hasContent && contentHash == nil && parts.isEmpty, into: &output)
        output.writeByte(UInt8(ascii: "}"))
    }

    /// Reads what `write(into:)` writes.
    init(reader: inout JSONReader) throws(JSONSyntaxError) {
        var identity = LetterIdentity.Reading()
        var content: JSONValue?, contentHash: String?, parts: [String] = []
        try reader.members(bytes: { (reader, key) throws(JSONSyntaxError) in
            if try identity.read(key, from: &reader) { return }
            if JSONReader.equal(key, "content") { content = try reader.value()
            } else if JSONReader.equal(key, "content_hash") { contentHash = try reader.string()
            } else if JSONReader.equal(key, "content_parts") { parts = try reader.strings()
            } else { _ = try reader.value()
            }
        })
        guard let identity = identity.identity else {
            throw reader.expected("a letter with type, label, number, register and sequence, a letter has no \"\(identity.missing ?? "")\"")
        }
        self.init(identity, content: content, contentHash: contentHash, parts: parts)
    }

    init?(json: JSONValue) {
        guard let identity = LetterIdentity(json: json) else { return nil }
        self.init(identity, content: json["content"], contentHash: json["content_hash"]?.stringValue,
                  parts: (json["content_parts"]?.arrayValue ?? []).compactMap(\.stringValue))
    }
}

// MARK: - Encoding

/// An event that cannot be read back: its stored form is damaged or was written by something else.
public struct EventFormatError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

extension Event.Detail {
    /// Whether `join` puts these bytes together: `rest` opens an object and `opening` closes one.
    @inline(__always)
    public static func joins(rest: UnsafeRawBufferPointer, opening: UnsafeRawBufferPointer) -> Bool {
        rest.count >= 2 && opening.count >= 2 && rest[0] == UInt8(ascii: "{") && opening[opening.count - 1] == UInt8(ascii: "}")
    }

    /// A detail's canonical bytes put back together from its rest (an object of the members after
    /// its opening) and its opening (an object of the article, `by` and, in a request's first
    /// event, the definition), stored apart since schema version 11 (`StoredOpenings` in the
    /// store): the opening without its closing brace, a comma, the rest without its opening
    /// brace, written into the first bytes of `output` (grown to fit, a buffer reused from row to
    /// row: each piece copied to its place, no append). Their count, or `nil` with `output`
    /// untouched when either is not an object (`joins`: the rest is then read as stored, and
    /// fails its hash).
    public static func join(rest: UnsafeRawBufferPointer, opening: UnsafeRawBufferPointer, into output: inout [UInt8]) -> Int? {
        guard joins(rest: rest, opening: opening), let source = rest.baseAddress, let head = opening.baseAddress else { return nil }
        let count = opening.count + rest.count - 1
        if output.count < count { output.append(contentsOf: repeatElement(0, count: count - output.count)) }
        output.withUnsafeMutableBytes { output in
            let base = output.baseAddress!
            base.copyMemory(from: head, byteCount: opening.count - 1)
            output[opening.count - 1] = UInt8(ascii: ",")
            (base + opening.count).copyMemory(from: source + 1, byteCount: rest.count - 1)
        }
        return count
    }

    /// The detail as JSON: the `data` column of the event log.
    public var json: JSONValue {
        let by: [String: JSONValue] = [
            "role": .string(role), "name": .string(actorName), "title": .string(actorTitle),
            "capacity": .string(capacity.rawValue), "position": .string(position.rawValue),
        ]
        var members: [String: JSONValue] = ["article": .string(article), "by": .object(by), "fields": .object(fields)]
        if let letter { members["letter"] = letter.json }
        if !warnings.isEmpty { members["warnings"] = .array(warnings.map(JSONValue.string)) }
        if let workflow { members["workflow"] = .string(workflow.rawValue) }
        if let definition { members["definition"] = .string(definition.rawValue) }
        return .object(members)
    }

    /// The canonical bytes of `json`, written directly: the `data` column of the event log and
    /// part of what its hash covers. Keys in sorted order; a test checks it equals `json.canonicalBytes`.
    public var canonicalBytes: [UInt8] { canonicalBytes(letterContent: nil) }

    /// `canonicalBytes` with the letter's `content` given as its canonical JSON (`letterContent`,
    /// written as it is, the letter's `content` not read): how the store writes a letter's own
    /// members as sealing encoded them (`LetterParts.Encoded.own`), without writing them again.
    public func canonicalBytes(letterContent: [UInt8]?) -> [UInt8] {
        // Written in place, piece by piece: each `append` to an array checks its uniqueness and
        // capacity and goes through a generic copy (about 70 instructions a call, whatever its length).
        var output = ByteRun(capacity: 1024 + (letterContent?.count ?? 0))
        output.writeKey("article", first: true)
        output.writeString(article)
        output.writeKey("by", first: false)
        output.writeKey("capacity", first: true)
        output.writeString(capacity.rawValue)
        output.writeKey("name", first: false)
        output.writeString(actorName)
        output.writeKey("position", first: false)
        output.writeString(position.rawValue)
        output.writeKey("role", first: false)
        output.writeString(role)
        output.writeKey("title", first: false)
        output.writeString(actorTitle)
        output.writeByte(UInt8(ascii: "}"))
        if let definition {
            output.writeKey("definition", first: false)
            output.writeString(definition.rawValue)
        }
        output.writeKey("fields", first: false)
        JSONWriter.write(.object(fields), to: &output)
        if let letter {
            output.writeKey("letter", first: false)
            letter.write(into: &output, contentBytes: letterContent)
        }
        if !warnings.isEmpty {
            output.writeKey("warnings", first: false)
            output.writeStrings(warnings)
        }
        if let workflow {
            output.writeKey("workflow", first: false)
            output.writeString(workflow.rawValue)
        }
        output.writeByte(UInt8(ascii: "}"))
        return output.finish()
    }

    /// Reads the stored `data` column (canonical JSON, as `canonicalBytes` writes it) without
    /// building a `JSONValue` tree for more than the fields and the letter's content (replay and
    /// audit fold the stored bytes instead: `RequestFold`).
    public init(bytes: [UInt8]) throws(EventFormatError) {
        var article: String?, role: String?, name: String?, title: String?, capacity: String?, position: String?
        var fields: [String: JSONValue]?, letter: LetterRecord?, warnings: [String] = []
        var workflow: WorkflowID?, definition: DefinitionHash?
        do {
            try JSONReader.read(bytes) { (reader) throws(JSONSyntaxError) in
                try reader.members { (reader, key) throws(JSONSyntaxError) in
                    switch key {
                    case "article": article = try reader.string()
                    case "by":
                        try reader.members { (reader, key) throws(JSONSyntaxError) in
                            switch key {
                            case "role": role = try reader.string()
                            case "name": name = try reader.string()
                            case "title": title = try reader.string()
                            case "capacity": capacity = try reader.string()
                            case "position": position = try reader.string()
                            default: _ = try reader.value()
                            }
                        }
                    case "fields":
                        guard case .object(let members) = try reader.value() else { throw reader.expected("an object") }
                        fields = members
                    case "letter": letter = try LetterRecord(reader: &reader)
                    case "warnings": warnings = try reader.strings()
                    case "workflow": workflow = WorkflowID(try reader.string())
                    case "definition": definition = DefinitionHash(try reader.string())
                    default: _ = try reader.value()
                    }
                }
            }
        } catch {
            throw EventFormatError(message: "event data is not what lintas writes: \(error)")
        }
        guard let article, let role, let name, let title, let capacity, let position, let fields else {
            throw EventFormatError(message: "event data lacks article, by or fields")
        }
        guard let capacity = Capacity(rawValue: capacity) else { throw EventFormatError(message: "event data has an unknown capacity \"\(capacity)\"") }
        self.init(article: article, role: role, actorName: name, actorTitle: title, capacity: capacity, position: PositionID(position),
                  fields: fields, letter: letter, warnings: warnings, workflow: workflow, definition: definition)
    }

    /// The issued letter's content exactly as stored in a `data` column (canonical JSON, as
    /// the event was written: the whole content, or for a letter stored in parts the members
    /// its event keeps), `nil` when the event issued no letter with content: what
    /// `LetterSeal.whole` reads a stored letter from (audit finds it as it folds the event).
    public static func storedLetterContent(in data: [UInt8]) throws(EventFormatError) -> [UInt8]? {
        var content: [UInt8]?
        do {
            try JSONReader.read(data) { (reader) throws(JSONSyntaxError) in
                try reader.members { (reader, key) throws(JSONSyntaxError) in
                    guard key == "letter", reader.isAtObject else { return try reader.skip() }
                    try reader.members { (reader, key) throws(JSONSyntaxError) in
                        if key == "content" { content = try reader.raw() } else { try reader.skip() }
                    }
                }
            }
        } catch {
            throw EventFormatError(message: "event data is not what lintas writes: \(error)")
        }
        return content
    }

    public init(json: JSONValue) throws(EventFormatError) {
        guard let members = json.objectValue, let article = members["article"]?.stringValue,
              let by = members["by"]?.objectValue, let role = by["role"]?.stringValue, let name = by["name"]?.stringValue,
              let title = by["title"]?.stringValue, let capacityName = by["capacity"]?.stringValue,
              let capacity = Capacity(rawValue: capacityName), let position = by["position"]?.stringValue,
              let fields = members["fields"]?.objectValue
        else { throw EventFormatError(message: "event data lacks article, by or fields") }
        var letter: LetterRecord?
        if let value = members["letter"] {
            guard let record = LetterRecord(json: value) else { throw EventFormatError(message: "event data has a malformed letter") }
            letter = record
        }
        self.init(article: article, role: role, actorName: name, actorTitle: title, capacity: capacity,
                  position: PositionID(position), fields: fields, letter: letter,
                  warnings: (members["warnings"]?.arrayValue ?? []).compactMap(\.stringValue),
                  workflow: members["workflow"]?.stringValue.map(WorkflowID.init),
                  definition: members["definition"]?.stringValue.map(DefinitionHash.init))
    }
}

/// What every event has besides what it says: the request and version it belongs to, the
/// action and the state after it, who acted, when, and which command caused it. Stored as
/// columns; the detail is stored beside them as canonical JSON.
public struct EventEnvelope: Sendable, Hashable {
    public var request: RequestID
    /// 1 for the event that opens the request, then 2, 3, …
    public var version: Int
    public var action: String
    /// The state after the event.
    public var state: String
    public var actor: NIP
    /// When the official took the step (claimed by the command, or when it was queued).
    public var at: Timestamp
    /// When the engine recorded it (the daemon's clock).
    public var recorded: Timestamp
    /// The command that caused it.
    public var command: CommandID

    public init(request: RequestID, version: Int, action: String, state: String, actor: NIP, at: Timestamp,
                recorded: Timestamp, command: CommandID) {
        self.request = request
        self.version = version
        self.action = action
        self.state = state
        self.actor = actor
        self.at = at
        self.recorded = recorded
        self.command = command
    }

    /// The canonical bytes an event's hash is computed over: the envelope and the detail's
    /// canonical JSON (`data`, as stored), as one JSON object with sorted keys. Built from the
    /// same values the store keeps in its columns, so changing any stored byte changes the hash.
    public func canonicalBytes(data: [UInt8]) -> [UInt8] {
        // Keys in sorted order: action, actor, at, command, data, recorded, request, state, version.
        // Written in place, piece by piece (`ByteRun`), not appended to an array piece by piece.
        var output = ByteRun(capacity: data.count + 256)
        output.put("{\"action\":")
        output.writeString(action)
        output.put(",\"actor\":")
        output.writeString(actor.rawValue)
        output.put(",\"at\":")
        output.put(integer: at.milliseconds)
        output.put(",\"command\":")
        output.writeString(command.rawValue)
        output.put(",\"data\":")
        data.withUnsafeBytes { output.put($0) }
        output.put(",\"recorded\":")
        output.put(integer: recorded.milliseconds)
        output.put(",\"request\":")
        output.writeString(request.rawValue)
        output.put(",\"state\":")
        output.writeString(state)
        output.put(",\"version\":")
        output.put(integer: Int64(version))
        output.put(UInt8(ascii: "}"))
        return output.finish()
    }
}

extension Event {
    public var canonicalBytes: [UInt8] { envelope.canonicalBytes(data: detail.canonicalBytes) }
}
