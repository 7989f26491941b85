/// A JSON value, parsed strictly (RFC 8259) and written canonically.
///
/// lintas reads commands, workflow files and org directories as JSON and hashes
/// events over a canonical JSON encoding, so it owns its codec: Foundation's
/// encoders neither promise a canonical form nor report where a document is wrong.
///
/// Canonical form: object keys sorted by their UTF-8 bytes, no insignificant
/// whitespace, strings with only `"`, `\` and control characters escaped,
/// integers in decimal, other numbers in Swift's shortest round-trip form.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The members of an object, or `nil` for any other value.
    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var intValue: Int64? {
        if case .int(let number) = self { return number }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// The `start` and `end` members of an object of at most two members (a period as lintas keeps one),
    /// found by reading its members rather than by hashing each name; of a larger object, looked up.
    /// `nil` for what is not an object; a member it lacks `nil`.
    var periodMembers: (start: JSONValue?, end: JSONValue?)? {
        guard case .object(let members) = self else { return nil }
        guard members.count <= 2 else { return (members["start"], members["end"]) }
        var start: JSONValue?, end: JSONValue?
        for (name, value) in members {
            if name.utf8.count == 5 && name == "start" { start = value } else if name.utf8.count == 3 && name == "end" { end = value }
        }
        return (start, end)
    }

    /// A short name of the value's type, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

extension JSONValue: ExpressibleByStringInterpolation {
    public init(stringLiteral value: String) { self = .string(value) }
}

// MARK: - Parsing

/// Where and why a JSON text is malformed.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// 1-based line and column of the offending byte.
    public var line: Int
    public var column: Int

    public var description: String { "line \(line), column \(column): \(message)" }
}

extension JSONValue {
    /// The deepest nesting accepted; deeper documents are refused rather than recursed into.
    public static let maximumDepth = 64

    /// Parses one JSON document; surrounding whitespace is allowed, anything else after it is not.
    /// - Throws: `JSONSyntaxError` naming the line and column of the first problem.
    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        var text = text
        return try text.withUTF8 { buffer in Result { () throws(JSONSyntaxError) in try parse(buffer) } }.get()
    }

    /// Parses one JSON document from UTF-8 bytes; invalid UTF-8 is refused.
    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer in Result { () throws(JSONSyntaxError) in try parse(buffer) } }.get()
    }

    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONParser(buffer)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.index < buffer.count {
            throw parser.error("unexpected \(parser.describeCurrent()) after the end of the document")
        }
        return value
    }
}

/// Reads one JSON object member by member, for decoders of a known shape (a stored event's
/// detail, a request's state) that need no `JSONValue` tree for the parts they know: the
/// daemon, replay and audit read many of them. As strict as `JSONValue.parse` about syntax;
/// unlike it, a member named twice is not refused (the last one is read): these decoders read
/// back what lintas wrote, and the event's hash or the audit's byte comparison covers the bytes.
public struct JSONReader {
    private var parser: JSONParser

    private init(_ parser: JSONParser) { self.parser = parser }

    /// Runs `body` on a reader of the bytes; anything but whitespace after the value is an error.
    public static func read<Result>(_ bytes: [UInt8], _ body: (inout JSONReader) throws(JSONSyntaxError) -> Result) throws(JSONSyntaxError) -> Result {
        try bytes.withUnsafeBufferPointer { buffer in
            Swift.Result { () throws(JSONSyntaxError) in try read(buffer, body) }
        }.get()
    }

    /// `read` over borrowed bytes (a column as SQLite holds it), without copying them.
    public static func read<Result>(_ buffer: UnsafeBufferPointer<UInt8>, _ body: (inout JSONReader) throws(JSONSyntaxError) -> Result) throws(JSONSyntaxError) -> Result {
        var reader = JSONReader(JSONParser(buffer))
        reader.parser.skipWhitespace()
        let result = try body(&reader)
        reader.parser.skipWhitespace()
        if reader.parser.index < buffer.count {
            throw reader.parser.error("unexpected \(reader.parser.describeCurrent()) after the end of the document")
        }
        return result
    }

    /// The bytes being read: what the ranges `rawRange()` and `skipMatching()` return index.
    public var bytes: UnsafeBufferPointer<UInt8> { parser.bytes }
    /// Where the reader stands in `bytes`.
    public var position: Int { parser.index }

    /// Reads an object, calling `member` with each name; `member` must read the value.
    public mutating func members(_ member: (inout JSONReader, String) throws(JSONSyntaxError) -> Void) throws(JSONSyntaxError) {
        try memberLoop({ (parser) throws(JSONSyntaxError) in try parser.parseString() }, member)
    }

    /// `members` with each name as its bytes between the quotes, as they stand (escapes not
    /// resolved, checked as strictly): no `String` per member. Names with escapes match no
    /// plain name a decoder looks for.
    ///
    /// With `resuming`, members read before by the caller (an event's opening, `RequestFold`)
    /// are stepped over and `member` is called for the members after them (`Resumption`).
    @inline(__always)
    public mutating func members(bytes member: (inout JSONReader, UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) -> Void,
                                 resuming: Resumption = .start) throws(JSONSyntaxError) {
        try memberLoop({ (parser) throws(JSONSyntaxError) in
            let start = parser.index + 1
            try parser.skipString()
            return UnsafeBufferPointer(rebasing: parser.bytes[start..<(parser.index - 1)])
        }, member, resuming: resuming)
    }

    /// Where `members(bytes:resuming:)` starts reading an object.
    public enum Resumption {
        /// At the object's opening brace.
        case start
        /// At this index: the object's bytes before it (its opening brace and one or more whole
        /// members, up to the end of a member's value) are the same bytes as a document's the
        /// caller read before, strictly and without error; a ',' or the closing brace follows.
        case after(Int)
        /// At the opening brace of the object's rest, stored apart from the members the caller
        /// read before, strictly and without error (`{` and the members after them, as an event's
        /// detail is stored without its opening): the brace stands where the ',' after those
        /// members would, so a member follows it, as one follows a ','.
        case rest
    }

