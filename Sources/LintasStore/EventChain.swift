import LintasCore

/// What an event's hash covers, in one place: the previous event's hash of the same
/// request (32 zero bytes for the first) followed by the event's canonical bytes.
///
/// The chain runs per request, so several writers (PostgreSQL, several daemons) never
/// contend for one chain head; the gap-free global sequence and the projection's version
/// catch events removed or reordered across requests. See docs/architecture.md.
public enum EventChain {
    /// SHA-256(previous ‖ the envelope and data's canonical bytes).
    public static func hash(_ envelope: EventEnvelope, data: [UInt8], previous: Digest) -> Digest {
        Digest.sha256(previous.bytes, envelope.canonicalBytes(data: data))
    }

    /// The hash a stored row should carry, recomputed from its columns.
    public static func hash(_ row: StoredEvent, previous: Digest) -> Digest {
        hash(row.envelope, data: row.data, previous: previous)
    }

    /// The hash a borrowed row should carry, recomputed from its columns as stored: the same
    /// bytes as `EventEnvelope.canonicalBytes(data:)` of the row read into values, hashed in
    /// parts around the detail, which is not copied.
    /// - Parameter scratch: a buffer reused from row to row.
    public static func hash(_ row: StoredEventBytes, previous: Digest, scratch: inout [UInt8]) -> Digest {
        var output = [UInt8](repeating: 0, count: Digest.byteCount)
        previous.bytes.withUnsafeBytes { previous in output.withUnsafeMutableBytes { hash(row, previous: previous, scratch: &scratch, into: $0) } }
        return Digest(bytes: output)!
    }

    /// `hash(_:previous:scratch:)` with the previous hash and the result in the caller's buffers
    /// (32 bytes each, reused from row to row by audit): no digest allocated a row.
    public static func hash(_ row: StoredEventBytes, previous: UnsafeRawBufferPointer, scratch: inout [UInt8], into output: UnsafeMutableRawBufferPointer) {
        var stream = SHA256Stream()
        if !hashPlain(row, previous: previous, scratch: &scratch, into: &stream) {
            stream.update(previous)
            hashEscaped(row, scratch: &scratch, into: &stream)
        }
        stream.finish(into: output)
    }

    /// The previous hash and the envelope around the detail written straight into `scratch` at
    /// known offsets (no growing array, no `String`), the detail copied in its place, and hashed
    /// in one update (four small ones cost libcrypto's call and its partial blocks each), when
    /// every text column is printable ASCII without quotes or backslashes (as lintas writes
    /// them): the bytes `hashEscaped` writes for such a row. `false`, with nothing hashed, for
    /// any other row.
    private static func hashPlain(_ row: StoredEventBytes, previous: UnsafeRawBufferPointer, scratch: inout [UInt8], into stream: inout SHA256Stream) -> Bool {
        let texts = row.action.count + row.actor.count + row.command.count + row.request.count + row.state.count
        guard JSONWriter.isPlainASCII(row.action), JSONWriter.isPlainASCII(row.actor), JSONWriter.isPlainASCII(row.command),
              JSONWriter.isPlainASCII(row.request), JSONWriter.isPlainASCII(row.state) else { return false }
        // The keys (about 80 bytes), ten quotes, three integers of at most 20 bytes, the texts, the
        // previous hash and the detail.
        let needed = 160 + texts + previous.count + row.data.count
        if scratch.count < needed { scratch = [UInt8](repeating: 0, count: needed * 2) }
        scratch.withUnsafeMutableBytes { buffer in
            let base = buffer.baseAddress!
            var end = 0
            func put(_ bytes: UnsafeRawBufferPointer) {
                if let source = bytes.baseAddress { (base + end).copyMemory(from: source, byteCount: bytes.count) }
                end += bytes.count
            }
            func put(_ text: StaticString) {
                (base + end).copyMemory(from: text.utf8Start, byteCount: text.utf8CodeUnitCount)
                end += text.utf8CodeUnitCount
            }
            func put(quoted column: UnsafeRawBufferPointer) {
                base.storeBytes(of: UInt8(ascii: "\""), toByteOffset: end, as: UInt8.self)
                if let source = column.baseAddress { (base + end + 1).copyMemory(from: source, byteCount: column.count) }
                base.storeBytes(of: UInt8(ascii: "\""), toByteOffset: end + 1 + column.count, as: UInt8.self)
                end += column.count + 2
            }
            // Two digits a division (`JSONWriter.writeDigits`), where one digit at a time, counted
            // first, cost about 220 instructions a timestamp.
            func put(_ number: Int64) { end += JSONWriter.writeDigits(of: number, at: base + end) }
            put(previous)
            // Keys in sorted order: action, actor, at, command, data, recorded, request, state, version.
            put("{\"action\":")
            put(quoted: row.action)
            put(",\"actor\":")
            put(quoted: row.actor)
            put(",\"at\":")
            put(row.at)
            put(",\"command\":")
            put(quoted: row.command)
            put(",\"data\":")
            put(row.data)
            put(",\"recorded\":")
            put(row.recorded)
            put(",\"request\":")
            put(quoted: row.request)
            put(",\"state\":")
            put(quoted: row.state)
            put(",\"version\":")
            put(Int64(row.version))
            put("}")
            stream.update(UnsafeRawBufferPointer(start: base, count: end))
        }
        return true
    }

