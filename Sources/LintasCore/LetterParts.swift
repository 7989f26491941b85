/// How a letter's content (`lintas.letter/1`) is stored: its own members in the issuing event,
/// and the members many letters share as content-addressed parts, each stored once.
///
/// Most of a letter is the same for every letter one office issues at one step: the kop, the
/// addressee, the legal basis, the signature block, the tembusan, the headings. Those members form the
/// letter's *frame*, one part; what the request's fields give (its contents, period and
/// reference, which the request's letters repeat, the surat permohonan and the surat penugasan
/// alike) a second part. The event keeps the rest (date, the people assigned, the particulars)
/// and the SHA-256 of each part (`LetterRecord.parts`); the store keeps each part once, under
/// its hash. The letter's `id`, `number` and `request`, which the event says already (its
/// letter record, its request), are not written twice (`implied`).
///
/// Nothing of the letter changes: its content is its own members, its parts' members and the
/// implied ones, written as one canonical object (`assemble`), byte for byte the content that
/// was composed and sealed, so `content_hash` is the SHA-256 of that whole content as before.
public enum LetterParts {
    /// The members of each part, in the order the event lists the parts' hashes.
    public static let groups: [Set<String>] = [
        ["addressee", "assigned_heading", "cc", "contents_heading", "format", "klasifikasi", "kop", "label", "legal_basis", "place",
         "signature", "subject", "type"],
        ["contents", "period", "reference"],
    ]

    /// The members a stored letter leaves to its event: `id` and `number` as its letter record
    /// says them, `request` as its envelope does. `split` leaves out only those equal to these;
    /// `assemble` puts back only those absent from every piece. A letter without a number (one an
    /// employee writes) has no `number` and keeps its `id`, which only its content says.
    public static func implied(_ letter: LetterRecord, request: RequestID) -> [String: JSONValue] {
        var members: [String: JSONValue] = [:]
        forEachImplied(letter, request: request) { members[$0.description] = .string($1) }
        return members
    }

    /// Calls `body` with each implied member's name and value, in canonical order (`forEachImplied(numbering:_:)`).
    @inline(__always)
    static func forEachImplied(_ letter: LetterRecord, request: RequestID, _ body: (StaticString, String) -> Void) {
        forEachImplied(numbering: letter.numbering) { name, member in
            switch member {
            case .id: body(name, letter.id)
            case .number: body(name, letter.number)
            case .request: body(name, request.rawValue)
            }
        }
    }

    /// An implied member: what its value is.
    enum Implied { case id, number, request }

    /// Calls `body` with each implied member's name and what it is, in canonical order: the one
    /// rule behind `implied` and the assembler's implied piece, which writes them without a
    /// dictionary, from a letter's values or from its stored event's bytes (`StoredLetter`).
    @inline(__always)
    static func forEachImplied(numbering: LetterRecord.Numbering, _ body: (StaticString, Implied) -> Void) {
        if numbering != .none {
            body("id", .id)
            body("number", .number)
        }
        body("request", .request)
    }

    /// A composed content split into the members the event keeps and the parts (those of
    /// `groups` the content has, in that order; a group the content has none of is left out),
    /// without the members `implied` gives the same.
    public static func split(_ content: JSONValue, implied: [String: JSONValue] = [:]) -> (own: JSONValue, parts: [JSONValue]) {
        guard case .object(var own) = content else { return (content, []) }
        for (name, value) in implied where own[name] == value { own[name] = nil }
        var parts: [JSONValue] = []
        for group in groups {
            var part: [String: JSONValue] = [:]
            for name in group {
                if let value = own.removeValue(forKey: name) { part[name] = value }
            }
            if !part.isEmpty { parts.append(.object(part)) }
        }
        return (.object(own), parts)
    }

    /// A composed content encoded once, for sealing and storing it: `whole`, its canonical JSON
    /// (what the seal is the SHA-256 of), and what `split` gives, the own members and the parts
    /// already as their canonical JSON (each piece's members are the whole's, in the same order,
    /// byte for byte): the store writes `own` as the letter's `content` as it is.
    public struct Encoded: Sendable {
        public var whole: [UInt8]
        public var own: [UInt8]
        public var parts: [[UInt8]]
    }

