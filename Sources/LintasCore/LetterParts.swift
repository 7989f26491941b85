/// How a letter's content (`lintas.letter/1`) is stored: its own members in the issuing event,
/// and the members many letters share as content-addressed parts, each stored once.
///
/// Most of a letter is the same for every letter one office issues at one step: the kop, the
/// legal basis, the signature block, the tembusan, the headings. Those members form the
/// letter's *frame*, one part; the request's contents (which the request's letters repeat,
/// the surat permohonan and the surat penugasan alike) form a second part. The event keeps the
/// rest (number, id, date, the people assigned, the period, the particulars) and the SHA-256 of
/// each part (`LetterRecord.parts`); the store keeps each part once, under its hash.
///
/// Nothing of the letter changes: its content is its own members and its parts' members,
/// written as one canonical object (`assemble`), byte for byte the content that was composed
/// and sealed, so `content_hash` is the SHA-256 of that whole content as before.
public enum LetterParts {
    /// The members of each part, in the order the event lists the parts' hashes.
    public static let groups: [Set<String>] = [
        ["assigned_heading", "cc", "contents_heading", "format", "klasifikasi", "kop", "label", "legal_basis", "place",
         "signature", "subject", "type"],
        ["contents"],
    ]

    /// A composed content split into the members the event keeps and the parts (those of
    /// `groups` the content has, in that order; a group the content has none of is left out).
    public static func split(_ content: JSONValue) -> (own: JSONValue, parts: [JSONValue]) {
        guard case .object(var own) = content else { return (content, []) }
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

    /// The canonical JSON of the whole content from the canonical JSON of its own members and of
    /// its parts: their members merged in canonical key order, each value's bytes as stored.
    /// - Throws: when a piece is not a JSON object, or two pieces hold the same member.
    public static func assemble(own: [UInt8], parts: [[UInt8]]) throws(JSONSyntaxError) -> [UInt8] {
        var members: [(key: String, value: [UInt8])] = []
        for piece in [own] + parts {
            try JSONReader.read(piece) { (reader) throws(JSONSyntaxError) in
                try reader.members { (reader, key) throws(JSONSyntaxError) in
                    if members.contains(where: { $0.key == key }) { throw reader.expected("the member \"\(key)\" in one piece of the letter only") }
                    members.append((key, try reader.raw()))
                }
            }
        }
        members.sort { JSONWriter.precedes($0.key, $1.key) }
        var output: [UInt8] = []
        output.reserveCapacity(members.reduce(2) { $0 + $1.key.utf8.count + $1.value.count + 4 })
        output.append(UInt8(ascii: "{"))
        for (index, member) in members.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            JSONWriter.writeString(member.key, into: &output)
            output.append(UInt8(ascii: ":"))
            output.append(contentsOf: member.value)
        }
        output.append(UInt8(ascii: "}"))
        return output
    }
}