    /// The envelope around the detail for any row: each text column as `JSONWriter` writes the
    /// `String` read from it (`writeText`).
    private static func hashEscaped(_ row: StoredEventBytes, scratch: inout [UInt8], into stream: inout SHA256Stream) {
        // Keys in sorted order: action, actor, at, command, data, recorded, request, state, version.
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: "{\"action\":".utf8)
        writeText(row.action, into: &scratch)
        scratch.append(contentsOf: ",\"actor\":".utf8)
        writeText(row.actor, into: &scratch)
        scratch.append(contentsOf: ",\"at\":".utf8)
        JSONWriter.writeInteger(row.at, into: &scratch)
        scratch.append(contentsOf: ",\"command\":".utf8)
        writeText(row.command, into: &scratch)
        scratch.append(contentsOf: ",\"data\":".utf8)
        stream.update(scratch)
        stream.update(row.data)
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: ",\"recorded\":".utf8)
        JSONWriter.writeInteger(row.recorded, into: &scratch)
        scratch.append(contentsOf: ",\"request\":".utf8)
        writeText(row.request, into: &scratch)
        scratch.append(contentsOf: ",\"state\":".utf8)
        writeText(row.state, into: &scratch)
        scratch.append(contentsOf: ",\"version\":".utf8)
        JSONWriter.writeInteger(Int64(row.version), into: &scratch)
        scratch.append(UInt8(ascii: "}"))
        stream.update(scratch)
    }

    /// A TEXT column as a JSON string, as `JSONWriter.writeString` writes the `String` read from
    /// it: copied when it is printable ASCII without quotes or backslashes, else through a `String`
    /// (which replaces bytes that are not UTF-8, as reading the column into a value does).
    private static func writeText(_ column: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        for byte in column where byte < 0x20 || byte >= 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            return JSONWriter.writeString(String(decoding: column, as: UTF8.self), into: &output)
        }
        output.append(UInt8(ascii: "\""))
        output.append(contentsOf: column)
        output.append(UInt8(ascii: "\""))
    }
}

/// An event as a store appends it (`StoreBatch.append(_:)`), with all that needs no connection
/// worked out beforehand, on whichever thread makes it (the deciding one with
/// `Processor.commitEach`): the detail as stored, a letter's content as its own members and the
/// names (SHA-256) of its parts (`LetterParts`), the chain hash over it (`EventChain.hash`), the
/// detail split into its opening and the rest (`StoredOpenings`), and the parts to store unless
/// the store holds them already.
public struct ChainedEvent: Sendable {
    public let envelope: EventEnvelope
    /// The detail's canonical bytes, as the hash covers them.
    public let data: [UInt8]
    /// SHA-256(previous ‖ the envelope and data's canonical bytes): the request's head after it.
    public let hash: Digest
    /// `data` as stored: its opening (empty when `data` does not open as a detail does) and the rest.
    let opening: [UInt8]
    let rest: [UInt8]
    /// The letter's parts `data` names that the store may not hold yet, each with its hash.
    let parts: [LetterPartNames.Name]

