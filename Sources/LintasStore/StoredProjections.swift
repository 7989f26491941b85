import LintasCore

/// Schema version 11: a request's projection is stored without the members its row's columns hold
/// (`request`, `state`, `updated`, `version`, `workflow`) and without `warnings` when it is empty;
/// every reader gets the canonical bytes back (`whole`), the columns' values in their places, so
/// `status`, export and `audit`'s byte-for-byte compare with replay read what they read before,
/// and a column changed after the fact makes the projection disagree with replay.
///
/// The canonical form ends `…,"participants":{…}[,"reminded_for":N],"request":R,"since":S,
/// "state":X,"updated":U,"version":V,"warnings":[…],"workflow":W}` (`RequestState.writeCanonical`);
/// stored, `…,"participants":{…}[,"reminded_for":N],"since":S[,"warnings":[…]]}`. The byte pair
/// `,"` never occurs inside a JSON string (a quote in one is escaped), so the last `,"request":`
/// of a whole body, and the last `,"since":` of a stored one, are top-level members.
enum StoredProjections {
    private static let request = Array(#","request":"#.utf8)
    private static let since = Array(#","since":"#.utf8)
    private static let state = Array(#","state":"#.utf8)
    private static let warnings = Array(#","warnings":"#.utf8)
    private static let noWarnings = Array(#","warnings":[]"#.utf8)
    private static let workflow = Array(#","workflow":"#.utf8)

    /// The last index where `pattern` starts in `bytes`.
    private static func last(_ pattern: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        var index = bytes.count - pattern.count
        while index >= 0 {
            if bytes[index] == pattern[0], matches(pattern, in: bytes, at: index) { return index }
            index -= 1
        }
        return nil
    }

    private static func matches(_ pattern: [UInt8], in bytes: UnsafeRawBufferPointer, at index: Int) -> Bool {
        guard index + pattern.count <= bytes.count else { return false }
        for offset in pattern.indices where bytes[index + offset] != pattern[offset] { return false }
        return true
    }

    /// Where the integer starting at `start` ends.
    private static func integerEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = start
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
        return index
    }

    /// The projection as stored: the canonical bytes of a state (`RequestState.canonicalBytes`)
    /// without the members the columns hold; `nil` when the bytes do not end as that form does.
    static func stored(_ body: [UInt8]) -> [UInt8]? {
        body.withUnsafeBytes { bytes -> [UInt8]? in
            guard let start = last(request, in: bytes), let at = last(since, in: bytes), at > start,
                  let tail = last(warnings, in: bytes), tail > at, let end = last(workflow, in: bytes), end > tail else { return nil }
            let sinceEnd = integerEnd(bytes, from: at + since.count)
            guard matches(state, in: bytes, at: sinceEnd) else { return nil }
            // Copied from the array's slices (one copy each), not byte by byte from the raw buffer's.
            var output = Array(body[..<start])
            output.append(contentsOf: body[at..<sinceEnd])
            if end - (tail + warnings.count) != 2 {
                output.append(contentsOf: body[tail..<end])
            }
            output.append(UInt8(ascii: "}"))
            return output
        }
    }

    /// The canonical bytes of a stored projection, the row's columns in their places. A body stored
    /// whole (before version 11, or not as lintas writes it) is given back as stored.
    static func whole(_ body: [UInt8], request id: RequestID, columns: StoredRequest.Columns) -> [UInt8] {
        body.withUnsafeBytes { bytes -> [UInt8] in
            guard let at = last(since, in: bytes) else { return body }
            let sinceEnd = integerEnd(bytes, from: at + since.count)
            let listed = matches(warnings, in: bytes, at: sinceEnd)
            guard listed || sinceEnd == bytes.count - 1 else { return body }
            var output: [UInt8] = []
            output.reserveCapacity(body.count + 160)
            output.append(contentsOf: body[..<at])
            output.append(contentsOf: request)
            JSONWriter.writeString(id.rawValue, into: &output)
            output.append(contentsOf: body[at..<sinceEnd])
            output.append(contentsOf: state)
            JSONWriter.writeString(columns.state, into: &output)
            JSONWriter.writeKey("updated", into: &output)
            JSONWriter.writeInteger(columns.updated.milliseconds, into: &output)
            JSONWriter.writeKey("version", into: &output)
            JSONWriter.writeInteger(Int64(columns.version), into: &output)
            if listed {
                output.append(contentsOf: body[sinceEnd..<(body.count - 1)])
            } else {
                output.append(contentsOf: noWarnings)
            }
            JSONWriter.writeKey("workflow", into: &output)
            JSONWriter.writeString(columns.workflow.rawValue, into: &output)
            output.append(UInt8(ascii: "}"))
            return output
        }
    }
}
