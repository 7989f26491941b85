import Foundation
import LintasCore
import LintasStore

/// A signed statement of the whole log at one moment: how many events it held, the last one's
/// sequence number, and the SHA-256 of every event's sequence number and hash in order, signed
/// with the operator's Ed25519 key.
///
/// The hash chain proves that the log is consistent; it cannot prove that nobody with write access
/// to the file rewrote a request's events and recomputed their hashes. A checkpoint archived away
/// from the database (the e-office archive, the inspectorate) can: `audit --checkpoint` recomputes
/// the digest over the events the checkpoint covers and names any difference, and the signature
/// proves who made the checkpoint and that it was not altered.
public struct Checkpoint: Sendable, Hashable {
    public static let format = "lintas.checkpoint/1"

    /// The signed members, as canonical JSON: `format`, `events`, `through`, `events_digest`,
    /// `made_at`, `public_key`.
    public let statement: JSONValue
    /// The Ed25519 signature of the statement's canonical bytes.
    public let signature: [UInt8]

    public var events: Int64 { statement["events"]?.intValue ?? 0 }
    /// The last event's sequence number (0 for an empty log).
    public var through: Int64 { statement["through"]?.intValue ?? 0 }
    public var eventsDigest: String { statement["events_digest"]?.stringValue ?? "" }
    public var madeAt: String { statement["made_at"]?.stringValue ?? "" }
    /// The signer's public key, 32 bytes as hex.
    public var publicKey: String { statement["public_key"]?.stringValue ?? "" }

    /// The document written to the checkpoint file.
    public var document: JSONValue { .object(["checkpoint": statement, "signature": .string(Digest.hex(of: signature))]) }

    /// The log as it stands: digested in one read snapshot and signed with `key`.
    public static func make(_ store: any EventStore, key: SigningKey, now: Timestamp, zone: TimeZoneOffset) throws -> Checkpoint {
        let log = try store.readSnapshot { try LogDigest(store, through: nil) }
        let statement = JSONValue.object([
            "format": .string(format), "events": .int(log.events), "through": .int(log.through),
            "events_digest": .string(log.digest.hex), "made_at": .string(now.iso8601(in: zone)),
            "public_key": .string(try key.publicKey.hex),
        ])
        return Checkpoint(statement: statement, signature: try key.sign(statement.canonicalBytes))
    }

    /// A checkpoint document as `make` wrote it.
    /// - Throws: `InvalidDocument` naming `source` and the member that is missing or wrong.
    public init(document: JSONValue, source: String) throws(InvalidDocument) {
        var problems: [Problem] = []
        let statement = document["checkpoint"] ?? .null
        if statement["format"]?.stringValue != Self.format {
            problems.append(Problem(path: "checkpoint.format", message: "must be \"\(Self.format)\": this is not a lintas checkpoint"))
        }
        for member in ["events", "through"] where (statement[member]?.intValue ?? -1) < 0 {
            problems.append(Problem(path: "checkpoint.\(member)", message: "must be a whole number, 0 or more"))
        }
        if Digest(hex: statement["events_digest"]?.stringValue ?? "") == nil {
            problems.append(Problem(path: "checkpoint.events_digest", message: "must be 64 hex digits (a SHA-256)"))
        }
        for member in ["made_at", "public_key"] where statement[member]?.stringValue == nil {
            problems.append(Problem(path: "checkpoint.\(member)", message: "is missing"))
        }
        let signature = Digest.bytes(hex: document["signature"]?.stringValue ?? "") ?? []
        if signature.count != 64 { problems.append(Problem(path: "signature", message: "must be 128 hex digits (an Ed25519 signature)")) }
        guard problems.isEmpty else { throw InvalidDocument(source: source, problems: problems) }
        self.statement = statement
        self.signature = signature
    }

    private init(statement: JSONValue, signature: [UInt8]) {
        self.statement = statement
        self.signature = signature
    }

    /// What is wrong with this checkpoint against `store`'s log and the key the auditor trusts:
    /// nothing when the signature is `key`'s and the log still holds, unchanged, every event it covered.
    public func problems(in store: any EventStore, trusting key: VerifyingKey) throws -> [String] {
        var problems: [String] = []
        let trusted = key.hex
        if publicKey != trusted {
            problems.append("the checkpoint of \(madeAt) names signing key \(publicKey.prefix(16))…, not the key given (\(trusted.prefix(16))…)")
        }
        guard key.verifies(signature, of: statement.canonicalBytes) else {
            problems.append("the checkpoint of \(madeAt) does not carry a valid signature by the key given (\(trusted.prefix(16))…): "
                            + "it was altered after it was signed, or another key signed it")
            return problems
        }
        let log = try store.readSnapshot { try LogDigest(store, through: through) }
        if log.events != events || log.through != through {
            problems.append("the log holds \(log.events) events through #\(log.through) where the checkpoint of \(madeAt) signed "
                            + "\(events) through #\(through): events it covered were removed")
        } else if log.digest.hex != eventsDigest {
            problems.append("the \(events) events through #\(through) no longer digest to what the checkpoint of \(madeAt) signed "
                            + "(\(eventsDigest.prefix(16))…, now \(log.digest.hex.prefix(16))…): events were rewritten after it was made")
        }
        return problems
    }
}

/// SHA-256 over every event's sequence number (8 bytes, big-endian) and stored hash, in sequence
/// order, through a sequence number: what a checkpoint signs.
struct LogDigest {
    var events: Int64 = 0
    var through: Int64 = 0
    var digest: Digest

    init(_ store: any EventStore, through last: Int64?) throws {
        var stream = SHA256Stream()
        var events: Int64 = 0
        var through: Int64 = 0
        try store.forEachEventHash(through: last) { sequence, hash in
            withUnsafeBytes(of: sequence.bigEndian) { stream.update($0) }
            stream.update(hash)
            events += 1
            through = sequence
        }
        self.events = events
        self.through = through
        digest = stream.finish()
    }
}