    /// - Parameters:
    ///   - previous: the hash of the request's last event (`Digest.zero` for its first).
    ///   - letter: the letter's content already split and encoded (`LetterParts.encode` of that
    ///     content with its `implied` members), so that it need not be again.
    ///   - names: the parts' hashes computed before, if any are kept.
    public init(_ event: borrowing Event, previous: Digest, letter encoded: borrowing LetterParts.Encoded? = nil, names: LetterPartNames? = nil) {
        self.init(event, previous: previous, letter: encoded) { body in
            let part = names?.name(of: body) ?? LetterPartNames.Name(BytesKey(body))
            return (part.hex, part)
        }
    }

    /// - Parameter name: a part's name (hex) by its bytes, and the part to store unless the store
    ///   holds it already (`nil` when it does).
    init(_ event: borrowing Event, previous: Digest, letter encoded: borrowing LetterParts.Encoded?,
         name: (_ body: [UInt8]) -> (hex: String, unstored: LetterPartNames.Name?)) {
        envelope = event.envelope
        (data, parts) = ChainedEvent.stored(event.detail, of: event.request, encoded: encoded, name: name)
        hash = EventChain.hash(event.envelope, data: data, previous: previous)
        (rest, opening) = StoredOpenings.split(data) ?? (data, [])
    }

    /// The detail as stored: a letter's content as its own members and the hashes of its parts;
    /// with the parts the store may not hold.
    private static func stored(_ detail: Event.Detail, of request: RequestID, encoded: LetterParts.Encoded?,
                               name: (_ body: [UInt8]) -> (hex: String, unstored: LetterPartNames.Name?)) -> (data: [UInt8], parts: [LetterPartNames.Name]) {
        guard var letter = detail.letter, letter.parts.isEmpty, encoded != nil || letter.content != nil else { return (detail.canonicalBytes, []) }
        let (own, bodies) = encoded.map { ($0.own, $0.parts) } ?? {
            let split = LetterParts.split(letter.content ?? .null, implied: LetterParts.implied(letter, request: request))
            return (split.own.canonicalBytes, split.parts.map(\.canonicalBytes))
        }()
        guard !bodies.isEmpty else { return (detail.canonicalBytes, []) }
        var unstored: [LetterPartNames.Name] = []
        for body in bodies {
            let (hex, part) = name(body)
            letter.parts.append(hex)
            if let part { unstored.append(part) }
        }
        letter.content = nil  // written from `own`, the bytes sealing encoded
        var stored = detail
        stored.letter = letter
        return (stored.canonicalBytes(letterContent: own), unstored)
    }
}

/// Letter parts' hashes by their bytes, kept from event to event (a frame's part recurs in every
/// letter an office issues at a step, a request's in each of its letters): a pure memo, each
/// hash computed once, for the thread that chains events away from the store's (whose own cache
/// of the parts it holds, `LetterPartCache`, names them there: `StoreBatch.chain`). At most `limit` are kept; beyond,
/// it is emptied and refilled. Not `Sendable`: one thread at a time.
public final class LetterPartNames {
    /// A part, its SHA-256, and that as hex, as its event names it.
    struct Name: Sendable {
        /// The part's canonical JSON, hashed for a look-up once (wherever it is looked up again).
        let key: BytesKey
        let hash: Digest
        let hex: String

        init(_ key: BytesKey) {
            self.key = key
            hash = Digest.sha256(key.bytes)
            hex = hash.hex
        }
    }

    private var known: [BytesKey: Name] = [:]
    static let limit = 4_096

    public init() {}

    func name(of body: [UInt8]) -> Name {
        let key = BytesKey(body)
        if let name = known[key] { return name }
        if known.count >= LetterPartNames.limit { known.removeAll(keepingCapacity: true) }
        let name = Name(key)
        known[key] = name
        return name
    }
}
