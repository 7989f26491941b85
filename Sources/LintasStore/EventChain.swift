import LintasCore

/// What an event's hash covers, in one place: the previous event's hash of the same
/// request (32 zero bytes for the first) followed by the event's canonical bytes.
///
/// The chain runs per request, so several writers (PostgreSQL, several daemons) never
/// contend for one chain head; the gap-free global sequence and the projection's version
/// catch events removed or reordered across requests. See docs/architecture.md.
public enum EventChain {
    public static func hash(_ event: Event, data: [UInt8], previous: Digest) -> Digest {
        Digest.sha256(previous.bytes, Event.canonicalBytes(
            request: event.request, version: event.version, action: event.action, state: event.state, actor: event.actor,
            at: event.at, recorded: event.recorded, command: event.command, data: data))
    }

    /// The hash a stored row should carry, recomputed from its columns.
    public static func hash(_ row: StoredEvent, previous: Digest) -> Digest {
        Digest.sha256(previous.bytes, Event.canonicalBytes(
            request: row.request, version: row.version, action: row.action, state: row.state, actor: row.actor,
            at: row.at, recorded: row.recorded, command: row.command, data: row.data))
    }
}
