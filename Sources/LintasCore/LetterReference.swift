/// What a request's state keeps of a letter one of its steps issued: enough to list it and to
/// find the event that holds it, never its content.
///
/// The content (`lintas.letter/1`) is stored once, in the issuing event (`LetterRecord.content`),
/// where the event's hash and the letter's seal cover it. The state is derived data; it points
/// at that event by the request's version.
@dynamicMemberLookup
public struct LetterReference: Sendable, Hashable {
    /// Type, label, number, register, sequence and numbering: what the letter's record in its event says too.
    public var identity: LetterIdentity
    /// Numbered by another system (e.g. SRIKANDI); no register sequence was drawn.
    public var external: Bool { identity.numbering == .external }
    /// Whether the letter has a number: not a letter an employee writes.
    public var numbered: Bool { identity.numbering != .none }
    /// The letter's date (ISO `YYYY-MM-DD`), `nil` for a letter issued without content.
    public var date: String?
    /// The seal of the content in the event (`LetterRecord.contentHash`).
    public var contentHash: String?
    /// The version of the request's event that issued the letter.
    public var version: Int

    public init(type: String, label: String, number: String, register: String, sequence: Int,
                numbering: LetterRecord.Numbering = .register, date: String?, contentHash: String?, version: Int) {
        identity = LetterIdentity(type: type, label: label, number: number, register: register, sequence: sequence, numbering: numbering)
        self.date = date
        self.contentHash = contentHash
        self.version = version
    }

    /// The reference to a letter issued by the event of `version`.
    public init(_ letter: LetterRecord, version: Int) {
        self.init(type: letter.type, label: letter.label, number: letter.number, register: letter.register, sequence: letter.sequence,
                  numbering: letter.numbering, date: letter.date, contentHash: letter.contentHash, version: version)
    }

    /// A stable id for the letter of `request`: its register and sequence, e.g. `diskominfo/800.1.11.1/2026/1`,
    /// for a number given elsewhere `diskominfo/800.1.11.1/2026/external:<number>`, and for an unnumbered
    /// letter the request, type and issuing version, `GBG-12-3/surat_pengajuan/1`.
    public func id(of request: RequestID) -> String {
        identity.numbering == .none ? Self.unnumberedID(request: request, type: identity.type, version: version)
            : Self.id(register: identity.register, sequence: identity.sequence, external: external, number: identity.number)
    }