    /// `runs` (each member `,"name":value`, as a piece holds them) as one canonical object.
    static func object(ofRuns runs: some Collection<UInt8>) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        bytes.reserveCapacity(runs.count + 1)
        bytes.append(contentsOf: runs.dropFirst())
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    /// `split` and the canonical JSON of the content and of its parts, each member written once:
    /// the whole is written, and each part is put together from the members' bytes in it.
    public static func encode(_ content: JSONValue, implied: [String: JSONValue] = [:]) -> Encoded {
        guard case .object(let members) = content else { return Encoded(whole: content.canonicalBytes, own: content.canonicalBytes, parts: []) }
        // Names compared in lists, not hashed: a letter has about twenty members.
        let dropped = implied.compactMap { name, value in members[name] == value ? name : nil }
        var whole: [UInt8] = [UInt8(ascii: "{")]
        var spans: [(group: Int, span: Range<Int>)] = []
        spans.reserveCapacity(members.count)
        var own: [UInt8] = []  // the own members' runs, `,"name":value` each
        for item in JSONWriter.sortedIndices(members) {
            if whole.count > 1 { whole.append(UInt8(ascii: ",")) }
            let (key, value) = members[item.index]
            let start = whole.count
            JSONWriter.writeString(key, into: &whole)
            whole.append(UInt8(ascii: ":"))
            JSONWriter.write(value, into: &whole)
            if let group = groupLists.firstIndex(where: { $0.contains(key) }) {
                spans.append((group, start..<whole.count))
            } else if !dropped.contains(key) {
                own.append(UInt8(ascii: ","))
                own.append(contentsOf: whole[start...])
            }
        }
        whole.append(UInt8(ascii: "}"))
        var parts: [[UInt8]] = []
        for group in groupLists.indices {
            var part: [UInt8] = [UInt8(ascii: "{")]
            for member in spans where member.group == group {
                if part.count > 1 { part.append(UInt8(ascii: ",")) }
                part.append(contentsOf: whole[member.span])
            }
            guard part.count > 1 else { continue }
            part.append(UInt8(ascii: "}"))
            parts.append(part)
        }
        return Encoded(whole: whole, own: object(ofRuns: own), parts: parts)
    }

    /// Every member some part holds: `groups` together, so that a name is looked up once.
    static let grouped = groups.reduce(into: Set<String>()) { $0.formUnion($1) }

    /// `groups` as lists, for `encode`.
    private static let groupLists = groups.map { Array($0) }

    /// One piece of a stored letter (its own members, a part, or the implied members), read once
    /// and laid out for `Assembler`: each member as `,"name":value`, its name in canonical form and
    /// its value's bytes as stored, in stored order (sorted, as lintas writes canonical JSON).
    /// A part is read once and kept (`LetterSeal.Parts`); its members cost nothing more per letter.
    public struct Piece: Sendable {
        /// The members, one after the other, each `,"name":value`.
        var bytes: [UInt8] = []
        /// Where each member stands in `bytes`: from its comma, its name ending before `nameEnd`
        /// (the closing quote), to `end`; `order`, its name's first eight bytes as one number
        /// (`Piece.order`).
        var members: [Member] = []
        typealias Member = (start: Int, nameEnd: Int, end: Int, order: UInt64)
        /// The names written with escapes (none in what lintas writes), decoded, by member index:
        /// compared as text, not as their escaped bytes.
        var escapedNames: [Int: String] = [:]

        public init() {}

        /// The members of one piece's JSON.
        /// - Throws: when it is not a JSON object.
        public init(_ piece: UnsafeRawBufferPointer) throws(JSONSyntaxError) {
            try read(piece)
        }

        /// Reads `piece` into this one, keeping its buffers' capacity (a letter's own members, read
        /// for every letter). Its members are found by matching brackets and quotes only
        /// (`JSONReader.skipMatching()`), what lies between them not checked: the whole content
        /// put together from the pieces is checked byte for byte, by its seal in `audit` (a piece
        /// that is not canonical JSON makes a whole that is not the content sealed) and by
        /// parsing it where it is shown (`LetterSeal.whole`).
        public mutating func read(_ piece: UnsafeRawBufferPointer) throws(JSONSyntaxError) {
            removeAll()
            if try readAsWritten(piece) { return }
            removeAll()
            try JSONReader.read(piece.assumingMemoryBound(to: UInt8.self)) { (reader) throws(JSONSyntaxError) in
                try reader.members(matching: { (reader, name) throws(JSONSyntaxError) in
                    let value = try reader.skipMatching()
                    if name.contains(UInt8(ascii: "\\")) {
                        let decoded = try JSONValue.parse([UInt8(ascii: "\"")] + Array(name) + [UInt8(ascii: "\"")])
                        guard case .string(let text) = decoded else { return }
                        escapedNames[members.count] = text
                        append(name: text, value: UnsafeBufferPointer(rebasing: reader.bytes[value]))
                    } else {
                        append(name: name, value: value, in: reader.bytes)
                    }
                })
            }
        }

        /// `read` of a piece written as lintas writes JSON, its members one after the other from
        /// its first byte, each `{"name":value` or `,"name":value` without whitespace and with no
        /// escape in its name: the members' bounds found, then their bytes copied in one run, the
        /// brace made a comma (not a copy a member). `false`, with members found so far kept, for
        /// any other piece, which `read` then reads member by member.
        private mutating func readAsWritten(_ piece: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> Bool {
            let source = piece.assumingMemoryBound(to: UInt8.self)
            guard let base = source.baseAddress else { return false }
            var asWritten = true, end = 0
            try JSONReader.read(source) { (reader) throws(JSONSyntaxError) in
                try reader.members(matching: { (reader, name) throws(JSONSyntaxError) in
                    let value = try reader.skipMatching()
                    guard asWritten, let at = name.baseAddress, at - base == end + 2, value.lowerBound == end + 4 + name.count,
                          !name.contains(UInt8(ascii: "\\")) else {
                        asWritten = false
                        return
                    }
                    members.append((end, end + 2 + name.count, value.upperBound, Piece.order(name)))
                    end = value.upperBound
                })
            }
            guard asWritten else { return false }
            guard end > 0 else { return true }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[0..<end]))
            bytes[0] = UInt8(ascii: ",")
            return true
        }