    /// `members(bytes:)` for an object whose bytes are proven otherwise (see `skipMatching()`):
    /// names are found by their closing quote, not checked; read values with `skipMatching()`
    /// or more strictly.
    @inline(__always)
    public mutating func members(matching member: (inout JSONReader, UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) -> Void) throws(JSONSyntaxError) {
        try memberLoop({ (parser) throws(JSONSyntaxError) in
            guard let end = parser.closingQuote(after: parser.index) else { throw parser.error("unterminated string") }
            let key = UnsafeBufferPointer(rebasing: parser.bytes[(parser.index + 1)..<end])
            parser.index = end + 1
            return key
        }, member)
    }

    @inline(__always)
    private mutating func memberLoop<Key>(_ readKey: (inout JSONParser) throws(JSONSyntaxError) -> Key,
                                          _ member: (inout JSONReader, Key) throws(JSONSyntaxError) -> Void,
                                          resuming: Resumption = .start) throws(JSONSyntaxError) {
        switch resuming {
        case .start:
            guard try opens(UInt8(ascii: "{"), UInt8(ascii: "}"), "an object") else { return }
        case .after(let readBefore):
            parser.index = readBefore
            if try closes(UInt8(ascii: "}")) { return }
        case .rest:
            guard parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: "{") else { throw expected("an object") }
            parser.index += 1
        }
        while true {
            parser.skipWhitespace()
            guard parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: "\"") else {
                throw parser.error("unexpected \(parser.describeCurrent()), expected a member name in quotes")
            }
            let key = try readKey(&parser)
            parser.skipWhitespace()
            guard parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: ":") else {
                throw parser.error("unexpected \(parser.describeCurrent()), expected ':' after a member name")
            }
            parser.index += 1
            parser.skipWhitespace()
            try member(&self, key)
            if try closes(UInt8(ascii: "}")) { return }
        }
    }

    /// Steps into an object or array; false when it is empty (and read past).
    @inline(__always)
    private mutating func opens(_ open: UInt8, _ close: UInt8, _ what: String) throws(JSONSyntaxError) -> Bool {
        guard parser.index < parser.bytes.count, parser.bytes[parser.index] == open else { throw expected(what) }
        parser.index += 1
        parser.skipWhitespace()
        guard parser.index < parser.bytes.count && parser.bytes[parser.index] == close else { return true }
        parser.index += 1
        return false
    }

    /// After an item: reads past ',' (false) or the closing bracket (true).
    @inline(__always)
    private mutating func closes(_ close: UInt8) throws(JSONSyntaxError) -> Bool {
        parser.skipWhitespace()
        guard parser.index < parser.bytes.count else { throw parser.error("unexpected end of input, expected ',' or '\(Character(Unicode.Scalar(close)))'") }
        switch parser.bytes[parser.index] {
        case UInt8(ascii: ","): parser.index += 1; return false
        case close: parser.index += 1; return true
        default: throw parser.error("unexpected \(parser.describeCurrent()), expected ',' or '\(Character(Unicode.Scalar(close)))'")
        }
    }

    /// Reads an array, calling `element` at each item; `element` must read the item.
    public mutating func elements(_ element: (inout JSONReader) throws(JSONSyntaxError) -> Void) throws(JSONSyntaxError) {
        guard try opens(UInt8(ascii: "["), UInt8(ascii: "]"), "an array") else { return }
        while true {
            parser.skipWhitespace()
            try element(&self)
            if try closes(UInt8(ascii: "]")) { return }
        }
    }

    /// Whether a member name read by `members(bytes:)` is `name`, byte for byte.
    @inline(__always)
    public static func equal(_ key: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> Bool {
        guard key.count == name.utf8CodeUnitCount else { return false }
        let expected = name.utf8Start
        for index in 0..<key.count where key[index] != expected[index] { return false }
        return true
    }

    /// Reads any value as a tree.
    public mutating func value() throws(JSONSyntaxError) -> JSONValue { try parser.parseValue(depth: 1) }

    /// The bytes of the next value as they stand in the document, checked as strictly as `value()`.
    public mutating func raw() throws(JSONSyntaxError) -> [UInt8] {
        let start = parser.index
        try parser.skipValue(depth: 1)
        return Array(parser.bytes[start..<parser.index])
    }

    /// Whether `punctuation` (an object's opening brace, a comma between its members) and then
    /// `literal` (a member's name in quotes and its colon) stand at the reader's position, nothing
    /// between them, as lintas writes them: read past when they do. Compared as bytes, eight at a
    /// time: a name known in advance is not read as a string and told apart from the others.
    /// Its own loop, not `RequestFold.equal`'s comparison of any two runs: inlined with a literal,
    /// its length is known and the loop unrolls (through the general one replay took 0.8 % more).
    @inline(__always)
    public mutating func follows(_ punctuation: UInt8, _ literal: StaticString) -> Bool {
        let at = parser.index, count = literal.utf8CodeUnitCount
        guard at + 1 + count <= parser.bytes.count, parser.bytes[at] == punctuation else { return false }
        let base = UnsafeRawPointer(parser.bytes.baseAddress! + (at + 1)), expected = UnsafeRawPointer(literal.utf8Start)
        if count >= 8 {
            // Word by word, the last word overlapping the one before it.
            var offset = 0
            while offset < count {
                let word = min(offset, count - 8)
                guard base.loadUnaligned(fromByteOffset: word, as: UInt64.self) == expected.loadUnaligned(fromByteOffset: word, as: UInt64.self) else { return false }
                offset += 8
            }
        } else {
            for offset in 0..<count where base.load(fromByteOffset: offset, as: UInt8.self) != expected.load(fromByteOffset: offset, as: UInt8.self) { return false }
        }
        parser.index = at + 1 + count
        return true
    }

    /// Whether the next value is an object.
    public var isAtObject: Bool { parser.index < parser.bytes.count && parser.bytes[parser.index] == UInt8(ascii: "{") }

    /// Reads past any value, as strictly as `value()`, without building it: no allocation
    /// unless a string has escapes or text that is not ASCII (validated as UTF-8).
    public mutating func skip() throws(JSONSyntaxError) { try parser.skipValue(depth: 1) }

    /// Where the next value stands in `bytes`, read past as strictly as `skip()`.
    public mutating func rawRange() throws(JSONSyntaxError) -> Range<Int> {
        let start = parser.index
        try parser.skipValue(depth: 1)
        return start..<parser.index
    }

    /// `rawRange()` for a value that is most often a list of strings without whitespace (as
    /// lintas writes a letter's parts' hashes): read string by string, each as strictly as
    /// `skip()` reads one, without `skip()`'s walk of any value (a hash as lintas writes it in
    /// four sixteen-byte loads, `JSONParser.skipHash`). Any other value, or a string refused,
    /// is read again by `rawRange()`, which takes or refuses it as before.
    public mutating func stringListRange() throws(JSONSyntaxError) -> Range<Int> {
        let start = parser.index
        let bytes = parser.bytes
        var strings = parser
        if start + 1 < bytes.count, bytes[start] == UInt8(ascii: "["), bytes[start + 1] == UInt8(ascii: "\"") {
            strings.index = start + 1
            while strings.skipHash() || (try? strings.skipString()) != nil, strings.index < bytes.count {
                if bytes[strings.index] == UInt8(ascii: "]") {
                    parser.index = strings.index + 1
                    return start..<parser.index
                }
                guard bytes[strings.index] == UInt8(ascii: ","), strings.index + 1 < bytes.count, bytes[strings.index + 1] == UInt8(ascii: "\"") else { break }
                strings.index += 1
            }
        }
        return try rawRange()
    }

    /// Where the next value, which must be a string, stands (its quotes included), read past as
    /// strictly as `skip()`: straight to the string's scan.
    @inline(__always)
    public mutating func stringRange() throws(JSONSyntaxError) -> Range<Int> {
        let start = parser.index
        guard start < parser.bytes.count, parser.bytes[start] == UInt8(ascii: "\"") else { throw expected("a string") }
        try parser.skipString()
        return start..<parser.index
    }

    /// `stringRange()` for a string that is most often a hash as lintas writes it (a letter's
    /// content hash): read past in four sixteen-byte loads when it is one (`JSONParser.skipHash`,
    /// as strict for those bytes), by `stringRange()` otherwise.
    @inline(__always)
    public mutating func hashRange() throws(JSONSyntaxError) -> Range<Int> {
        let start = parser.index
        guard parser.skipHash() else { return try stringRange() }
        return start..<parser.index
    }

    /// Reads past the next value by matching its brackets and quotes only, without checking
    /// what lies between them: for a subtree whose bytes are proven otherwise (a letter's
    /// content, which the event's hash and the letter's seal cover and `audit` checks).
    /// Scans eight bytes at a time inside strings.
    /// - Returns: where the value stands in `bytes`.
    public mutating func skipMatching() throws(JSONSyntaxError) -> Range<Int> {
        let start = parser.index
        guard start < parser.bytes.count else { throw parser.error("unexpected end of input, expected a value") }
        let first = parser.bytes[start]
        if first == UInt8(ascii: "\"") {
            guard let end = parser.closingQuote(after: start) else { throw parser.error("unterminated string", at: start) }
            parser.index = end + 1
            return start..<parser.index
        }
        guard first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else {
            try parser.skipValue(depth: 1)
            return start..<parser.index
        }
        switch parser.matchingEnd(from: start) {
        case .closed(let end):
            parser.index = end
            return start..<end
        case .unterminatedString(let open): throw parser.error("unterminated string", at: open)
        case .unclosed:
            throw parser.error("unexpected end of input, expected '\(Character(Unicode.Scalar(first == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]"))))'")
        }
    }

    /// An object read as `members(matching:)` reads it with `skipMatching()` for each value, in
    /// one scan, when it is written as lintas writes one: no whitespace, each member's value a
    /// string, an object or a list, and the value of each member named `name` a string, read as
    /// strictly as `stringRange()` reads one. For any other object (or one not closed, or a
    /// named value refused), `nil` and the reader where it stood: the caller reads the object
    /// again with `members(matching:)`, which takes or refuses it as before (a letter's content
    /// in replay, `RequestFold`: the members' calls and the reader's whitespace checks were most
    /// of the cost of reading past it).
    /// - Returns: where the object stands in `bytes`, and the last value named `name`.
    @inline(__always)
    public mutating func matchedObject(keeping name: StaticString) -> (object: Range<Int>, kept: Range<Int>?)? {
        let start = parser.index
        let bytes = parser.bytes, count = bytes.count
        guard start + 1 < count, bytes[start] == UInt8(ascii: "{") else { return nil }
        var index = start + 1
        var kept: Range<Int>?
        if bytes[index] != UInt8(ascii: "}") {
            while true {
                guard index < count, bytes[index] == UInt8(ascii: "\""), let keyEnd = parser.closingQuote(after: index) else { return nil }
                let isName = Self.equal(UnsafeBufferPointer(rebasing: bytes[(index + 1)..<keyEnd]), name)
                index = keyEnd + 1
                guard index + 1 < count, bytes[index] == UInt8(ascii: ":") else { return nil }
                index += 1
                switch bytes[index] {
                case UInt8(ascii: "\"") where isName:
                    // Read by a copy of the parser: the reader stays where it stood unless the whole object is read.
                    var strict = parser
                    strict.index = index
                    do { try strict.skipString() } catch { return nil }
                    kept = index..<strict.index
                    index = strict.index
                case UInt8(ascii: "\""):
                    guard let end = parser.closingQuote(after: index) else { return nil }
                    index = end + 1
                case UInt8(ascii: "{") where !isName, UInt8(ascii: "[") where !isName:
                    guard case .closed(let end) = parser.matchingEnd(from: index) else { return nil }
                    index = end
                default: return nil
                }
                guard index < count, bytes[index] == UInt8(ascii: ",") else { break }
                index += 1
            }
            guard index < count, bytes[index] == UInt8(ascii: "}") else { return nil }
        }
        parser.index = index + 1
        return (start..<parser.index, kept)
    }

    public mutating func string() throws(JSONSyntaxError) -> String {
        guard parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: "\"") else { throw expected("a string") }
        return try parser.parseString()
    }

    /// An integer, read as `value()` reads one (`JSONParser.parseNumber`, which sums up to 18
    /// digits as it scans them), without `value()`'s dispatch and its other cases: a letter's
    /// sequence in replay. An integer of up to 18 digits is taken from `scanNumber` as it sums
    /// it, without a `JSONValue` made and matched (a sequence in replay: 132 -> 97 instructions).
    public mutating func int() throws(JSONSyntaxError) -> Int64 {
        let next = parser.index < parser.bytes.count ? parser.bytes[parser.index] : 0
        guard next == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(next) else {
            guard case .int(let integer) = try value() else { throw expected("an integer") }
            return integer
        }
        let start = parser.index
        let scanned = try parser.scanNumber()
        if let integer = scanned.integer { return integer }
        parser.index = start
        guard case .int(let integer) = try parser.parseNumber() else { throw expected("an integer") }
        return integer
    }

    public mutating func strings() throws(JSONSyntaxError) -> [String] { try strings { $0 } }

    /// An array of strings, each made into an `Item` (a `NIP`, say) as it is read: one array, not two.
    @inline(__always)
    public mutating func strings<Item>(_ item: (String) -> Item) throws(JSONSyntaxError) -> [Item] {
        var items: [Item] = []
        try elements { (reader) throws(JSONSyntaxError) in
            try reader.expectStringInArray()
            items.append(item(try reader.parser.parseString()))
        }
        return items
    }

    /// Reads past an array of strings as strictly as `strings()` reads it, making none of them.
    public mutating func skipStrings() throws(JSONSyntaxError) {
        try elements { (reader) throws(JSONSyntaxError) in
            try reader.expectStringInArray()
            try reader.parser.skipString()
        }
    }

    /// An item of what must be an array of strings: refused unless a string opens here.
    @inline(__always)
    private func expectStringInArray() throws(JSONSyntaxError) {
        guard parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: "\"") else {
            throw expected("an array of strings")
        }
    }

    /// Where the string opened at `open` in `bytes` closes (its closing quote), read past sixteen
    /// bytes at a time; `nil` when it does not.
    static func closingQuote(in bytes: UnsafeBufferPointer<UInt8>, after open: Int) -> Int? {
        JSONParser(bytes).closingQuote(after: open)
    }

    /// An error at the current position: the value there is not what the decoder expects.
    public func expected(_ what: String) -> JSONSyntaxError { parser.error("expected \(what)") }
}

private struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func error(_ message: String, at position: Int? = nil) -> JSONSyntaxError {
        let end = min(position ?? index, bytes.count)
        var line = 1
        var lineStart = 0
        for offset in 0..<end where bytes[offset] == UInt8(ascii: "\n") {
            line += 1
            lineStart = offset + 1
        }
        // Columns count characters, not bytes: skip UTF-8 continuation bytes.
        var column = 1
        for offset in lineStart..<end where bytes[offset] & 0xC0 != 0x80 { column += 1 }
        return JSONSyntaxError(message: message, line: line, column: column)
    }

    func describeCurrent() -> String {
        guard index < bytes.count else { return "end of input" }
        let byte = bytes[index]
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected \(describeCurrent()), expected a value")
        }
    }

    mutating func skipValue(depth: Int) throws(JSONSyntaxError) {
        guard index < bytes.count else { throw error("unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard depth < JSONValue.maximumDepth else { throw error("nesting deeper than \(JSONValue.maximumDepth) levels") }
            let isObject = bytes[index] == UInt8(ascii: "{")
            let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
            index += 1
            skipWhitespace()
            if index < bytes.count && bytes[index] == close {
                index += 1
                return
            }
            while true {
                skipWhitespace()
                if isObject {
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                        throw error("unexpected \(describeCurrent()), expected a member name in quotes")
                    }
                    try skipString()
                    skipWhitespace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("unexpected \(describeCurrent()), expected ':' after member name") }
                    index += 1
                    skipWhitespace()
                }
                // A string (a hash in a list, a field's text) read past here: a call a member or item saved.
                if index < bytes.count && bytes[index] == UInt8(ascii: "\"") {
                    try skipString()
                } else {
                    try skipValue(depth: depth + 1)
                }
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end of input, expected ',' or '\(Character(Unicode.Scalar(close)))'") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == close {
                    index += 1
                    return
                } else {
                    throw error("unexpected \(describeCurrent()), expected ',' or '\(Character(Unicode.Scalar(close)))'")
                }
            }
        case UInt8(ascii: "\""): try skipString()
        default: _ = try parseValue(depth: depth)  // a number or a literal: no allocation
        }
    }

    /// How the object or list opening at `open` ends, read by its brackets and its strings'
    /// quotes only (`JSONReader.skipMatching()`).
    enum MatchingEnd {
        /// Closed: the index after its closing bracket.
        case closed(Int)
        /// A string opening at this index is not closed.
        case unterminatedString(Int)
        /// The input ends before its closing bracket.
        case unclosed
    }

    @inline(__always)
    func matchingEnd(from open: Int) -> MatchingEnd {
        var depth = 0
        var index = open
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { return .closed(index + 1) }
            case UInt8(ascii: "\""):
                guard let end = closingQuote(after: index) else { return .unterminatedString(index) }
                index = end
            default: break
            }
            index += 1
        }
        return .unclosed
    }

    /// The index of the quote that closes the string opening at `open`, stepping over escapes;
    /// sixteen bytes at a time, then (where sixteen no longer fit) eight. Nothing is validated.
    /// Inlined: `skipMatching` calls it for each string of a letter's content, most of them short.
    @inline(__always)
    func closingQuote(after open: Int) -> Int? {
        var index = open + 1
        while true {
            // A hit goes straight to the byte found: after a sixteen-byte hit the eight-byte
            // loop would only find the same byte again.
            scan: do {
                while index + 16 <= bytes.count {
                    let lanes = UnsafeRawPointer(bytes.baseAddress!).loadUnaligned(fromByteOffset: index, as: SIMD16<UInt8>.self)
                    let found = (lanes .== SIMD16<UInt8>(repeating: UInt8(ascii: "\""))) .| (lanes .== SIMD16<UInt8>(repeating: UInt8(ascii: "\\")))
                    if let offset = Self.firstLane(found) {
                        index += offset
                        break scan
                    }
                    index += 16
                }
                while index + 8 <= bytes.count {
                    let word = UnsafeRawPointer(bytes.baseAddress!).loadUnaligned(fromByteOffset: index, as: UInt64.self)
                    let found = (Self.firstZeroByte(word ^ Self.quotes) | Self.firstZeroByte(word ^ Self.backslashes)) & Self.highBits
                    if found != 0 {
                        index += found.trailingZeroBitCount >> 3
                        break scan
                    }
                    index += 8
                }
            }
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "\""): return index
            case UInt8(ascii: "\\"): index += 2
            default: index += 1
            }
        }
    }

    private static let quotes: UInt64 = 0x2222_2222_2222_2222, backslashes: UInt64 = 0x5C5C_5C5C_5C5C_5C5C
    private static let ones: UInt64 = 0x0101_0101_0101_0101, spaces: UInt64 = 0x2020_2020_2020_2020
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// With `highBits` masked in: the high bit set in the first byte of `word` that is zero, and
    /// maybe in bytes after it (a borrow), none before it. Words are loaded little-endian, so the
    /// lowest set bit finds the first such byte; three operations where an exact mask takes five.
    @inline(__always)
    static func firstZeroByte(_ word: UInt64) -> UInt64 { (word &- ones) & ~word }

    /// As `firstZeroByte`, for the first byte below 0x20 (a control byte).
    @inline(__always)
    static func firstControlByte(_ word: UInt64) -> UInt64 { (word &- spaces) & ~word }

    /// The high bit set in the first quote, backslash or byte below 0x20 of `word` (and maybe
    /// in bytes after it), none before it; 0 when it has none. A byte of non-ASCII text is none.
    @inline(__always)
    static func escapeOrControl(_ word: UInt64) -> UInt64 {
        (firstZeroByte(word ^ quotes) | firstZeroByte(word ^ backslashes) | firstControlByte(word)) & highBits
    }

    // The vectors are spelled with their types: `SIMD16(repeating:)` left to inference picks the
    // generic comparison, lane by lane through memory (its string scan took fourteen times the instructions).

    /// The offset of the first lane set in `mask`, `nil` when none is: the mask's two halves
    /// read as words (each lane all ones or all zeros), the lowest set bit finding the first.
    @inline(__always)
    static func firstLane(_ mask: SIMDMask<SIMD16<Int8>>) -> Int? {
        let words = unsafeBitCast(mask, to: SIMD2<UInt64>.self)
        if words[0] != 0 { return words[0].trailingZeroBitCount >> 3 }
        if words[1] != 0 { return 8 + words[1].trailingZeroBitCount >> 3 }
        return nil
    }

    /// The lanes holding a quote, a backslash or a control byte, and (with `nonASCII`) a byte of
    /// non-ASCII text: compared as signed, such a byte is below 0x20 too.
    @inline(__always)
    static func escapeOrControl(_ lanes: SIMD16<UInt8>, nonASCII: Bool) -> SIMDMask<SIMD16<Int8>> {
        let control = nonASCII ? unsafeBitCast(lanes, to: SIMD16<Int8>.self) .< SIMD16<Int8>(repeating: 0x20)
                               : lanes .< SIMD16<UInt8>(repeating: 0x20)
        return control .| (lanes .== SIMD16<UInt8>(repeating: UInt8(ascii: "\""))) .| (lanes .== SIMD16<UInt8>(repeating: UInt8(ascii: "\\")))
    }

    /// Where plain text from `start` ends: the first quote, backslash, control byte or byte of
    /// non-ASCII text, found sixteen bytes at a time (a byte compared as signed is below 0x20
    /// when it is a control byte or one of non-ASCII text), then eight; or, when none is found,
    /// where fewer than eight bytes are left (the caller reads those one at a time).
    @inline(__always)
    func plainEnd(from start: Int) -> Int {
        var cursor = start
        while cursor + 16 <= bytes.count {
            let lanes = UnsafeRawPointer(bytes.baseAddress!).loadUnaligned(fromByteOffset: cursor, as: SIMD16<UInt8>.self)
            if let offset = Self.firstLane(Self.escapeOrControl(lanes, nonASCII: true)) { return cursor + offset }
            cursor += 16
        }
        while cursor + 8 <= bytes.count {
            let word = UnsafeRawPointer(bytes.baseAddress!).loadUnaligned(fromByteOffset: cursor, as: UInt64.self)
            // The first quote, backslash or control byte, or any byte with its high bit set.
            let found = Self.escapeOrControl(word) | (word & Self.highBits)
            if found != 0 {
                cursor += found.trailingZeroBitCount >> 3
                break
            }
            cursor += 8
        }
        return cursor
    }

    /// Reads past a string; plain ASCII without escapes is only scanned. Inlined: most strings
    /// are short, and a call was a fifth of reading one.
    @inline(__always)
    mutating func skipString() throws(JSONSyntaxError) {
        var cursor = plainEnd(from: index + 1)
        while cursor < bytes.count {
            let byte = bytes[cursor]
            if byte == UInt8(ascii: "\"") {
                index = cursor + 1
                return
            }
            if byte == UInt8(ascii: "\\") || byte >= 0x80 || byte < 0x20 { break }
            cursor += 1
        }
        _ = try parseString()  // escapes, text to validate, or an error to report
    }

    /// Reads past a string of 64 bytes (a hash as lintas writes it: 64 hex digits) when one
    /// opens here, each byte plain ASCII text (no quote, backslash, control byte or byte of
    /// non-ASCII text) as `skipString` reads it, checked in four sixteen-byte loads, not
    /// scanned for its end; false, nothing read, for any other string (`skipString` reads it).
    @inline(__always)
    mutating func skipHash() -> Bool {
        let open = index
        guard open + 66 <= bytes.count, bytes[open] == UInt8(ascii: "\""), bytes[open + 65] == UInt8(ascii: "\"") else { return false }
        let base = UnsafeRawPointer(bytes.baseAddress! + (open + 1))
        var found = Self.escapeOrControl(base.loadUnaligned(as: SIMD16<UInt8>.self), nonASCII: true)
        for offset in stride(from: 16, to: 64, by: 16) {
            found = found .| Self.escapeOrControl(base.loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt8>.self), nonASCII: true)
        }
        let words = unsafeBitCast(found, to: SIMD2<UInt64>.self)
        guard words[0] | words[1] == 0 else { return false }
        index = open + 66
        return true
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let start = index
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("invalid literal", at: start) }
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: count)
        for offset in 0..<count where bytes[index + offset] != expected[offset] {
            throw error("invalid literal, expected '\(literal)'", at: start)
        }
        index += count
    }

    /// An object's members before the first: empty, with room for eight.
    private static let emptyObject = [String: JSONValue](minimumCapacity: 8)

    mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < JSONValue.maximumDepth else { throw error("nesting deeper than \(JSONValue.maximumDepth) levels") }
        index += 1
        // Room for the usual handful of members up front: growing a dictionary rehashes it. A copy of
        // an empty dictionary with that room, made on the first insert (specialized), where
        // `init(minimumCapacity:)` runs unspecialized and asks the runtime for the storage's metadata.
        var members = Self.emptyObject
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error("unexpected \(describeCurrent()), expected a member name in quotes")
            }
            let keyStart = index
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error("unexpected \(describeCurrent()), expected ':' after member name \"\(key)\"")
            }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth + 1)
            if members.updateValue(value, forKey: key) != nil {
                throw error("member \"\(key)\" appears twice", at: keyStart)
            }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input, expected ',' or '}'") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return .object(members)
            default: throw error("unexpected \(describeCurrent()), expected ',' or '}'")
            }
        }
    }

    mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < JSONValue.maximumDepth else { throw error("nesting deeper than \(JSONValue.maximumDepth) levels") }
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input, expected ',' or ']'") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return .array(items)
            default: throw error("unexpected \(describeCurrent()), expected ',' or ']'")
            }
        }
    }

    mutating func parseString() throws(JSONSyntaxError) -> String {
        let start = index
        index += 1
        // Fast path: no escapes, validated as UTF-8 by String's initializer.
        var cursor = plainEnd(from: index)
        var isASCII = true
        while cursor < bytes.count {
            let byte = bytes[cursor]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[index..<cursor])
                // ASCII is valid UTF-8 as it stands; only other text needs the (slower, generic) validation.
                let text: String
                if isASCII { text = String(decoding: slice, as: UTF8.self) } else {
                    guard let valid = String(validating: slice, as: UTF8.self) else {
                        throw error("string is not valid UTF-8", at: start)
                    }
                    text = valid
                }
                index = cursor + 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("control character in string; escape it", at: cursor) }
            if byte >= 0x80 { isASCII = false }
            cursor += 1
        }
        guard cursor < bytes.count else { throw error("unterminated string", at: start) }
        return try parseEscapedString(start: start)
    }

    mutating func parseEscapedString(start: Int) throws(JSONSyntaxError) -> String {
        var utf8: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let text = String(validating: utf8, as: UTF8.self) else {
                    throw error("string is not valid UTF-8", at: start)
                }
                return text
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw error("unterminated escape", at: start) }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): utf8.append(0x22)
                case UInt8(ascii: "\\"): utf8.append(0x5C)
                case UInt8(ascii: "/"): utf8.append(0x2F)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw error("unpaired surrogate in \\u escape", at: index)
                        }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired surrogate in \\u escape", at: index) }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw error("unpaired surrogate in \\u escape", at: index)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid \\u escape", at: index) }
                    utf8.append(contentsOf: UTF8.encode(unicode)!)
                default:
                    throw error("invalid escape '\\\(Character(Unicode.Scalar(escape)))'", at: index - 2)
                }
            default:
                if byte < 0x20 { throw error("control character in string; escape it", at: index) }
                utf8.append(byte)
                index += 1
            }
        }
        throw error("unterminated string", at: start)
    }

    mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = index
        let (summed, isInteger) = try scanNumber()
        if let summed { return .int(summed) }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if isInteger, let integer = Int64(text) { return .int(integer) }
        guard let double = Double(text), double.isFinite else { throw error("number out of range", at: start) }
        return .double(double)
    }

    /// Reads past a number, as strictly as JSON's grammar: whether it is an integer (no fraction,
    /// no exponent) and, when it is one of up to 18 digits, its value.
    @inline(__always)
    mutating func scanNumber() throws(JSONSyntaxError) -> (integer: Int64?, isInteger: Bool) {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number", at: start) }
        // The integer part summed as it is scanned (wrapping: used only when up to 18 digits, which cannot overflow).
        var integer: Int64 = 0
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw error("number with a leading zero", at: start) }
        } else {
            while index < bytes.count, isDigit(bytes[index]) {
                integer = integer &* 10 &+ Int64(bytes[index] &- UInt8(ascii: "0"))
                index += 1
            }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number: digits expected after '.'", at: start) }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number: digits expected in exponent", at: start) }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        // Up to 18 digits cannot overflow: summed in place, no `String` made (most numbers lintas reads).
        let negative = bytes[start] == UInt8(ascii: "-")
        guard isInteger && index - (negative ? start + 1 : start) <= 18 else { return (nil, isInteger) }
        return (negative ? -integer : integer, true)
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}

