/// A letter as its stored event says it, lent from the event's bytes for one check of its seal
/// (`RequestFold.withStoredLetter`, `LetterSeal.problem`): its number, register and seal as the
/// JSON string tokens stored (quotes included) and its parts' hashes as the list stored, no
/// `String` built for any of them. Valid only inside the call that lends it.
public struct StoredLetter {
    /// `number`'s string token.
    public let number: UnsafeRawBufferPointer
    /// `register`'s string token.
    let register: UnsafeRawBufferPointer
    let sequence: Int
    public let numbering: LetterRecord.Numbering
    /// `content_hash`'s string token, `nil` when the letter has none.
    public let contentHash: UnsafeRawBufferPointer?
    /// `content_parts` as stored: a list of strings, as whoever lends the letter has checked.
    private let partList: UnsafeRawBufferPointer

    init(number: UnsafeRawBufferPointer, register: UnsafeRawBufferPointer, sequence: Int, numbering: LetterRecord.Numbering,
         contentHash: UnsafeRawBufferPointer?, parts: UnsafeRawBufferPointer) {
        self.number = number
        self.register = register
        self.sequence = sequence
        self.numbering = numbering
        self.contentHash = contentHash
        partList = parts
    }

    /// `letter` as its event stores it (its strings written as canonical JSON), lent to `body`:
    /// what checks a `LetterRecord`'s seal the way audit checks a stored one.
    public static func with<Result>(_ letter: LetterRecord, _ body: (StoredLetter) throws -> Result) rethrows -> Result {
        var bytes: [UInt8] = []
        func written(_ write: (inout [UInt8]) -> Void) -> Range<Int> {
            let start = bytes.count
            write(&bytes)
            return start..<bytes.count
        }
        let number = written { JSONWriter.writeString(letter.number, into: &$0) }
        let register = written { JSONWriter.writeString(letter.register, into: &$0) }
        let hash = letter.contentHash.map { hash in written { JSONWriter.writeString(hash, into: &$0) } }
        let parts = written { JSONWriter.writeStrings(letter.parts, into: &$0) }
        return try bytes.withUnsafeBytes { bytes in
            try body(StoredLetter(number: UnsafeRawBufferPointer(rebasing: bytes[number]), register: UnsafeRawBufferPointer(rebasing: bytes[register]),
                                  sequence: letter.sequence, numbering: letter.numbering,
                                  contentHash: hash.map { UnsafeRawBufferPointer(rebasing: bytes[$0]) }, parts: UnsafeRawBufferPointer(rebasing: bytes[parts])))
        }
    }

    /// Each part's hash as its string token, in the order stored.
    public var parts: PartTokens { PartTokens(list: partList) }

    /// Whether the content is stored in parts (`LetterParts`), not whole in the event.
    public var hasParts: Bool {
        var tokens = parts
        return tokens.next() != nil
    }

    /// The string tokens of a list of strings, found by their quotes (the list was read strictly).
    public struct PartTokens: Sequence, IteratorProtocol {
        let list: UnsafeRawBufferPointer
        var index = 0

        public mutating func next() -> UnsafeRawBufferPointer? {
            let bytes = list.assumingMemoryBound(to: UInt8.self)
            // Between the strings only the list's brackets, commas and whitespace.
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") { index += 1 }
            guard index < bytes.count, let end = JSONReader.closingQuote(in: bytes, after: index) else { return nil }
            defer { index = end + 1 }
            return UnsafeRawBufferPointer(rebasing: list[index...end])
        }
    }

    /// The letter's number, for messages.
    public var numberText: String { Self.text(number) }

    /// The text a string token holds.
    public static func text(_ token: UnsafeRawBufferPointer) -> String {
        withText(token) { String(decoding: $0, as: UTF8.self) }
    }

    /// The text a string token holds, as UTF-8: the bytes between its quotes when it has no
    /// escape (a token read strictly then holds no quote and no control byte), else decoded.
    public static func withText<Result>(_ token: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        let inner = inner(token)
        guard escapes(inner) else { return try body(inner) }
        let decoded = (try? JSONValue.parse(token.assumingMemoryBound(to: UInt8.self)))?.stringValue
            ?? String(decoding: inner, as: UTF8.self)
        return try Array(decoded.utf8).withUnsafeBytes(body)
    }

    /// Writes a string token as canonical JSON writes its text (`JSONWriter.writeString`): as
    /// it stands when it has no escape.
    static func write(token: UnsafeRawBufferPointer, into bytes: inout [UInt8]) {
        guard token.count >= 2, !escapes(inner(token)) else { return JSONWriter.writeString(text(token), into: &bytes) }
        append(token, to: &bytes)
    }

    /// Writes stored text (not JSON, as a column holds it) as a JSON string, as `writeString`
    /// writes the `String` read from it.
    static func write(text: UnsafeRawBufferPointer, into bytes: inout [UInt8]) {
        guard JSONWriter.isPlainASCII(text) else { return JSONWriter.writeString(String(decoding: text, as: UTF8.self), into: &bytes) }
        bytes.append(UInt8(ascii: "\""))
        append(text, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Whether the implied members (`LetterParts.forEachImplied`) are written from the tokens and
    /// the request as they stand (`writeID`, `write(token:)`, `write(text:)` each taking its plain
    /// way): no escape in the register or the number, a request of plain ASCII.
    func impliesPlainly(request: UnsafeRawBufferPointer) -> Bool {
        guard JSONWriter.isPlainASCII(request) else { return false }
        guard numbering != .none else { return true }
        return register.count >= 2 && number.count >= 2 && !Self.escapes(Self.inner(register)) && !Self.escapes(Self.inner(number))
    }

    /// Writes the letter's `id` (`LetterReference.id(register:sequence:external:number:)`) as a
    /// JSON string, from the tokens as they stand when they have no escape.
    func writeID(into bytes: inout [UInt8]) {
        let external = numbering == .external
        guard register.count >= 2, number.count >= 2, !Self.escapes(Self.inner(register)), !(external && Self.escapes(Self.inner(number))) else {
            return JSONWriter.writeString(LetterReference.id(register: Self.text(register), sequence: sequence, external: external, number: Self.text(number)),
                                          into: &bytes)
        }
        Self.append(UnsafeRawBufferPointer(rebasing: register.dropLast()), to: &bytes)
        if external {
            bytes.append(contentsOf: "/external:".utf8)
            Self.append(UnsafeRawBufferPointer(rebasing: number.dropFirst()), to: &bytes)
        } else {
            bytes.append(UInt8(ascii: "/"))
            JSONWriter.withDigits(of: Int64(sequence)) { bytes.append(contentsOf: $0) }
            bytes.append(UInt8(ascii: "\""))
        }
    }

    /// A string token's bytes between its quotes.
    private static func inner(_ token: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        token.count >= 2 ? UnsafeRawBufferPointer(rebasing: token[1..<(token.count - 1)]) : UnsafeRawBufferPointer(rebasing: token[0..<0])
    }

    /// Whether the bytes between a string token's quotes have an escape: a backslash, looked for
    /// eight bytes at a time (a token read strictly holds no quote or control byte inside).
    @inline(__always)
    private static func escapes(_ inner: UnsafeRawBufferPointer) -> Bool {
        JSONWriter.needsEscape(inner.assumingMemoryBound(to: UInt8.self))
    }

    /// Appends raw bytes in one copy (an untyped buffer is appended byte by byte).
    @inline(__always)
    private static func append(_ raw: UnsafeRawBufferPointer, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: raw.assumingMemoryBound(to: UInt8.self))
    }
}
