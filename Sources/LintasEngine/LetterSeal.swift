import LintasCore
import LintasStore

/// Seals issued letters with the SHA-256 of their content.
///
/// The core composes a letter's content as a pure value (`LetterRecord.content`) and has no
/// crypto; the engine stamps `content_hash` before the event is stored. The event's own hash
/// covers both, so `audit` fails when a stored letter is altered; the content hash lets a
/// receiving system (SRIKANDI, a printer's archive) check the JSON it was handed on its own.
public enum LetterSeal {
    /// The hex SHA-256 of a letter content's canonical JSON.
    public static func hash(_ content: JSONValue) -> String { Digest.sha256(content.canonicalBytes).hex }

    /// Sets the event's letter's content hash, in place (the event not copied), and returns the
    /// content as encoded once for the seal and for the store (`LetterParts.encode`: the whole
    /// content's canonical JSON, whose SHA-256 is the seal, and the parts put together from its
    /// members' bytes); `nil` without a letter.
    ///
    /// A letter `decide` composed in pieces (`LetterRecord.composed`) is sealed from them: its
    /// members merged in canonical order straight into SHA-256 (`LetterParts.encode(_:implying:…)`,
    /// the assembler audit checks seals with), and stored with its parts' bytes as composed;
    /// `whole` is then empty.
    static func seal(_ event: inout Event, assembler: inout LetterParts.Assembler) -> LetterParts.Encoded? {
        guard let letter = event.detail.letter else { return nil }
        let (contentHash, encoded): (String, LetterParts.Encoded)
        if let composed = letter.composed {
            var stream = SHA256Stream()
            do {
                encoded = try LetterParts.encode(composed, implying: letter, request: event.request, assembler: &assembler) { stream.update($0) }
                contentHash = stream.finish().hex
            } catch {
                // The groups hold each member once, so the pieces cannot clash; if they did, seal the tree.
                (contentHash, encoded) = seal(content: composed.content, of: letter, request: event.request)
            }
        } else if let content = letter.content {
            (contentHash, encoded) = seal(content: content, of: letter, request: event.request)
        } else {
            return nil
        }
        event.detail.letter?.contentHash = contentHash
        return encoded
    }

    /// `seal` of a content as one tree: encoded whole, the seal the SHA-256 of those bytes.
    private static func seal(content: JSONValue, of letter: LetterRecord, request: RequestID) -> (String, LetterParts.Encoded) {
        let encoded = LetterParts.encode(content, implied: LetterParts.implied(letter, request: request))
        return (Digest.sha256(encoded.whole).hex, encoded)
    }

    /// Why a stored letter does not match its seal, or `nil` when it does: the seal checked over
    /// the bytes `writeContent` gives (lintas stores canonical JSON, so these are the bytes the
    /// seal was computed over, and audit needs no tree of them), fed straight into SHA-256.
    /// - Throws: as `writeContent`.
    public static func problem(_ letter: LetterRecord, request: RequestID, own: UnsafeRawBufferPointer, in store: any EventStore,
                               parts: inout Parts) throws -> String? {
        try StoredLetter.with(letter) { letter in
            try Array(request.rawValue.utf8).withUnsafeBytes { request in try problem(letter, request: request, own: own, in: store, parts: &parts) }
        }
    }

    /// `problem` of a letter as its event stores it (`RequestFold.withStoredLetter`), `request`
    /// the event's column: what audit checks every letter with, no `String` built.
    public static func problem(_ letter: StoredLetter, request: UnsafeRawBufferPointer, own: UnsafeRawBufferPointer, in store: any EventStore,
                               parts: inout Parts) throws -> String? {
        var stream = SHA256Stream()
        try writeContent(of: letter, request: request, own: own, in: store, parts: &parts) { stream.update($0) }
        guard let stored = letter.contentHash else { return "letter \(letter.numberText) has content but no content hash" }
        if parts.digest({ stream.finish(into: $0) }, matches: { digest in StoredLetter.withText(stored) { Digest.equals(digest, hexDigits: $0) } }) {
            return nil
        }
        let actual = Digest(bytes: parts.digest)?.hex ?? ""
        return "letter \(letter.numberText) was altered: its content hashes to \(actual.prefix(16))…, sealed as \(StoredLetter.text(stored).prefix(16))…"
    }