        /// The implied members (`LetterParts.implied`) none of the other pieces holds, written
        /// without a dictionary: the assembler leaves out those another piece holds.
        mutating func setImplied(_ letter: LetterRecord, request: RequestID) {
            removeAll()
            LetterParts.forEachImplied(letter, request: request) { append(name: $0, string: $1) }
        }

        /// `setImplied` of a letter as its stored event says it, written from the event's bytes:
        /// no `String` built for a value that is stored as canonical JSON writes it.
        mutating func setImplied(_ letter: StoredLetter, request: UnsafeRawBufferPointer) {
            if letter.impliesPlainly(request: request) { return setPlainImplied(letter, request: request) }
            removeAll()
            LetterParts.forEachImplied(numbering: letter.numbering) { name, member in
                append(name: name) { bytes in
                    switch member {
                    case .id: letter.writeID(into: &bytes)
                    case .number: StoredLetter.write(token: letter.number, into: &bytes)
                    case .request: StoredLetter.write(text: request, into: &bytes)
                    }
                }
            }
        }

        /// `setImplied` of a letter whose implied members are written from its tokens and the
        /// request as they stand (`StoredLetter.impliesPlainly`): the same bytes, written into
        /// room made once and appended in one copy, the names' orders known beforehand, where a
        /// member at a time cost an append a key and a value (about 2,000 instructions a letter).
        private mutating func setPlainImplied(_ letter: StoredLetter, request: UnsafeRawBufferPointer) {
            let numbered = letter.numbering != .none, external = letter.numbering == .external
            // `,"request":"…"`; `,"id":"register/…"` with the sequence's digits (at most 20) or
            // `/external:` and the number; `,"number":` and its token.
            var room = 13 + request.count
            if numbered { room += 6 + letter.register.count + (external ? 9 + letter.number.count : 21) + 10 + letter.number.count }
            if !escapedNames.isEmpty { escapedNames.removeAll() }
            members.removeAll(keepingCapacity: true)
            withUnsafeTemporaryAllocation(byteCount: room, alignment: 1) { room in
                let base = room.baseAddress!
                var cursor = ByteCursor(at: base)
                var offsets: (start: Int, nameEnd: Int) = (0, 0)
                func key(_ name: StaticString) {
                    offsets = (base.distance(to: cursor.position), base.distance(to: cursor.position) + 2 + name.utf8CodeUnitCount)
                    cursor.put(UInt8(ascii: ","))
                    cursor.put(UInt8(ascii: "\""))
                    cursor.put(name)
                    cursor.put("\":")
                }
                func added(_ order: UInt64) { members.append((offsets.start, offsets.nameEnd, base.distance(to: cursor.position), order)) }
                if numbered {
                    key("id")
                    cursor.put(UnsafeRawBufferPointer(rebasing: letter.register.dropLast()))
                    if external {
                        cursor.put("/external:")
                        cursor.put(UnsafeRawBufferPointer(rebasing: letter.number.dropFirst()))
                    } else {
                        cursor.put(UInt8(ascii: "/"))
                        cursor.put(integer: Int64(letter.sequence))
                        cursor.put(UInt8(ascii: "\""))
                    }
                    added(Self.impliedOrders.id)
                    key("number")
                    cursor.put(letter.number)
                    added(Self.impliedOrders.number)
                }
                key("request")
                cursor.put(UInt8(ascii: "\""))
                cursor.put(request)
                cursor.put(UInt8(ascii: "\""))
                added(Self.impliedOrders.request)
                assert(base.distance(to: cursor.position) <= room.count, "the implied members wrote past their room")
                bytes.removeAll(keepingCapacity: true)
                bytes.append(contentsOf: UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: base.distance(to: cursor.position)))
            }
        }

        /// The implied members' names' orders (`order`).
        private static let impliedOrders = (id: order("id"), number: order("number"), request: order("request"))

        static func order(_ name: StaticString) -> UInt64 { order(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)) }

        /// The members of `implied`, in canonical order.
        init(implied: [String: JSONValue]) {
            members.reserveCapacity(implied.count)  // not grown member by member
            for (name, value) in JSONWriter.sortedMembers(implied) {
                let start = bytes.count
                bytes.append(UInt8(ascii: ","))
                JSONWriter.writeString(name, into: &bytes)
                if name.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 }) { escapedNames[members.count] = name }
                let nameEnd = bytes.count - 1
                bytes.append(UInt8(ascii: ":"))
                JSONWriter.write(value, into: &bytes)
                added(start: start, nameEnd: nameEnd)
            }
        }

        private mutating func removeAll() {
            bytes.removeAll(keepingCapacity: true)
            members.removeAll(keepingCapacity: true)
            if !escapedNames.isEmpty { escapedNames.removeAll() }
        }

        /// Appends a member read from `source`, whose name stands in it and whose value is
        /// `source[value]`: as one run of `source` when the member is written there as
        /// `,"name":value` or `{"name":value` (no whitespace, as lintas writes JSON), its first
        /// byte then made a comma; else put together.
        private mutating func append(name: UnsafeBufferPointer<UInt8>, value: Range<Int>, in source: UnsafeBufferPointer<UInt8>) {
            if let base = source.baseAddress, let at = name.baseAddress {
                let nameStart = at - base, nameEnd = nameStart + name.count
                if nameStart >= 2, value.lowerBound == nameEnd + 2,
                   source[nameStart - 2] == UInt8(ascii: ",") || source[nameStart - 2] == UInt8(ascii: "{") {
                    let start = bytes.count
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[(nameStart - 2)..<value.upperBound]))
                    bytes[start] = UInt8(ascii: ",")
                    added(start: start, nameEnd: start + 2 + name.count)
                    return
                }
            }
            append(name: name, value: UnsafeBufferPointer(rebasing: source[value]))
        }

        private mutating func append(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
            let start = bytes.count
            bytes.append(UInt8(ascii: ","))
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: name)
            let nameEnd = bytes.count
            bytes.append(UInt8(ascii: "\""))
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: value)
            added(start: start, nameEnd: nameEnd)
        }

        private mutating func append(name: String, value: UnsafeBufferPointer<UInt8>) {
            let start = bytes.count
            bytes.append(UInt8(ascii: ","))
            JSONWriter.writeString(name, into: &bytes)
            let nameEnd = bytes.count - 1
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: value)
            added(start: start, nameEnd: nameEnd)
        }

        private mutating func append(name: StaticString, string: String) {
            append(name: name) { JSONWriter.writeString(string, into: &$0) }
        }

        /// Appends the member `name` with the value `value` writes as canonical JSON: for a piece
        /// written member by member, without a tree of its values. Names come in canonical order.
        mutating func append(name: StaticString, value: (inout [UInt8]) -> Void) {
            let start = bytes.count
            JSONWriter.writeKey(name, into: &bytes)
            value(&bytes)
            added(start: start, nameEnd: start + 2 + name.utf8CodeUnitCount)
            assert(members.count < 2 || precedes(members.count - 2, self, members.count - 1) == true, "\(name) out of canonical order")
        }

        /// A piece written member by member into one run (`ByteRun`), each value written in
        /// place, and handed over whole (`finish`): a letter's own members and its request part,
        /// composed for every letter, where appending each key, string and bracket to `bytes`
        /// costs an array's uniqueness and capacity check and a generic copy.
        struct Writer {
            private var run: ByteRun
            private var members: [Member] = []

            /// Room for `bytes` bytes and `members` members made once (grown if more are written).
            init(reservingCapacity bytes: Int, members: Int) {
                run = ByteRun(capacity: bytes)
                self.members.reserveCapacity(members)
            }

            /// As `Piece.append(name:value:)`: the member `name` with the value `value` writes as
            /// canonical JSON. Names come in canonical order.
            mutating func append(name: StaticString, value: (inout ByteRun) -> Void) {
                let start = run.count
                run.writeKey(name, first: false)
                value(&run)
                members.append((start, start + 2 + name.utf8CodeUnitCount, run.count, Piece.order(name)))
            }

            /// The piece written; the writer is left empty.
            mutating func finish() -> Piece {
                var piece = Piece()
                piece.bytes = run.finish()
                swap(&piece.members, &members)
                assert(piece.members.indices.dropFirst().allSatisfy { piece.precedes($0 - 1, piece, $0) == true }, "members out of canonical order")
                return piece
            }
        }

        /// The member `name`'s value when it is a string, read from its bytes (no tree of the piece made).
        func string(_ name: StaticString) -> String? {
            bytes.withUnsafeBufferPointer { bytes in
                guard let member = members.first(where: { JSONReader.equal(UnsafeBufferPointer(rebasing: bytes[($0.start + 2)..<$0.nameEnd]), name) }) else { return nil }
                return (try? JSONValue.parse(Array(bytes[(member.nameEnd + 2)..<member.end])))?.stringValue
            }
        }

        /// Records the member just written from `start` to the end of `bytes`, its name ending before `nameEnd`.
        private mutating func added(start: Int, nameEnd: Int) {
            members.append((start, nameEnd, bytes.count, bytes.withUnsafeBufferPointer { Piece.order(UnsafeBufferPointer(rebasing: $0[(start + 2)..<nameEnd])) }))
        }

        /// A name's first eight bytes as a big-endian number, zeros after a shorter name: two names
        /// whose numbers differ sort as their numbers do (bytes compared unsigned, a name sorting
        /// before any it begins); equal numbers tell nothing and the names are compared whole.
        static func order(_ name: UnsafeBufferPointer<UInt8>) -> UInt64 {
            guard let base = name.baseAddress else { return 0 }
            if name.count >= 8 { return UInt64(bigEndian: UnsafeRawPointer(base).loadUnaligned(as: UInt64.self)) }
            var order: UInt64 = 0
            for index in 0..<name.count { order |= UInt64(base[index]) << (56 - 8 * index) }
            return order
        }

        /// Whether member `index`'s name sorts before member `other`'s of `piece`, compared as text
        /// (for names written with escapes); `nil` when they are the same name.
        func precedes(_ index: Int, _ piece: Piece, _ other: Int) -> Bool? {
            let first = name(index), second = piece.name(other)
            return first == second ? nil : JSONWriter.precedes(first, second)
        }

        /// The members as a tree, read from their canonical JSON (`object(ofRuns:)`).
        var tree: [String: JSONValue] { (try? JSONValue.parse(LetterParts.object(ofRuns: bytes)))?.objectValue ?? [:] }

        /// Member `index`'s name as written.
        func name(_ index: Int) -> String {
            escapedNames[index] ?? String(decoding: bytes[(members[index].start + 2)..<members[index].nameEnd], as: UTF8.self)
        }
    }

    /// Writes a stored letter's whole content from its pieces, without putting it together in a
    /// buffer: the members of all pieces merged in canonical name order, each written as its piece
    /// holds it, handed to a sink in runs (one a member): a seal is checked by feeding them to
    /// SHA-256. Reused from letter to letter, so a letter's pieces cost no allocation once the
    /// buffers have grown.
    public struct Assembler {
        /// The letter's own members, the implied ones, then its parts.
        private var pieces: [Piece] = [Piece(), Piece()]
        private static let implied = 1

        public init() {}

        /// Starts a letter from the members its event keeps.
        /// - Throws: when they are not a JSON object.
        public mutating func start(own: UnsafeRawBufferPointer) throws(JSONSyntaxError) {
            pieces.removeSubrange(2...)
            try pieces[0].read(own)
        }

        /// Starts a letter from its own members already laid out as a piece.
        mutating func start(own: Piece) {
            pieces.removeSubrange(2...)
            pieces[0] = own
        }

        /// Adds a part, in the order the event lists them.
        public mutating func add(_ part: Piece) { pieces.append(part) }

        /// Writes the whole content: the pieces' members and the `implied` members of `letter` none
        /// of them holds, as one canonical object.
        /// - Throws: when two pieces hold the same member.
        public mutating func write(implying letter: LetterRecord, request: RequestID, to sink: (UnsafeRawBufferPointer) -> Void) throws(JSONSyntaxError) {
            pieces[Assembler.implied].setImplied(letter, request: request)
            try write(to: sink)
        }

        /// The own members' canonical JSON without those the implied piece of the last `write` holds
        /// byte for byte (`split`'s rule: the event says them already): what the store keeps as a
        /// composed letter's `content`. Runs of members kept one after the other copied at once.
        func ownLeavingOutImplied() -> [UInt8] {
            let own = pieces[0], implied = pieces[Assembler.implied]
            var output: [UInt8] = []
            output.reserveCapacity(own.bytes.count + 1)
            own.bytes.withUnsafeBufferPointer { bytes in
                implied.bytes.withUnsafeBufferPointer { impliedBytes in
                    func isImplied(_ member: Piece.Member) -> Bool {
                        implied.members.contains { other in
                            other.end - other.start == member.end - member.start
                                && bytes[member.start..<member.end].elementsEqual(impliedBytes[other.start..<other.end])
                        }
                    }
                    var run: Range<Int>?
                    func flush() {
                        guard let kept = run else { return }
                        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[kept]))
                        run = nil
                    }
                    for member in own.members {
                        if isImplied(member) {
                            flush()
                        } else if let kept = run {
                            run = kept.lowerBound..<member.end
                        } else {
                            run = member.start..<member.end
                        }
                    }
                    flush()
                }
            }
            if output.isEmpty { return [UInt8(ascii: "{"), UInt8(ascii: "}")] }
            output[0] = UInt8(ascii: "{")
            output.append(UInt8(ascii: "}"))
            return output
        }

        /// `write(implying:request:to:)` of a letter as its stored event says it (`StoredLetter`),
        /// its implied members written from the event's bytes; `request` is the stored column.
        public mutating func write(implying letter: StoredLetter, request: UnsafeRawBufferPointer,
                                   to sink: (UnsafeRawBufferPointer) -> Void) throws(JSONSyntaxError) {
            pieces[Assembler.implied].setImplied(letter, request: request)
            try write(to: sink)
        }

        /// `write` with implied members given as values.
        mutating func write(implied members: [String: JSONValue], to sink: (UnsafeRawBufferPointer) -> Void) throws(JSONSyntaxError) {
            pieces[Assembler.implied] = Piece(implied: members)
            try write(to: sink)
        }

        private mutating func write(to sink: (UnsafeRawBufferPointer) -> Void) throws(JSONSyntaxError) {
            var cursors: [Cursor] = []
            swap(&cursors, &self.cursors)
            defer {
                cursors.removeAll(keepingCapacity: true)
                swap(&cursors, &self.cursors)
            }
            if let duplicate = Assembler.open(pieces, from: 0, into: &cursors, sink) {
                throw JSONSyntaxError(message: "the member \"\(pieces[duplicate.piece].name(duplicate.member))\" is in two pieces of the letter", line: 1, column: 1)
            }
        }

        /// Where the merge stands in one piece, borrowed for one `write`.
        private struct Cursor {
            let bytes: UnsafeBufferPointer<UInt8>
            let members: UnsafeBufferPointer<Piece.Member>
            let escaped: Bool
            var next = 0
        }
        private var cursors: [Cursor] = []

        /// Borrows the buffers of `pieces[index...]` and merges them (`merge`).
        private static func open(_ pieces: [Piece], from index: Int, into cursors: inout [Cursor],
                                 _ sink: (UnsafeRawBufferPointer) -> Void) -> (piece: Int, member: Int)? {
            guard index < pieces.count else { return merge(pieces, &cursors, sink) }
            return pieces[index].bytes.withUnsafeBufferPointer { bytes in
                pieces[index].members.withUnsafeBufferPointer { members in
                    cursors.append(Cursor(bytes: bytes, members: members, escaped: !pieces[index].escapedNames.isEmpty))
                    return open(pieces, from: index + 1, into: &cursors, sink)
                }
            }
        }

        /// The members of all pieces to `sink` in canonical name order, each run `,"name":value`
        /// as its piece holds it, in braces. A name both an implied member and another piece hold
        /// is taken from the other piece (chosen first; the implied one is then passed over).
        /// Members that follow one another in one piece go to `sink` as one run (each call of
        /// `sink` is a SHA-256 update when a seal is checked).
        ///
        /// Each step takes the piece whose next member's name sorts first. Without names written
        /// with escapes, a name's `order` alone decides when no other next name has the same:
        /// two names whose orders differ sort as their orders do (`Piece.order`), so the piece
        /// with the one least order is the one every pair's comparison would choose, and its
        /// member is not the one before it unless their orders are equal. Names compared whole
        /// only then (`choose`); the cursors walked in place (no array's bounds or uniqueness
        /// checked a step); a piece's members taken one after the other while they sort before
        /// every other piece's next (`run`); each piece's next order kept beside the others in `heads`,
        /// so a step that looks at all of them reads one word a piece.
        /// - Returns: a member another piece holds too, or `nil`.
        private static func merge(_ pieces: [Piece], _ cursors: inout [Cursor], _ sink: (UnsafeRawBufferPointer) -> Void) -> (piece: Int, member: Int)? {
            cursors.withUnsafeMutableBufferPointer { cursors in merge(pieces, cursors, sink) }
        }

        private static func merge(_ pieces: [Piece], _ cursors: UnsafeMutableBufferPointer<Cursor>,
                                  _ sink: (UnsafeRawBufferPointer) -> Void) -> (piece: Int, member: Int)? {
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: cursors.count) { heads in
                for index in cursors.indices { heads[index] = head(cursors[index]) }
                return merge(pieces, cursors, heads, sink)
            }
        }

        /// The order of a cursor's next name, `UInt64.max` when it has none left (or when that is
        /// its order: such a piece is looked at whole, `choose`).
        @inline(__always)
        private static func head(_ cursor: Cursor) -> UInt64 {
            cursor.next < cursor.members.count ? cursor.members[cursor.next].order : UInt64.max
        }

        /// `merge` with each cursor's `head` in `heads`, which a step scans instead of the cursors.
        private static func merge(_ pieces: [Piece], _ cursors: UnsafeMutableBufferPointer<Cursor>, _ heads: UnsafeMutableBufferPointer<UInt64>,
                                  _ sink: (UnsafeRawBufferPointer) -> Void) -> (piece: Int, member: Int)? {
            /// Whether the next member of `index` sorts before that of `other`; `nil` for the same name.
            func sorts(_ index: Int, _ other: Int) -> Bool? {
                let (left, right) = (cursors[index], cursors[other])
                if left.escaped || right.escaped { return pieces[index].precedes(left.next, pieces[other], right.next) }
                return Assembler.precedes(left.bytes, left.members[left.next], right.bytes, right.members[right.next])
            }
            /// The piece whose next name sorts first, names compared whole; on a tie, the first piece
            /// but the implied one.
            func choose() -> Int {
                var chosen = -1
                for index in cursors.indices where cursors[index].next < cursors[index].members.count {
                    if chosen >= 0 {
                        let precedes = sorts(index, chosen)
                        guard precedes == true || (precedes == nil && chosen == Assembler.implied) else { continue }
                    }
                    chosen = index
                }
                return chosen
            }
            let escaped = cursors.contains { $0.escaped }
            let open: UInt8 = UInt8(ascii: "{"), close: UInt8 = UInt8(ascii: "}")
            withUnsafeBytes(of: open) { sink($0) }
            var previous: (piece: Int, member: Int)?
            var previousOrder: UInt64 = 0
            // The bytes chosen but not yet handed to `sink`: one piece's, from `start` to `end`.
            var pending: (piece: Int, start: Int, end: Int)?
            func flush() {
                guard let run = pending else { return }
                sink(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: cursors[run.piece].bytes[run.start..<run.end])))
                pending = nil
            }
            // The piece last chosen by its least order, and the least order of the others' next
            // names then (which have not moved since): while its next name's order is less, it is
            // chosen again without a look at the others.
            var (run, bound) = (-1, UInt64.max)
            func advance(_ index: Int) {
                cursors[index].next += 1
                heads[index] = head(cursors[index])
            }
            while true {
                var chosen = -1
                if run >= 0, heads[run] < bound {
                    chosen = run
                } else {
                    // Heads of `UInt64.max` passed over: a piece without names left, or (the rest
                    // all such) one whose next is looked at whole.
                    var least = UInt64.max, second = UInt64.max, tied = false
                    for index in heads.indices {
                        let order = heads[index]
                        if order < least {
                            second = least
                            (chosen, least, tied) = (index, order, false)
                        } else if order == least {
                            tied = true
                        } else if order < second {
                            second = order
                        }
                    }
                    if chosen < 0 || tied || escaped {
                        chosen = choose()
                        guard chosen >= 0 else { break }
                        run = -1
                    } else {
                        (run, bound) = (chosen, second)
                    }
                }
                let cursor = cursors[chosen]
                let bounds = cursor.members[cursor.next]
                if let previous, previousOrder == bounds.order || escaped {
                    let earlier = cursors[previous.piece]
                    let same = earlier.escaped || cursor.escaped
                        ? pieces[previous.piece].precedes(previous.member, pieces[chosen], cursor.next) == nil
                        : Assembler.precedes(earlier.bytes, earlier.members[previous.member], cursor.bytes, bounds) == nil
                    if same {
                        guard chosen == Assembler.implied else { return (chosen, cursor.next) }
                        advance(chosen)
                        continue
                    }
                }
                let start = previous == nil ? bounds.start + 1 : bounds.start
                if let run = pending, run.piece == chosen, run.end == start {
                    pending = (chosen, run.start, bounds.end)
                } else {
                    flush()
                    pending = (chosen, start, bounds.end)
                }
                previous = (chosen, cursor.next)
                previousOrder = bounds.order
                advance(chosen)
            }
            flush()
            withUnsafeBytes(of: close) { sink($0) }
            return nil
        }

        /// Whether the first member's name sorts before the second's, by their bytes (names without
        /// escapes); `nil` when they are the same name.
        @inline(__always)
        private static func precedes(_ first: UnsafeBufferPointer<UInt8>, _ left: Piece.Member,
                                     _ second: UnsafeBufferPointer<UInt8>, _ right: Piece.Member) -> Bool? {
            if left.order != right.order { return left.order < right.order }
            var (i, j) = (left.start + 2, right.start + 2)
            while i < left.nameEnd && j < right.nameEnd {
                if first[i] != second[j] { return first[i] < second[j] }
                i += 1
                j += 1
            }
            let (leftDone, rightDone) = (i == left.nameEnd, j == right.nameEnd)
            return leftDone && rightDone ? nil : leftDone
        }
    }

    /// The canonical JSON of the whole content from the canonical JSON of its own members and of
    /// its parts, and the `implied` members none of them holds: their members merged in canonical
    /// key order, each value's bytes as stored (`Assembler`).
    /// - Throws: when a piece is not a JSON object, or two pieces hold the same member.
    public static func assemble(own: [UInt8], parts: [[UInt8]], implied: [String: JSONValue] = [:]) throws(JSONSyntaxError) -> [UInt8] {
        var assembler = Assembler()
        try own.withUnsafeBytes { own in Result { () throws(JSONSyntaxError) in try assembler.start(own: own) } }.get()
        for part in parts {
            assembler.add(try part.withUnsafeBytes { part in Result { () throws(JSONSyntaxError) in try Piece(part) } }.get())
        }
        var output: [UInt8] = []
        try assembler.write(implied: implied) { output.append(contentsOf: $0) }
        return output
    }
}

