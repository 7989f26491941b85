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
        stream.update(previous)
        if !hashPlain(row, scratch: &scratch, into: &stream) { hashEscaped(row, scratch: &scratch, into: &stream) }
        stream.finish(into: output)
    }

    /// The envelope around the detail written straight into `scratch` at known offsets (no
    /// growing array, no `String`), when every text column is printable ASCII without quotes
    /// or backslashes (as lintas writes them): the bytes `hashEscaped` writes for such a row.
    /// `false`, with nothing hashed, for any other row.
    private static func hashPlain(_ row: StoredEventBytes, scratch: inout [UInt8], into stream: inout SHA256Stream) -> Bool {
        let texts = row.action.count + row.actor.count + row.command.count + row.request.count + row.state.count
        guard JSONWriter.isPlainASCII(row.action), JSONWriter.isPlainASCII(row.actor), JSONWriter.isPlainASCII(row.command),
              JSONWriter.isPlainASCII(row.request), JSONWriter.isPlainASCII(row.state) else { return false }
        // The keys (about 80 bytes), ten quotes, three integers of at most 20 bytes, the texts.
        let needed = 160 + texts
        if scratch.count < needed { scratch = [UInt8](repeating: 0, count: needed * 2) }
        scratch.withUnsafeMutableBytes { buffer in
            let base = buffer.baseAddress!
            var end = 0
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
            func put(_ number: Int64) {
                if number < 0 {
                    base.storeBytes(of: UInt8(ascii: "-"), toByteOffset: end, as: UInt8.self)
                    end += 1
                }
                var magnitude = number.magnitude, digits = 1
                while magnitude >= 10 {
                    magnitude /= 10
                    digits += 1
                }
                magnitude = number.magnitude
                for offset in stride(from: end + digits - 1, through: end, by: -1) {
                    base.storeBytes(of: UInt8(ascii: "0") + UInt8(magnitude % 10), toByteOffset: offset, as: UInt8.self)
                    magnitude /= 10
                }
                end += digits
            }
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
            stream.update(UnsafeRawBufferPointer(start: base, count: end))
            stream.update(row.data)
            end = 0
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