    /// What writing many letters' content reuses: the parts read and checked, by hash, as pieces
    /// (audit meets a frame many times), in two generations of at most `limit` each; the
    /// assembler's buffers.
    ///
    /// Most parts are one request's, met again only by that request's next letter; a frame's
    /// recurs in every letter an office issues. When the newer generation is full, the older is
    /// dropped and the newer becomes the older; a part met in the older is moved back to the
    /// newer. So the frames stay, a request's own parts go, and the pieces kept, each about 2 KB
    /// with its members, stay few: memory reused, not fresh pages zeroed by the kernel for each
    /// new piece (as a single set of 4,096 cost audit, a tenth of its CPU in page faults).
    public struct Parts {
        /// Every piece read, each in a slot that the next part is read into (its buffers' capacity
        /// kept, nothing allocated or freed) once its part is dropped.
        private var slots: [LetterParts.Piece] = []
        /// The slots of the parts dropped.
        private var free: [Int] = []
        private var newer = PartTable()
        private var older = PartTable()
        private let limit: Int
        var assembler = LetterParts.Assembler()
        /// The last digest computed (`SHA256Stream.finish(into:)`): one buffer, not one a letter and a part.
        private(set) var digest = [UInt8](repeating: 0, count: Digest.byteCount)

        /// - Parameter limit: how many checked parts each generation keeps (at least 1).
        public init(keeping limit: Int = checkedLimit) { self.limit = max(1, limit) }

        /// The slot of the part named `key`, read and checked before, if it is kept.
        mutating func checked(_ key: PartName) -> Int? {
            if let slot = newer.slot(of: key) { return slot }
            guard let slot = older.remove(key) else { return nil }
            keep(slot, as: key)
            return slot
        }

        /// The piece in a slot `checked` or `read` gave.
        func piece(_ slot: Int) -> LetterParts.Piece { slots[slot] }

        /// Reads a part into a free slot with `body` (which checks it and reads it into the piece
        /// it is given), and keeps it as `key`: its slot, or `nil` when `body` gives `false`.
        /// - Throws: what `body` throws; the slot stays free.
        mutating func read(as key: PartName, _ body: (inout LetterParts.Piece) throws -> Bool) throws -> Int? {
            let slot: Int
            if let last = free.popLast() {
                slot = last
            } else {
                slot = slots.count
                slots.append(LetterParts.Piece())
            }
            let read: Bool
            do {
                read = try body(&slots[slot])
            } catch {
                free.append(slot)
                throw error
            }
            guard read else {
                free.append(slot)
                return nil
            }
            keep(slot, as: key)
            return slot
        }

        /// Keeps a part read and checked.
        private mutating func keep(_ slot: Int, as key: PartName) {
            if newer.count >= limit {
                older.forEachSlot { free.append($0) }
                swap(&newer, &older)
                newer.removeAll()
            }
            newer.set(slot, for: key)
        }

        /// Whether the digest `finish` writes into `digest` passes `test`.
        mutating func digest(_ finish: (UnsafeMutableRawBufferPointer) -> Void, matches test: (UnsafeRawBufferPointer) -> Bool) -> Bool {
            digest.withUnsafeMutableBytes { finish($0) }
            return digest.withUnsafeBytes(test)
        }
    }

    /// A part's name (the hex SHA-256 of its bytes, 64 digits) as a key of the parts `Parts` keeps: its
    /// bytes as eight words, not a `String` built and hashed.
    struct PartName: Equatable {
        let words: SIMD8<UInt64>

        /// `nil` for a name that is not 64 bytes long (no part is stored under it).
        init?(_ name: UnsafeRawBufferPointer) {
            guard name.count == 2 * Digest.byteCount else { return nil }
            words = name.loadUnaligned(as: SIMD8<UInt64>.self)
        }