extension LetterParts {
    /// One part of a composed letter (a `groups` entry): its members laid out for `Assembler`
    /// (`piece`), written once, and their canonical JSON (`bytes`, what the store keeps under its
    /// hash) made from the piece's runs when asked for, so that a part kept with its request's
    /// state is held once. Its members as a tree are read back from those bytes (`members`), so
    /// the tree and the bytes cannot differ.
    public struct Part: Sendable, Hashable {
        let piece: Piece

        /// The members' canonical JSON: the piece's runs (`,"name":value` each) in braces.
        public var bytes: [UInt8] { LetterParts.object(ofRuns: piece.bytes) }

        /// The members, read from `bytes`.
        public var members: [String: JSONValue] { piece.tree }

        /// Whether the part has no member (it is then not stored).
        public var isEmpty: Bool { piece.members.isEmpty }

        /// Whether every member belongs to the group the part was made for (`init(_:group:)`).
        let inGroup: Bool

        /// A part of `groups[group]`'s members; `inGroup` says whether they all are.
        init(_ members: [String: JSONValue], group: Int) {
            self.init(members, inGroup: members.keys.allSatisfy { LetterParts.groups[group].contains($0) })
        }

        public init(_ members: [String: JSONValue]) {
            self.init(members, inGroup: true)
        }

