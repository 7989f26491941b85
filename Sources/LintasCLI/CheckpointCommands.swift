import Foundation
import Glibc
import LintasCore
import LintasEngine
import LintasStore

/// Signing keys and signed checkpoints of the log (`Checkpoint`), for audits that must prove the
/// log was not rewritten.
enum CheckpointCommands {
    // MARK: keys generate

    static func generateKeys(_ context: Context) throws -> Int32 {
        let (privatePath, publicPath) = (context.arguments.positionals[0], context.arguments.positionals[1])
        let key = try SigningKey.generate()
        let publicKey = try key.publicKey
        // The private key first, readable by its owner only; neither file is ever overwritten.
        try write(try key.pem, to: privatePath, mode: 0o600, context)
        do {
            try write(try publicKey.pem, to: publicPath, mode: 0o644, context)
        } catch {
            unlink(privatePath)
            throw error
        }
        context.output.line("Wrote an Ed25519 key pair, key \(publicKey.hex):")
        context.output.line("  \(privatePath): the private key (mode 600): for 'lintas checkpoint --key'; keep it from everyone else")
        context.output.line("  \(publicPath): the public key: give it to the inspectors, for 'lintas audit --public-key'")
        return 0
    }

    // MARK: checkpoint

    static func checkpoint(_ context: Context) throws -> Int32 {
        guard let keyPath = context.arguments.option("key") else { throw UsageError("--key PRIVATE.pem is required: the key that signs") }
        let key = try SigningKey(pem: try DocumentFile.bytes(keyPath), source: keyPath)
        let store = try context.openStore(reading: .scans)
        let zone = try DirectoryCatalog(store: store).timeZone()
        let checkpoint = try Checkpoint.make(store, key: key, now: context.clock.now(), zone: zone)
        guard let out = context.arguments.option("out") else {
            context.output.document(checkpoint.document)
            return 0
        }
        try write(Array((checkpoint.document.prettyText + "\n").utf8), to: out, mode: 0o644, context)
        context.output.line("Checkpoint of \(Render.plural(checkpoint.events, "event")) through #\(checkpoint.through), "
                            + "signed by key \(checkpoint.publicKey.prefix(16))… at \(checkpoint.madeAt), written to \(out).")
        context.output.line("Archive it away from this machine; 'lintas audit --checkpoint \(out) --public-key PUBLIC.pem' "
                            + "proves the log still holds what it signed.")
        return 0
    }

    // MARK: audit --checkpoint

    /// The problems of the checkpoint `audit --checkpoint FILE --public-key PUB` names, as audit findings.
    static func auditFindings(_ context: Context, store: SQLiteStore) throws -> [Audit.Finding]? {
        let (file, keyPath) = (context.arguments.option("checkpoint"), context.arguments.option("public-key"))
        guard file != nil || keyPath != nil else { return nil }
        guard let file, let keyPath else {
            throw UsageError("--checkpoint FILE and --public-key PUBLIC.pem go together: the checkpoint, and the key trusted to have signed it")
        }
        let key = try VerifyingKey(pem: try DocumentFile.bytes(keyPath), source: keyPath)
        let checkpoint = try Checkpoint(document: try DocumentFile.read(file), source: file)
        return try checkpoint.problems(in: store, trusting: key).map { Audit.Finding(message: "checkpoint \(file): \($0)") }
    }

    // MARK: files

    /// Writes a new file with `mode`; an existing file is never overwritten.
    private static func write(_ bytes: [UInt8], to path: String, mode: mode_t, _ context: Context) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard descriptor >= 0 else {
            let reason = errno == EEXIST ? "it exists already; lintas never overwrites a key or a checkpoint" : String(cString: strerror(errno))
            context.output.error("Error: cannot write \(path): \(reason).")
            throw Failure()
        }
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            context.output.error("Error: writing \(path) failed: \(String(cString: strerror(errno))).")
            unlink(path)
            throw Failure()
        }
    }
}
