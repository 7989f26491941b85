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
}
