import Glibc
import LintasCore

/// Schema version 10: an event's `by` (the role played, the official's name, title, capacity and
/// position: the same object on every step an official takes in one role) is stored once, in
/// `actors`, keyed by the SHA-256 (lowercase hex) of its canonical JSON; the event's `data` column
/// keeps the detail without it and `by_actor` names the actor row (its integer id). What the event's
/// hash covers is unchanged: the detail's canonical bytes with `by` in its place (`join`), which
/// every reader of the log gets back, so a changed actor row fails the hash of every event by it.
/// A row whose `by_actor` is NULL (written before version 10 and not split, or not as lintas
/// writes it) keeps its detail whole.
enum StoredActors {
    /// `{"article":` then a string: how every detail starts (keys in sorted order, `by` next).
    private static let opening = Array(#"{"article":""#.utf8)
    private static let member = Array(#","by":"#.utf8)

    /// The index just past the article's closing quote, when the bytes open as a detail does.
    private static func articleEnd(_ data: UnsafeRawBufferPointer) -> Int? {
        guard data.count > opening.count, let base = data.baseAddress, memcmp(base, opening, opening.count) == 0 else { return nil }
        var index = opening.count
        // Each quote found by `memchr`: the closing one has an even number of backslashes before it.
        while index < data.count, let found = memchr(base + index, Int32(UInt8(ascii: "\"")), data.count - index) {
            let quote = base.distance(to: UnsafeRawPointer(found))
            var escapes = 0
            while quote - escapes - 1 >= opening.count, data[quote - escapes - 1] == UInt8(ascii: "\\") { escapes += 1 }
            if escapes % 2 == 0 { return quote + 1 }
            index = quote + 1
        }
        return nil
    }

    /// A detail's canonical bytes as `data` (without `by`) and `by`'s canonical JSON, or `nil`
    /// when they are not as `Event.Detail.canonicalBytes` writes them (then kept whole).
    static func split(_ data: [UInt8]) -> (rest: [UInt8], actor: [UInt8])? {
        data.withUnsafeBytes { bytes -> (rest: [UInt8], actor: [UInt8])? in
            guard let end = articleEnd(bytes), data[end...].starts(with: member) else { return nil }
            let start = end + member.count
            guard start < bytes.count, bytes[start] == UInt8(ascii: "{") else { return nil }
            // The object's members are strings: its end is the first `}` outside a string.
            var index = start + 1, inString = false
            while index < bytes.count {
                let byte = bytes[index]
                if inString {
                    if byte == UInt8(ascii: "\\") { index += 1 } else if byte == UInt8(ascii: "\"") { inString = false }
                } else if byte == UInt8(ascii: "\"") {
                    inString = true
                } else if byte == UInt8(ascii: "}") {
                    let actor = Array(data[start...index])
                    var rest = Array(data[..<end])
                    rest.append(contentsOf: data[(index + 1)...])
                    return (rest, actor)
                } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                    return nil
                }
                index += 1
            }
            return nil
        }
    }

    /// The detail's canonical bytes from the stored `data` and the actor row's body, written into
    /// the first `count` bytes of `output` (grown to fit, a buffer reused from row to row: each
    /// piece copied to its place, no append), and where the body stands in them; `nil`, with
    /// `output` untouched, when `data` does not open as a detail does (the row is then read as
    /// stored, and fails its hash).
    static func join(_ data: UnsafeRawBufferPointer, actor: UnsafeRawBufferPointer, into output: inout [UInt8]) -> (count: Int, body: Range<Int>)? {
        guard let end = articleEnd(data), let source = data.baseAddress else { return nil }
        let body = (end + member.count)..<(end + member.count + actor.count)
        let count = data.count + member.count + actor.count
        if output.count < count { output.append(contentsOf: repeatElement(0, count: count - output.count)) }
        output.withUnsafeMutableBytes { output in
            let base = output.baseAddress!
            base.copyMemory(from: source, byteCount: end)
            member.withUnsafeBytes { (base + end).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            if let actor = actor.baseAddress { (base + body.lowerBound).copyMemory(from: actor, byteCount: body.count) }
            (base + body.upperBound).copyMemory(from: source + end, byteCount: data.count - end)
        }
        return (count, body)
    }

    static func join(_ data: [UInt8], actor: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        let joined = data.withUnsafeBytes { data in actor.withUnsafeBytes { actor in join(data, actor: actor, into: &output) } }
        guard let joined else { return data }
        output.removeSubrange(joined.count...)
        return output
    }

    /// Version 10: `actors`, append-only, and `events.by_actor`.
    static let table = """
        CREATE TABLE IF NOT EXISTS actors (
            id INTEGER PRIMARY KEY,
            hash TEXT NOT NULL UNIQUE,
            body TEXT NOT NULL
        );
        CREATE TRIGGER IF NOT EXISTS actors_refuse_update BEFORE UPDATE ON actors
            BEGIN SELECT RAISE(ABORT, 'actors are append-only: UPDATE is refused'); END;
        CREATE TRIGGER IF NOT EXISTS actors_refuse_delete BEFORE DELETE ON actors
            BEGIN SELECT RAISE(ABORT, 'actors are append-only: DELETE is refused'); END;
        """

    /// The id of the actor row holding `body` (its canonical JSON), inserted when missing.
    static func id(of body: [UInt8], in connection: SQLiteConnection) throws(StoreError) -> Int64 {
        let hash = Digest.sha256(body).hex
        try connection.run("INSERT INTO actors (hash, body) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING", [.text(hash), .utf8(body)])
        if connection.changes == 1 { return connection.lastInsertRowID }
        return try connection.query("SELECT id FROM actors WHERE hash = ?", [.text(hash)]) { $0.int64(0) }[0]
    }
}