        /// A part of `groups[1]`'s members (the request part), written member by member in
        /// canonical order (`Piece.append(name:value:)`).
        init(requestMembers piece: Piece) {
            self.piece = piece
            inGroup = true
        }

        private init(_ members: [String: JSONValue], inGroup: Bool) {
            self.inGroup = inGroup
            piece = Piece(implied: members)
        }

        /// Equal when their bytes are: the pieces' runs, which the bytes are made of.
        public static func == (lhs: Part, rhs: Part) -> Bool { lhs.piece.bytes == rhs.piece.bytes }
        public func hash(into hasher: inout Hasher) { hasher.combine(piece.bytes) }
    }

    /// A composed letter sealed and split for the store without its whole content as one tree or
    /// one buffer: the members the event keeps (`own`, without those `implied` gives the same, as
    /// `split` leaves them out) and the parts' bytes, and the whole content's canonical JSON
    /// handed to `sink` in runs (`Assembler`), for its seal.
    /// - Throws: when two pieces hold the same member (a defect of `groups`).
    public static func encode(_ composed: ComposedLetter, implying letter: LetterRecord, request: RequestID,
                              assembler: inout Assembler, whole sink: (UnsafeRawBufferPointer) -> Void) throws(JSONSyntaxError) -> Encoded {
        assembler.start(own: composed.own)
        for part in composed.parts where !part.isEmpty { assembler.add(part.piece) }
        try assembler.write(implying: letter, request: request, to: sink)
        return Encoded(whole: [], own: assembler.ownLeavingOutImplied(), parts: composed.parts.filter { !$0.isEmpty }.map(\.bytes))
    }
}

