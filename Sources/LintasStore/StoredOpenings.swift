import Glibc
import LintasCore

/// Schema version 11: an event's detail opens with the article cited and the `by` of who acted
/// (`{"article":"…","by":{…},` keys in sorted order), and a request's first event with the hash of
/// the definition it is pinned to next (`"definition":"…"`); those members, the same for every step
/// an official takes in one role on one article (of one definition), are stored once as a row of
/// `openings`: the JSON object `{"article":"…","by":{…}}` (or `{…,"definition":"…"}`), keyed by its
/// SHA-256 (32 bytes), with a small integer id. The
/// event's `data` keeps the rest of the detail, itself an object (`{"fields":…}`), and `opening`
/// names the row. What the event's hash covers is unchanged: the detail's canonical bytes, the
/// opening and the rest put together (`join`), which every reader of the log gets back, so a changed
/// opening row fails the hash of every event that cites it. A row whose `opening` is NULL (not as
/// lintas writes it) keeps its detail whole.
///
/// Version 10 stored the `by` alone (`actors`, the event's `data` keeping its article); opening such a
/// file rewrites its events in this form (`legacyJoin`, for the migration only).
enum StoredOpenings {
    /// `{"article":` then a string: how every detail starts (keys in sorted order, `by` next).
    private static let start = Array(#"{"article":""#.utf8)
    private static let member = Array(#","by":"#.utf8)
    /// What follows `by` in a request's first event (keys in sorted order).
    private static let definition = Array(#","definition":""#.utf8)

    /// The index just past the article's closing quote, when the bytes open as a detail does.
    private static func articleEnd(_ data: UnsafeRawBufferPointer) -> Int? {
        guard data.count > start.count, memcmp(data.baseAddress!, start, start.count) == 0 else { return nil }
        return stringEnd(data, from: start.count)
    }

    /// The index just past the closing quote of the string whose contents start at `first`.
    private static func stringEnd(_ data: UnsafeRawBufferPointer, from first: Int) -> Int? {
        guard let base = data.baseAddress else { return nil }
        var index = first
        // Each quote found by `memchr`: the closing one has an even number of backslashes before it.
        while index < data.count, let found = memchr(base + index, Int32(UInt8(ascii: "\"")), data.count - index) {
            let quote = base.distance(to: UnsafeRawPointer(found))
            var escapes = 0
            while quote - escapes - 1 >= first, data[quote - escapes - 1] == UInt8(ascii: "\\") { escapes += 1 }
            if escapes % 2 == 0 { return quote + 1 }
            index = quote + 1
        }
        return nil
    }

    /// Where `by`'s object stands, when the bytes open as a detail does: after the article, from
    /// its `{` through the first `}` outside a string (its members are strings).
    static func by(in data: UnsafeRawBufferPointer) -> Range<Int>? {
        guard let end = articleEnd(data), end + member.count < data.count,
              memcmp(data.baseAddress! + end, member, member.count) == 0, data[end + member.count] == UInt8(ascii: "{") else { return nil }
        let lower = end + member.count
        var index = lower + 1, inString = false
        while index < data.count {
            let byte = data[index]
            if inString {
                if byte == UInt8(ascii: "\\") { index += 1 } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "}") {
                return lower..<(index + 1)
            } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                return nil
            }
            index += 1
        }
        return nil
    }

    /// A detail's canonical bytes as the rest (`data`, an object of the members after `by`, or after
    /// `definition` when it follows) and the opening (an object of the article, `by` and that
    /// `definition`), or `nil` when they are not as `Event.Detail.canonicalBytes` writes them (then
    /// kept whole).
    static func split(_ data: [UInt8]) -> (rest: [UInt8], opening: [UInt8])? {
        data.withUnsafeBytes { bytes -> (rest: [UInt8], opening: [UInt8])? in
            guard let by = by(in: bytes) else { return nil }
            var end = by.upperBound
            if end + definition.count < bytes.count, memcmp(bytes.baseAddress! + end, definition, definition.count) == 0 {
                guard let after = stringEnd(bytes, from: end + definition.count) else { return nil }
                end = after
            }
            guard end < bytes.count - 1, bytes[end] == UInt8(ascii: ","), bytes[bytes.count - 1] == UInt8(ascii: "}") else { return nil }
            var opening = Array(data[..<end])
            opening.append(UInt8(ascii: "}"))
            var rest = [UInt8(ascii: "{")]
            rest.append(contentsOf: data[(end + 1)...])
            return (rest, opening)
        }
    }

    /// The detail's canonical bytes from the stored `data` (the rest) and the opening row's body
    /// (`Event.Detail.join`); `data` as it is when either is not an object (it fails its hash).
    static func join(_ data: [UInt8], opening: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        let joined = data.withUnsafeBytes { data in opening.withUnsafeBytes { opening in Event.Detail.join(rest: data, opening: opening, into: &output) } }
        guard let joined else { return data }
        output.removeSubrange(joined...)
        return output
    }

    /// A version-10 row's detail: its `data` (the detail without `by`) with the `actors` row's body
    /// put back after the article; `data` as it is when it does not open as a detail does.
    static func legacyJoin(_ data: [UInt8], actor: [UInt8]) -> [UInt8] {
        guard let end = data.withUnsafeBytes(articleEnd) else { return data }
        return Array(data[..<end]) + member + actor + data[end...]
    }

    /// Version 11: `openings`, append-only, keyed by the SHA-256 of the body.
    static let table = """
        CREATE TABLE IF NOT EXISTS openings (
            id INTEGER PRIMARY KEY,
            hash BLOB NOT NULL UNIQUE,
            body TEXT NOT NULL
        );
        CREATE TRIGGER IF NOT EXISTS openings_refuse_update BEFORE UPDATE ON openings
            BEGIN SELECT RAISE(ABORT, 'openings are append-only: UPDATE is refused'); END;
        CREATE TRIGGER IF NOT EXISTS openings_refuse_delete BEFORE DELETE ON openings
            BEGIN SELECT RAISE(ABORT, 'openings are append-only: DELETE is refused'); END;
        """

    /// The id of the opening row holding `body`, inserted when missing.
    static func id(of body: [UInt8], in connection: SQLiteConnection) throws(StoreError) -> Int64 {
        let hash = Digest.sha256(body).bytes
        try connection.run("INSERT INTO openings (hash, body) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING", [.blob(hash), .utf8(body)])
        if connection.changes == 1 { return connection.lastInsertRowID }
        return try connection.query("SELECT id FROM openings WHERE hash = ?", [.blob(hash)]) { $0.int64(0) }[0]
    }
}

/// The `openings` a scan reads once (`SQLiteStore.scanEvents`), found by an event's `opening` id
/// without hashing it (a dictionary lookup hashed the id at every event): the rows in id order,
/// each with where its `by` stands; a row's index is its number in the scan.
struct ScannedOpenings {
    private var ids: [Int64] = []
    private(set) var rows: [(body: [UInt8], by: Range<Int>?)] = []

    /// The rows of `openings` on this connection, in id order.
    init(_ connection: SQLiteConnection) throws(StoreError) {
        for (id, body) in try connection.query("SELECT id, body FROM openings ORDER BY id", row: { ($0.int64(0), $0.bytes(1)) }) {
            ids.append(id)
            rows.append((body, body.withUnsafeBytes(StoredOpenings.by(in:))))
        }
    }

    /// The index of the row with this id, `nil` when there is none: where it stands when the ids
    /// run on from the first without a gap (as SQLite numbers them), else found by halving.
    func index(of id: Int64) -> Int? {
        guard let first = ids.first else { return nil }
        let offset = id &- first
        if offset >= 0, offset < Int64(ids.count), ids[Int(offset)] == id { return Int(offset) }
        var low = 0, high = ids.count
        while low < high {
            let middle = (low + high) / 2
            if ids[middle] < id { low = middle + 1 } else { high = middle }
        }
        return low < ids.count && ids[low] == id ? low : nil
    }
}