// MARK: - Writing

extension JSONValue {
    /// The canonical encoding: sorted keys, no whitespace. Equal values give equal bytes.
    public var canonicalBytes: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        JSONWriter.write(self, into: &output)
        return output
    }

    /// The canonical encoding as text.
    public var canonicalText: String { String(decoding: canonicalBytes, as: UTF8.self) }

    /// Sorted keys, two-space indentation, for people.
    public var prettyText: String {
        var output: [UInt8] = []
        JSONWriter.writePretty(self, indent: 0, into: &output)
        return String(decoding: output, as: UTF8.self)
    }
}

/// Writes JSON values; shared by the canonical and the pretty form so both escape identically.
public enum JSONWriter {
    public static func write(_ value: JSONValue, into output: inout [UInt8]) { write(value, to: &output) }

    /// `value` into an array or a run written in place (`ByteRun`), piece by piece.
    static func write<Output: CanonicalOutput>(_ value: JSONValue, to output: inout Output) {
        switch value {
        case .null: output.writeText("null")
        case .bool(let flag): flag ? output.writeText("true") : output.writeText("false")
        case .int(let number): output.writeInteger(number)
        // JSON has no NaN or infinity: such a number (a median of nothing) is written as `null`.
        case .double(let number):
            var text = number.isFinite ? number.description : "null"
            text.withUTF8 { output.writeBytes(UnsafeRawBufferPointer($0)) }
        case .string(let text): output.writeString(text)
        case .array(let items):
            output.writeByte(UInt8(ascii: "["))
            for (offset, item) in items.enumerated() {
                if offset > 0 { output.writeByte(UInt8(ascii: ",")) }
                write(item, to: &output)
            }
            output.writeByte(UInt8(ascii: "]"))
        case .object(let members):
            output.writeByte(UInt8(ascii: "{"))
            var first = true
            for item in sortedIndices(members) {
                if !first { output.writeByte(UInt8(ascii: ",")) }
                first = false
                let (key, member) = members[item.index]
                output.writeString(key)
                output.writeByte(UInt8(ascii: ":"))
                write(member, to: &output)
            }
            output.writeByte(UInt8(ascii: "}"))
        }
    }