/// A letter's content as `decide` composes it (`LetterDraft.compose`): its own members and its
/// parts, in the order of `LetterParts.groups`, each as the piece it is written as. The content is
/// their members together (`content`); sealing and storing use the pieces' bytes as they are
/// (`LetterParts.encode`).
public struct ComposedLetter: Sendable, Hashable {
    /// The letter's own members, `id`, `number` and `request` included, written once as they are
    /// sealed and (without those the event says already) stored.
    let own: LetterParts.Piece
    public private(set) var parts: [LetterParts.Part]

    /// The pieces as composed, the parts laid out again by `LetterParts.groups` when a member is not
    /// in the part its group says (`groups` is the one rule of what a part holds, as `split` applies
    /// it). The own members' names are `LetterDraft`'s and in no group (checked in debug builds).
    init(own: LetterParts.Piece, parts: [LetterParts.Part]) {
        assert(own.members.indices.allSatisfy { !LetterParts.grouped.contains(own.name($0)) }, "an own member belongs to a part")
        self.own = own
        self.parts = parts
        if parts.contains(where: { !$0.inGroup }) {
            let (_, parts) = LetterParts.split(content)
            self.parts = parts.map { LetterParts.Part($0.objectValue ?? [:]) }
        }
    }

    /// The whole content as one tree.
    public var content: JSONValue {
        var members = own.tree
        for part in parts { members.merge(part.members) { mine, _ in mine } }
        return .object(members)
    }

