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
        guard letter.numbering != .none else { return ["request": .string(request.rawValue)] }
        return ["id": .string(letter.id), "number": .string(letter.number), "request": .string(request.rawValue)]
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

    /// One piece of a stored letter (its own members, or a part) as its members: name and the
    /// value's bytes as stored, in stored order (sorted, as lintas writes canonical JSON).
    public typealias Members = [(key: String, value: [UInt8])]

    /// The members of one piece's canonical JSON.
    /// - Throws: when it is not a JSON object.
    public static func members(of piece: [UInt8]) throws(JSONSyntaxError) -> Members {
        try piece.withUnsafeBytes { piece in Result { () throws(JSONSyntaxError) in try members(of: piece) } }.get()
    }

    /// `members(of:)` of borrowed bytes (a piece as its event stores it).
    public static func members(of piece: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> Members {
        var members: Members = []
        try JSONReader.read(piece.assumingMemoryBound(to: UInt8.self)) { (reader) throws(JSONSyntaxError) in
            try reader.members { (reader, key) throws(JSONSyntaxError) in members.append((key, try reader.raw())) }
        }
        return members
    }

    /// The canonical JSON of the whole content from the canonical JSON of its own members and of
    /// its parts, and the `implied` members none of them holds: their members merged in canonical
    /// key order, each value's bytes as stored.
    /// - Throws: when a piece is not a JSON object, or two pieces hold the same member.
    public static func assemble(own: [UInt8], parts: [[UInt8]], implied: [String: JSONValue] = [:]) throws(JSONSyntaxError) -> [UInt8] {
        var pieces = [try members(of: own)]
        for part in parts { pieces.append(try members(of: part)) }
        return try assemble(pieces, implied: implied)
    }

    /// `assemble` of pieces already read (`members(of:)`): each piece's members are in canonical
    /// order, so they are merged, not sorted.
    public static func assemble(_ pieces: [Members], implied: [String: JSONValue] = [:]) throws(JSONSyntaxError) -> [UInt8] {
        var pieces = pieces
        let missing = implied.filter { name, _ in !pieces.contains { $0.contains { $0.key == name } } }
        if !missing.isEmpty { pieces.append(JSONWriter.sortedMembers(missing).map { ($0.key, $0.value.canonicalBytes) }) }
        var output: [UInt8] = []
        output.reserveCapacity(pieces.reduce(2) { total, piece in piece.reduce(total) { $0 + $1.key.utf8.count + $1.value.count + 4 } })
        output.append(UInt8(ascii: "{"))
        var next = [Int](repeating: 0, count: pieces.count)
        var previous: String?
        while true {
            var chosen: Int?
            for index in pieces.indices where next[index] < pieces[index].count {
                if let best = chosen, !JSONWriter.precedes(pieces[index][next[index]].key, pieces[best][next[best]].key) { continue }
                chosen = index
            }
            guard let chosen else { break }
            let member = pieces[chosen][next[chosen]]
            next[chosen] += 1
            if let previous {
                guard previous != member.key else { throw JSONSyntaxError(message: "the member \"\(member.key)\" is in two pieces of the letter", line: 1, column: 1) }
                output.append(UInt8(ascii: ","))
            }
            previous = member.key
            JSONWriter.writeString(member.key, into: &output)
            output.append(UInt8(ascii: ":"))
            output.append(contentsOf: member.value)
        }
        output.append(UInt8(ascii: "}"))
        return output
    }
}