    /// Writes an object's members in canonical order.
    public static func writeObject(_ members: [String: JSONValue], into output: inout [UInt8]) {
        write(.object(members), into: &output)
    }

    /// Writes an array of strings.
    public static func writeStrings(_ items: some Sequence<String>, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "["))
        var first = true
        for item in items {
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            writeString(item, into: &output)
        }
        output.append(UInt8(ascii: "]"))
    }

    /// Writes `,"key":` (or `{"key":` for the first member): for encoders that write an object
    /// of known keys directly, in sorted order, instead of building a `JSONValue` first. One run
    /// put together on the stack and appended once: each `append` to an array checks its
    /// uniqueness and capacity and goes through a generic copy (about 100 instructions a call,
    /// whatever its length).
    @inline(__always)
    public static func writeKey(_ key: StaticString, first: Bool = false, into output: inout [UInt8]) {
        let count = key.utf8CodeUnitCount
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count + 4) { run in
            let base = run.baseAddress!
            base[0] = first ? UInt8(ascii: "{") : UInt8(ascii: ",")
            base[1] = UInt8(ascii: "\"")
            (base + 2).update(from: key.utf8Start, count: count)
            base[count + 2] = UInt8(ascii: "\"")
            base[count + 3] = UInt8(ascii: ":")
            output.append(contentsOf: UnsafeBufferPointer(run))
        }
    }

    static func writePretty(_ value: JSONValue, indent: Int, into output: inout [UInt8]) {
        func newline(_ level: Int) {
            output.append(UInt8(ascii: "\n"))
            output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: level * 2))
        }
        switch value {
        case .array(let items) where !items.isEmpty:
            output.append(UInt8(ascii: "["))
            for (offset, item) in items.enumerated() {
                if offset > 0 { output.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                writePretty(item, indent: indent + 1, into: &output)
            }
            newline(indent)
            output.append(UInt8(ascii: "]"))
        case .object(let members) where !members.isEmpty:
            output.append(UInt8(ascii: "{"))
            for (offset, key) in sortedKeys(members).enumerated() {
                if offset > 0 { output.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                writeString(key, into: &output)
                output.append(contentsOf: ": ".utf8)
                writePretty(members[key]!, indent: indent + 1, into: &output)
            }
            newline(indent)
            output.append(UInt8(ascii: "}"))
        default:
            write(value, into: &output)
        }
    }

    static func sortedKeys(_ members: [String: JSONValue]) -> [String] {
        sortedMembers(members).map(\.key)
    }

    /// The members in canonical order (by the keys' UTF-8 bytes), without looking each key up again.
    /// Objects are small (a handful of members): an insertion sort on the keys' first eight
    /// bytes as one integer, the whole keys compared only when those are equal.
    static func sortedMembers(_ members: [String: JSONValue]) -> [(key: String, value: JSONValue)] {
        sortedIndices(members).map { members[$0.index] }
    }

    /// The positions of an object's members in canonical order: the sort moves plain positions
    /// and integers, not keys and values (whose copies cost a retain and a release each).
    public static func sortedIndices<Value>(_ members: [String: Value]) -> [(prefix: UInt64, index: Dictionary<String, Value>.Index)] {
        var sorted: [(prefix: UInt64, index: Dictionary<String, Value>.Index)] = []
        sorted.reserveCapacity(members.count)
        var index = members.startIndex
        while index != members.endIndex {
            let item = (prefix: prefix(members[index].key), index: index)
            // Appended, then moved down over the members it precedes: `insert(_:at:)` goes through
            // the array's general `replaceSubrange`, several times the cost of these moves.
            sorted.append(item)
            var position = sorted.count - 1
            while position > 0 && (sorted[position - 1].prefix > item.prefix
                                   || (sorted[position - 1].prefix == item.prefix
                                       && precedes(members[item.index].key, members[sorted[position - 1].index].key))) {
                sorted[position] = sorted[position - 1]
                position -= 1
            }
            sorted[position] = item
            members.formIndex(after: &index)
        }
        return sorted
    }

    /// The first eight UTF-8 bytes of a key, big-endian, zero-padded: integers in the keys' byte order
    /// (a key that is a prefix of another sorts first, or ties and is compared whole).
    private static func prefix(_ key: String) -> UInt64 {
        var key = key
        return key.withUTF8 { bytes in
            var value: UInt64 = 0
            for index in 0..<8 { value = value << 8 | UInt64(index < bytes.count ? bytes[index] : 0) }
            return value
        }
    }

    /// Canonical key order: by UTF-8 bytes. Compares the strings' contiguous storage directly
    /// (the generic `utf8.lexicographicallyPrecedes` walked an iterator per byte).
    public static func precedes(_ first: String, _ second: String) -> Bool {
        var first = first, second = second
        return first.withUTF8 { left in second.withUTF8 { right in precedes(UnsafeRawBufferPointer(left), UnsafeRawBufferPointer(right)) } }
    }

    /// Canonical key order over names' UTF-8 bytes as they stand (no quotes, no escapes).
    public static func precedes(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Bool {
        let common = min(left.count, right.count)
        var index = 0
        while index < common {
            if left[index] != right[index] { return left[index] < right[index] }
            index += 1
        }
        return left.count < right.count
    }

    /// Whether the text has a quote, a backslash or a control byte: eight bytes at a time.
    static func needsEscape(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        contains(UnsafeRawBufferPointer(bytes), nonASCII: false)
    }

    /// Whether the bytes are printable ASCII without a quote or a backslash (DEL included, which
    /// JSON does not escape): a JSON string holds them as they stand, and any reader gets them
    /// back unchanged (no escape, no UTF-8 to repair).
    public static func isPlainASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        !contains(bytes, nonASCII: true)
    }

    /// Whether the bytes have a quote, a backslash, a control byte or (with `nonASCII`) a byte
    /// above 0x7F: sixteen bytes at a time, then eight, then the last eight again (overlapping
    /// those checked) instead of the rest one at a time; text shorter than eight bytes read as one
    /// word padded with spaces (`paddedWord`). Most strings written are short (ids, NIPs, names).
    @inline(__always)
    private static func contains(_ bytes: UnsafeRawBufferPointer, nonASCII: Bool) -> Bool {
        let high: UInt64 = nonASCII ? 0x8080_8080_8080_8080 : 0
        let count = bytes.count
        guard let base = bytes.baseAddress, count > 0 else { return false }
        guard count >= 8 else {
            let word = paddedWord(base, count: count)
            return JSONParser.escapeOrControl(word) | (word & high) != 0
        }
        var index = 0
        while index + 16 <= count {
            let lanes = base.loadUnaligned(fromByteOffset: index, as: SIMD16<UInt8>.self)
            if JSONParser.firstLane(JSONParser.escapeOrControl(lanes, nonASCII: nonASCII)) != nil { return true }
            index += 16
        }
        if index + 8 <= count {
            let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            if JSONParser.escapeOrControl(word) | (word & high) != 0 { return true }
            index += 8
        }
        guard index < count else { return false }
        let last = base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        return JSONParser.escapeOrControl(last) | (last & high) != 0
    }

    /// Copies `count` bytes from `source` to `target` (which do not overlap) and checks each
    /// piece copied as `needsEscape` checks it, in one pass, without a call to `memcpy` (most
    /// strings written are short): sixteen bytes at a time, the last sixteen overlapping those
    /// before, or as two overlapping words, or (below four) the first, middle and last byte.
    /// - Returns: whether no byte is a quote, a backslash or a control byte (`ByteRun.writeString`
    ///   drops the copy when one is, and writes the text escaped instead).
    @inline(__always)
    static func copyPlain(_ source: UnsafeRawPointer, count: Int, to target: UnsafeMutableRawPointer) -> Bool {
        if count >= 16 {
            var found = SIMDMask<SIMD16<Int8>>()
            var offset = 0
            repeat {
                offset = min(offset, count - 16)
                let lanes = source.loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt8>.self)
                target.storeBytes(of: lanes, toByteOffset: offset, as: SIMD16<UInt8>.self)
                found = found .| JSONParser.escapeOrControl(lanes, nonASCII: false)
                offset += 16
            } while offset < count
            let words = unsafeBitCast(found, to: SIMD2<UInt64>.self)
            return words[0] | words[1] == 0
        }
        if count >= 8 {
            let head = source.loadUnaligned(as: UInt64.self), tail = source.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            target.storeBytes(of: head, as: UInt64.self)
            target.storeBytes(of: tail, toByteOffset: count - 8, as: UInt64.self)
            return JSONParser.escapeOrControl(head) | JSONParser.escapeOrControl(tail) == 0
        }
        guard count > 0 else { return true }
        // Below eight bytes, copied in the pieces `paddedWord` reads (two overlapping halves, or the
        // first, middle and last byte) and checked as the word it makes of them.
        if count >= 4 {
            target.storeBytes(of: source.loadUnaligned(as: UInt32.self), as: UInt32.self)
            target.storeBytes(of: source.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self), toByteOffset: count - 4, as: UInt32.self)
        } else {
            target.storeBytes(of: source.load(as: UInt8.self), as: UInt8.self)
            target.storeBytes(of: source.load(fromByteOffset: count / 2, as: UInt8.self), toByteOffset: count / 2, as: UInt8.self)
            target.storeBytes(of: source.load(fromByteOffset: count - 1, as: UInt8.self), toByteOffset: count - 1, as: UInt8.self)
        }
        return JSONParser.escapeOrControl(paddedWord(source, count: count)) == 0
    }

    /// One to seven bytes as one word, every byte of it one of theirs or a space (which is neither
    /// escaped, nor a control byte, nor above 0x7F): two overlapping halves from four bytes up,
    /// else the first, middle and last byte.
    @inline(__always)
    private static func paddedWord(_ base: UnsafeRawPointer, count: Int) -> UInt64 {
        if count >= 4 {
            return UInt64(base.loadUnaligned(as: UInt32.self)) | UInt64(base.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)) << 32
        }
        return UInt64(base.load(as: UInt8.self)) | UInt64(base.load(fromByteOffset: count / 2, as: UInt8.self)) << 8
            | UInt64(base.load(fromByteOffset: count - 1, as: UInt8.self)) << 16 | 0x2020_2020_2000_0000
    }

    public static func writeInteger(_ number: Int64, into output: inout [UInt8]) {
        if number >= 0 && number < 10 {
            output.append(UInt8(ascii: "0") + UInt8(number))
            return
        }
        withDigits(of: number) { output.append(contentsOf: $0) }
    }

    /// Writes the number's decimal digits (after a `-` when it is negative) as `writeInteger`
    /// writes them at `position`, where the caller made room for 20 bytes (any `Int64`), by
    /// `ByteCursor.put(integer:)`: for a writer outside this module that fills its own buffer.
    /// - Returns: how many bytes it wrote.
    public static func writeDigits(of number: Int64, at position: UnsafeMutableRawPointer) -> Int {
        // One digit (an event's version, as a rule) stored as it is, as `writeInteger` does.
        if number >= 0 && number < 10 {
            position.storeBytes(of: UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: number), as: UInt8.self)
            return 1
        }
        var cursor = ByteCursor(at: position)
        cursor.put(integer: number)
        return position.distance(to: cursor.position)
    }

    /// The number's decimal digits (after a `-` when it is negative) as `writeInteger` writes
    /// them, written into a run on the stack (20 bytes hold any `Int64`) for `body` by
    /// `writeDigits`.
    @inline(__always)
    public static func withDigits<Result>(of number: Int64, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { run in
            body(UnsafeBufferPointer(start: run.baseAddress!, count: writeDigits(of: number, at: UnsafeMutableRawPointer(run.baseAddress!))))
        }
    }

    /// Bytes that need no escape as a JSON string, quotes around them: one run appended once
    /// (`writeKey`) when short, three appends otherwise.
    @inline(__always)
    static func writeQuoted(_ bytes: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        guard bytes.count <= 256 else {
            output.append(UInt8(ascii: "\""))
            output.append(contentsOf: bytes)
            output.append(UInt8(ascii: "\""))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count + 2) { run in
            let base = run.baseAddress!
            base[0] = UInt8(ascii: "\"")
            if let source = bytes.baseAddress { (base + 1).update(from: source, count: bytes.count) }
            base[bytes.count + 1] = UInt8(ascii: "\"")
            output.append(contentsOf: UnsafeBufferPointer(run))
        }
    }

    public static func writeString(_ text: String, into output: inout [UInt8]) {
        // Most strings need no escape: copy them whole.
        var text = text
        let copied = text.withUTF8 { bytes in
            guard !needsEscape(bytes) else { return false }
            writeQuoted(bytes, into: &output)
            return true
        }
        if copied { return }
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): output.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