    public static func == (lhs: ComposedLetter, rhs: ComposedLetter) -> Bool { lhs.own.bytes == rhs.own.bytes && lhs.parts == rhs.parts }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(own.bytes)
        hasher.combine(parts)
    }
}

/// The frames of letters already composed, reused by later letters of the same office, step and
/// date (`LetterDraft.compose`): passed into `decide` by its caller, who keeps one per org
/// directory version (a frame is resolved against the directory; the key does not name it).
/// Keeping it changes no letter: a frame is a pure function of its key and the directory. It also
/// carries the request part of the command under way (`RequestPart`), lent by the caller.
public struct LetterFrames: Sendable {
    struct Key: Hashable {
        /// The definition and the index of the transition in it: together they name the letter spec
        /// and the article (a definition's hash names its content), compared as two values on a hit.
        let definition: DefinitionHash
        let transition: Int
        let date: CivilDate
        let signer: Officeholder
        let onBehalfOf: Officeholder?
        let followsRequest: Bool
        let hasContents: Bool
        /// The values of the fields the tembusan and addressee resolve from.
        let fields: [JSONValue?]

        /// Hashes what tells frames apart cheaply; `==` still compares every member.
        func hash(into hasher: inout Hasher) {
            hasher.combine(definition)
            hasher.combine(transition)
            hasher.combine(date)
            hasher.combine(signer.nip)
            hasher.combine(fields.count)
            for case .string(let value)? in fields { hasher.combine(value) }
        }
    }

