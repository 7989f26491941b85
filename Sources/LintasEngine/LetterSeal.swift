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

    /// The event with its letter's content hash set.
    static func seal(_ event: Event) -> Event {
        guard let content = event.detail.letter?.content else { return event }
        var sealed = event
        sealed.detail.letter?.contentHash = hash(content)
        return sealed
    }

    /// Why a stored letter does not match its seal, or `nil` when it does (or has no content).
    public static func problem(_ letter: LetterRecord) -> String? {
        guard let content = letter.content else { return nil }
        return problem(letter, hashed: hash(content))
    }

    /// Why a letter does not match its seal, checked over its content's bytes as stored in the
    /// event (`Event.Detail.storedLetterContent`): lintas stores the canonical JSON, so these
    /// are the bytes the seal was computed over, and audit needs no tree of them.
    public static func problem(_ letter: LetterRecord, storedContent: [UInt8]?) -> String? {
        guard let storedContent else { return nil }
        return problem(letter, hashed: Digest.sha256(storedContent).hex)
    }

    private static func problem(_ letter: LetterRecord, hashed actual: String) -> String? {
        guard let stored = letter.contentHash else { return "letter \(letter.number) has content but no content hash" }
        return actual == stored ? nil : "letter \(letter.number) was altered: its content hashes to \(actual.prefix(16))…, sealed as \(stored.prefix(16))…"
    }
}
