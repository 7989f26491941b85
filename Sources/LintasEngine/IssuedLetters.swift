import LintasCore
import LintasStore

/// A letter a step issued: the reference its request's state keeps, and the record with its
/// content, read from the issuing event (where alone the content is stored).
public struct IssuedLetter: Sendable, Hashable {
    public var request: RequestID
    public var reference: LetterReference
    /// The letter as frozen in its event: number, content and seal.
    public var record: LetterRecord
    /// The issuing event's global sequence number.
    public var event: Int64
}

/// Finds issued letters: references from the stored states, contents from the events.
public enum IssuedLetters {
    /// Every letter's reference, of one request or of all, in register order (register, then sequence).
    public static func references(in store: any EventStore, request: RequestID? = nil) throws -> [(request: RequestID, reference: LetterReference)] {
        var found: [(request: RequestID, reference: LetterReference)] = []
        if let request {
            let state = try store.request(request)?.decode()
            return (state?.letters ?? []).map { (request, $0) }
        }
        try store.forEachRequest { stored in
            let state = try stored.decode()
            found += state.letters.map { (state.request, $0) }
        }
        return found.sorted { ($0.reference.register, $0.reference.sequence) < ($1.reference.register, $1.reference.sequence) }
    }

    /// Every letter of a request's state, each read from its event; the log is read once.
    public static func load(_ state: RequestState, in store: any EventStore) throws -> [IssuedLetter] {
        guard !state.letters.isEmpty else { return [] }
        let events = try store.events(of: state.request)
        return try state.letters.map { reference in try load(reference, of: state.request, from: events, in: store) }
    }

    /// The letter a reference points at, read from the request's event of that version.
    /// - Throws: `StoreError` `.malformed` when that event does not hold the letter the state names
    ///   (the state and the log disagree: `lintas audit` says more).
    public static func load(_ reference: LetterReference, of request: RequestID, in store: any EventStore) throws -> IssuedLetter {
        try load(reference, of: request, from: store.events(of: request), in: store)
    }

    private static func load(_ reference: LetterReference, of request: RequestID, from events: [StoredEvent],
                             in store: any EventStore) throws -> IssuedLetter {
        guard let row = events.first(where: { $0.version == reference.version }) else {
            throw StoreError(.malformed, "letter \(reference.number) of request \(request) names event version \(reference.version), which is not in the log; run 'lintas audit'")
        }
        guard let record = try row.decode().detail.letter, record.register == reference.register, record.sequence == reference.sequence else {
            throw StoreError(.malformed, "event version \(reference.version) of request \(request) does not hold letter \(reference.number); run 'lintas audit'")
        }
        return IssuedLetter(request: request, reference: reference, record: try LetterSeal.whole(record, of: row, in: store),
                            event: row.sequence)
    }
}