        init(words: SIMD8<UInt64>) { self.words = words }
    }

    /// The slots of the parts one generation of `Parts` keeps, by name: a table of its own (open
    /// addressing, probed in turn), where a `Dictionary` seeded and finalized a `Hasher` for every
    /// part of every letter. A name's first eight digits (a hash's) pick where it is looked for,
    /// multiplied to spread them; a name found there is compared whole (`==` on all 64 digits), so
    /// two names that share their first digits are two parts.
    struct PartTable {
        private var names: [SIMD8<UInt64>] = []
        /// The slot kept under the name at the same place; `removed` where one was taken out,
        /// `empty` where none was put.
        private var slots: [Int] = []
        private static let removed = -1, empty = -2
        /// How many names are kept, and how many places are taken (those with a name taken out too).
        private(set) var count = 0
        private var taken = 0
        private var shift: UInt64 = 64

        init() {}

        /// Where `name` is kept, or the empty place its probe ends at (`nil`: no place made yet).
        /// At most half the places are taken, so a probe ends.
        private func place(of name: PartName) -> (index: Int, found: Bool)? {
            guard !slots.isEmpty else { return nil }
            let mask = slots.count - 1
            var index = Int(truncatingIfNeeded: (name.words[0] &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while slots[index] != PartTable.empty {
                if slots[index] != PartTable.removed, names[index][0] == name.words[0], names[index] == name.words { return (index, true) }
                index = (index + 1) & mask
            }
            return (index, false)
        }

        /// The slot kept as `name`, if any.
        func slot(of name: PartName) -> Int? {
            guard let (index, found) = place(of: name), found else { return nil }
            return slots[index]
        }

        /// Keeps `slot` as `name`. The places double (sixteen at first) before more than half are taken.
        mutating func set(_ slot: Int, for name: PartName) {
            if 2 * (taken + 1) > slots.count { grow() }
            guard let (index, found) = place(of: name) else { return }
            if !found {
                names[index] = name.words
                count += 1
                taken += 1
            }
            slots[index] = slot
        }

        /// Twice the places (sixteen at first), the names kept placed again.
        private mutating func grow() {
            let (oldNames, oldSlots) = (names, slots)
            let size = max(16, 2 * slots.count)
            names = Array(repeating: SIMD8(), count: size)
            slots = Array(repeating: PartTable.empty, count: size)
            shift = UInt64(64 - size.trailingZeroBitCount)
            (count, taken) = (0, 0)
            for index in oldSlots.indices where oldSlots[index] >= 0 {
                guard let (place, _) = place(of: PartName(words: oldNames[index])) else { continue }
                names[place] = oldNames[index]
                slots[place] = oldSlots[index]
                count += 1
                taken += 1
            }
        }

        /// Takes `name` out: its slot, if it was kept. Its place stays taken (a probe goes on past it).
        mutating func remove(_ name: PartName) -> Int? {
            guard let (index, found) = place(of: name), found else { return nil }
            count -= 1
            defer { slots[index] = PartTable.removed }
            return slots[index]
        }

        /// Calls `body` with each slot kept.
        func forEachSlot(_ body: (Int) -> Void) {
            for slot in slots where slot >= 0 { body(slot) }
        }

        /// Empties the table (a generation dropped), its places kept.
        mutating func removeAll() {
            for index in slots.indices { slots[index] = PartTable.empty }
            (count, taken) = (0, 0)
        }
    }

    /// The canonical JSON of a stored letter's whole content, handed to `sink` in runs: for a
    /// letter stored whole (before schema version 7), `own`, its content as its event stores it;
    /// for one stored in parts, the members its event keeps (`own`), its parts (`LetterParts`)
    /// read from the store, each checked against the hash its event names it by, and the members
    /// the event implies, merged in canonical order (`LetterParts.Assembler`) without a buffer of
    /// the whole. The one way to a stored letter's bytes: audit checks the seal over them, `whole`
    /// parses them.
    /// - Throws: `StoreError` `.malformed` naming the letter when a part is missing, was altered
    ///   (no longer hashes to its name), or does not fit with the rest.
    public static func writeContent(of letter: LetterRecord, request: RequestID, own: UnsafeRawBufferPointer, in store: any EventStore,
                                    parts: inout Parts, to sink: (UnsafeRawBufferPointer) -> Void) throws {
        try StoredLetter.with(letter) { letter in
            try Array(request.rawValue.utf8).withUnsafeBytes { request in
                try writeContent(of: letter, request: request, own: own, in: store, parts: &parts, to: sink)
            }
        }
    }

    /// `writeContent` of a letter as its event stores it, `request` the event's column.
    public static func writeContent(of letter: StoredLetter, request: UnsafeRawBufferPointer, own: UnsafeRawBufferPointer, in store: any EventStore,
                                    parts: inout Parts, to sink: (UnsafeRawBufferPointer) -> Void) throws {
        guard letter.hasParts else { return sink(own) }
        do {
            try parts.assembler.start(own: own)
            for token in letter.parts {
                try StoredLetter.withText(token) { name in
                    // No part is stored under a name that is not 64 bytes long.
                    guard let key = PartName(name) else { throw missingPart(name, of: letter) }
                    if let slot = parts.checked(key) {
                        parts.assembler.add(parts.piece(slot))
                        return
                    }
                    // Read where the store holds it: checked, then read into a free slot's piece.
                    let slot = try parts.read(as: key) { piece in
                        try store.withLetterPart(named: name) { (part) throws -> Void in
                            try withUnsafeTemporaryAllocation(byteCount: Digest.byteCount, alignment: 1) { (digest) throws -> Void in
                                var stream = SHA256Stream()
                                stream.update(part)
                                stream.finish(into: digest)
                                guard Digest.equals(UnsafeRawBufferPointer(digest), hexDigits: name, lowercase: true) else {
                                    let actual = Digest(bytes: Array(digest))?.hex ?? ""
                                    throw StoreError(.malformed, "letter \(letter.numberText) was altered: its part \(shortName(name))… hashes to \(actual.prefix(16))…")
                                }
                            }
                            try Result { () throws(JSONSyntaxError) in try piece.read(part) }.get()
                        } != nil
                    }
                    guard let slot else { throw missingPart(name, of: letter) }
                    parts.assembler.add(parts.piece(slot))
                }
            }
            try parts.assembler.write(implying: letter, request: request, to: sink)
        } catch let error as JSONSyntaxError {
            throw StoreError(.malformed, "letter \(letter.numberText) cannot be put together from its parts: \(error)")
        }
    }

    /// A part's name as a finding shows it: its first sixteen digits. (A function, not a closure
    /// over the name in the loop: that closure, captured by another, was a heap box a part.)
    private static func shortName(_ name: UnsafeRawBufferPointer) -> Substring { String(decoding: name, as: UTF8.self).prefix(16) }

    private static func missingPart(_ name: UnsafeRawBufferPointer, of letter: StoredLetter) -> StoreError {
        StoreError(.malformed, "letter \(letter.numberText) has a part \(shortName(name))… that is not in the store")
    }

    /// How many checked parts each of `Parts`' two generations keeps by default.
    public static let checkedLimit = 256

    /// A stored letter with its whole content (see `writeContent`), as it was composed.
    public static func whole(_ letter: LetterRecord, of event: StoredEvent, in store: any EventStore) throws -> LetterRecord {
        guard !letter.parts.isEmpty, let own = try Event.Detail.storedLetterContent(in: event.data) else { return letter }
        var parts = Parts()
        var content: [UInt8] = []
        try own.withUnsafeBytes { own in
            try writeContent(of: letter, request: event.request, own: own, in: store, parts: &parts) { content.append(contentsOf: $0) }
        }
        var whole = letter
        whole.content = try JSONValue.parse(content)
        whole.parts = []
        return whole
    }
}