    static func id(register: String, sequence: Int, external: Bool, number: String) -> String {
        // Written as bytes: an interpolation appends each piece to a string (about 400 instructions a piece).
        var bytes: [UInt8] = []
        bytes.reserveCapacity(register.utf8.count + (external ? number.utf8.count + 10 : 21))
        bytes.append(contentsOf: register.utf8)
        if external {
            bytes.append(contentsOf: "/external:".utf8)
            bytes.append(contentsOf: number.utf8)
        } else {
            bytes.append(UInt8(ascii: "/"))
            JSONWriter.writeInteger(Int64(sequence), into: &bytes)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The register a letter is numbered in: its unit, its kode klasifikasi or else its type, and
    /// the year, e.g. `diskominfo/800.1.11.1/2026`.
    static func register(unit: UnitID, series: String, year: Int) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(unit.rawValue.utf8.count + series.utf8.count + 8)
        bytes.append(contentsOf: unit.rawValue.utf8)
        bytes.append(UInt8(ascii: "/"))
        bytes.append(contentsOf: series.utf8)
        bytes.append(UInt8(ascii: "/"))
        JSONWriter.writeInteger(Int64(year), into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The id of a letter without a number: which request's event of which version issued it.
    static func unnumberedID(request: RequestID, type: String, version: Int) -> String { "\(request)/\(type)/\(version)" }

    /// `reference.number`, `reference.register`, …: the identity's members.
    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<LetterIdentity, Value>) -> Value {
        get { identity[keyPath: keyPath] }
        set { identity[keyPath: keyPath] = newValue }
    }

    var json: JSONValue {
        var members = identity.members
        members["version"] = .int(Int64(version))
        if let date { members["date"] = .string(date) }
        if let contentHash { members["content_hash"] = .string(contentHash) }
        return .object(members)
    }

    /// `json`'s canonical bytes, written directly (keys in sorted order).
    func write<Output: CanonicalOutput>(into output: inout Output) {
        var first = true
        if let contentHash {
            output.writeKey("content_hash", first: true)
            output.writeString(contentHash)
            first = false
        }
        if let date {
            output.writeKey("date", first: first)
            output.writeString(date)
            first = false
        }
        identity.write(first: first, into: &output)
        output.writeKey("version", first: false)
        output.writeInteger(Int64(version))
        output.writeByte(UInt8(ascii: "}"))
    }

    /// Reads a reference from the object at the reader, member by member (`json`'s form): what
    /// `checkArray` accepted, by the same table (`StoredMember`), so it cannot refuse what that accepted.
    init(reading reader: inout JSONReader) throws(JSONSyntaxError) {
        // A member the table does not require keeps its default when absent.
        var identity = LetterIdentity(type: "", label: "", number: "", register: "", sequence: 0)
        var version = 0, date: String?, contentHash: String?, found = 0
        try reader.members(bytes: { (reader, key) throws(JSONSyntaxError) in
            guard let member = StoredMember.named(key) else { return try reader.skip() }
            found |= member.bit
            if member.isInteger {
                let value = Int(try reader.int())
                if member == .sequence { identity.sequence = value } else if member == .version { version = value }
                return
            }
            let value = try reader.string()
            switch member {
            case .type: identity.type = value
            case .label: identity.label = value
            case .number: identity.number = value
            case .register: identity.register = value
            case .numbering: identity.numbering = LetterRecord.Numbering(rawValue: value) ?? .register
            case .date: date = value
            case .contentHash: contentHash = value
            case .sequence, .version: break
            }
        })
        try StoredMember.requireAll(found, reader)
        self.identity = identity
        self.date = date
        self.contentHash = contentHash
        self.version = version
    }

    /// Reads past an array of references as strictly as `init(reading:)` reads each, by the same
    /// table (`StoredMember`), without making their strings: what a state read from storage keeps
    /// of its letters until they are asked for (`LetterList`).
    /// - Returns: where the array stands in the reader's bytes.
    static func checkArray(reading reader: inout JSONReader) throws(JSONSyntaxError) -> Range<Int> {
        let start = reader.position
        try reader.elements { (reader) throws(JSONSyntaxError) in
            var found = 0
            try reader.members(bytes: { (reader, key) throws(JSONSyntaxError) in
                guard let member = StoredMember.named(key) else { return try reader.skip() }
                found |= member.bit
                if member.isInteger { _ = try reader.int() } else { _ = try reader.stringRange() }
            })
            try StoredMember.requireAll(found, reader)
        }
        return start..<reader.position
    }

    /// The members of a reference as stored (`json`'s), with their kind and whether a reference
    /// must have them: the one table `checkArray` and `init(reading:)` follow.
    enum StoredMember: Int, CaseIterable {
        case type, label, number, register, sequence, version, date, numbering, contentHash

        var name: StaticString {
            switch self {
            case .type: "type"
            case .label: "label"
            case .number: "number"
            case .register: "register"
            case .sequence: "sequence"
            case .version: "version"
            case .date: "date"
            case .numbering: "numbering"
            case .contentHash: "content_hash"
            }
        }

        /// Sequence and version are whole numbers, the rest text.
        var isInteger: Bool { self == .sequence || self == .version }

        /// A stored reference without it is refused: a letter has no date or seal when issued
        /// without content, and `numbering` is written only when not the register's.
        var isRequired: Bool {
            switch self {
            case .date, .numbering, .contentHash: false
            case .type, .label, .number, .register, .sequence, .version: true
            }
        }

        var bit: Int { 1 << rawValue }

        static let requiredBits = allCases.reduce(0) { $1.isRequired ? $0 | $1.bit : $0 }

        /// The member named `key`, `nil` for any other name: the members of the key's length are
        /// compared with it (each `match` folds to a comparison with a constant).
        @inline(__always)
        static func named(_ key: UnsafeBufferPointer<UInt8>) -> StoredMember? {
            switch key.count {
            case 4: match(key, .type) ?? match(key, .date)
            case 5: match(key, .label)
            case 6: match(key, .number)
            case 7: match(key, .version)
            case 8: match(key, .register) ?? match(key, .sequence)
            case 9: match(key, .numbering)
            case 12: match(key, .contentHash)
            default: nil
            }
        }

        @inline(__always)
        private static func match(_ key: UnsafeBufferPointer<UInt8>, _ member: StoredMember) -> StoredMember? {
            JSONReader.equal(key, member.name) ? member : nil
        }

        /// Refuses a reference whose members found (`bit`s) lack a required one, naming the first.
        @inline(__always)
        static func requireAll(_ found: Int, _ reader: JSONReader) throws(JSONSyntaxError) {
            guard found & requiredBits == requiredBits else { throw lacking(found, reader) }
        }

        @inline(never)
        private static func lacking(_ found: Int, _ reader: JSONReader) -> JSONSyntaxError {
            let required = allCases.filter(\.isRequired)
            let missing = required.first { found & $0.bit == 0 }.map { "\($0.name)" } ?? ""
            let names = required.map { "\($0.name)" }
            return reader.expected("letters with \(names.dropLast().joined(separator: ", ")) and \(names.last ?? "")"
                                   + ", a letter has no \"\(missing)\"")
        }
    }

    init?(json: JSONValue) {
        guard let identity = LetterIdentity(json: json), let version = json["version"]?.intValue else { return nil }
        self.identity = identity
        date = json["date"]?.stringValue
        contentHash = json["content_hash"]?.stringValue
        self.version = Int(version)
    }
}

/// What names an issued letter, the same in its event's record (`LetterRecord`) and in its
/// request's state (`LetterReference`): its type and label, its printed number, the register and
/// sequence that numbered it, and who numbered it.
public struct LetterIdentity: Sendable, Hashable {
    /// e.g. `surat_penugasan`.
    public var type: String
    public var label: String
    /// Empty for an unnumbered letter.
    public var number: String
    /// The register that numbered it: issuing unit, kode klasifikasi (or else letter type) and year; empty when unnumbered.
    public var register: String
    /// The register's sequence number; 0 for a letter numbered elsewhere or not at all.
    public var sequence: Int
    public var numbering: LetterRecord.Numbering

    public init(type: String, label: String, number: String, register: String, sequence: Int, numbering: LetterRecord.Numbering = .register) {
        self.type = type
        self.label = label
        self.number = number
        self.register = register
        self.sequence = sequence
        self.numbering = numbering
    }

    /// The identity's members as JSON (`numbering` only when not the register's).
    var members: [String: JSONValue] {
        var members: [String: JSONValue] = ["type": .string(type), "label": .string(label), "number": .string(number),
                                            "register": .string(register), "sequence": .int(Int64(sequence))]
        if numbering != .register { members["numbering"] = .string(numbering.rawValue) }
        return members
    }

    /// Writes the identity's members, `label` to `type` in sorted key order, into an object being written.
    func write<Output: CanonicalOutput>(first: Bool, into output: inout Output) {
        output.writeKey("label", first: first)
        output.writeString(label)
        output.writeKey("number", first: false)
        output.writeString(number)
        if numbering != .register {
            output.writeKey("numbering", first: false)
            output.writeString(numbering.rawValue)
        }
        output.writeKey("register", first: false)
        output.writeString(register)
        output.writeKey("sequence", first: false)
        output.writeInteger(Int64(sequence))
        output.writeKey("type", first: false)
        output.writeString(type)
    }

    init?(json: JSONValue) {
        guard let type = json["type"]?.stringValue, let label = json["label"]?.stringValue, let number = json["number"]?.stringValue,
              let register = json["register"]?.stringValue, let sequence = json["sequence"]?.intValue else { return nil }
        self.init(type: type, label: label, number: number, register: register, sequence: Int(sequence),
                  numbering: json["numbering"]?.stringValue.flatMap(LetterRecord.Numbering.init(rawValue:)) ?? .register)
    }

    /// What a reader of an object member by member has read of an identity so far.
    struct Reading {
        var type: String?, label: String?, number: String?, register: String?, sequence: Int64?
        var numbering = LetterRecord.Numbering.register

        /// Reads the member `key` when it is one of the identity's; false for any other.
        mutating func read(_ key: UnsafeBufferPointer<UInt8>, from reader: inout JSONReader) throws(JSONSyntaxError) -> Bool {
            if JSONReader.equal(key, "type") { type = try reader.string()
            } else if JSONReader.equal(key, "label") { label = try reader.string()
            } else if JSONReader.equal(key, "number") { number = try reader.string()
            } else if JSONReader.equal(key, "register") { register = try reader.string()
            } else if JSONReader.equal(key, "sequence") { sequence = try reader.int()
            } else if JSONReader.equal(key, "numbering") { numbering = LetterRecord.Numbering(rawValue: try reader.string()) ?? .register
            } else { return false
            }
            return true
        }

        /// The identity read, or `nil` when a member is missing (`missing` names it).
        var identity: LetterIdentity? {
            guard let type, let label, let number, let register, let sequence else { return nil }
            return LetterIdentity(type: type, label: label, number: number, register: register, sequence: Int(sequence), numbering: numbering)
        }

        /// The first of the identity's required members not read, for an error that names it.
        var missing: String? {
            [("type", type == nil), ("label", label == nil), ("number", number == nil), ("register", register == nil),
             ("sequence", sequence == nil)].first { $0.1 }?.0
        }
    }
}
