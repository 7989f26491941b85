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
        var stream = SHA256Stream()
        stream.update(previous.bytes)
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
        return stream.finish()
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