    private var frames: [Key: LetterParts.Part] = [:]
    /// At most this many frames are kept; then they are dropped and composed again.
    public static let limit = 1_024

    /// A request's part as its last letter had it, with the values it was composed from. Not kept
    /// here by request: the caller keeps it with the request's state (one cache, one eviction) and
    /// lends it for the request's next command (`lend`), taking it back after (`takeRequestPart`).
    public struct RequestPart: Sendable {
        let request: RequestID
        let definition: DefinitionHash
        let values: [JSONValue?]
        let part: LetterParts.Part
    }

    /// The request part lent for the command under way, or the one its letter composed.
    private var requestPart: RequestPart?

    public init() {}

    /// Lends the request part the caller kept for the request of the next command (`nil`: none kept).
    public mutating func lend(_ part: RequestPart?) { requestPart = part }

    /// The request part lent or composed since `lend`, for the caller to keep with the request's state.
    public mutating func takeRequestPart() -> RequestPart? {
        defer { requestPart = nil }
        return requestPart
    }

    /// The request part of `request`'s letter: the one lent, when it is that request's and composed
    /// from the same definition and values, else `make`'s (which is then kept until taken).
    mutating func requestPart(_ request: RequestID, definition: DefinitionHash, values: [JSONValue?],
                              make: () -> LetterParts.Part) -> LetterParts.Part {
        if let known = requestPart, known.request == request, known.definition == definition, known.values == values { return known.part }
        let part = make()
        requestPart = RequestPart(request: request, definition: definition, values: values, part: part)
        return part
    }

    mutating func frame(_ key: Key, make: () -> LetterParts.Part) -> LetterParts.Part {
        if let known = frames[key] { return known }
        let frame = make()
        if frames.count >= Self.limit { frames.removeAll(keepingCapacity: true) }
        frames[key] = frame
        return frame
    }
}
