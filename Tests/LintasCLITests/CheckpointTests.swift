import Foundation
import LintasCore
import TestSupport
import Testing

/// Signed checkpoints: what the hash chain alone cannot prove, that nobody rewrote the log.
@Suite("lintas checkpoint and audit --checkpoint: a rewritten or shortened log is found against a signed checkpoint")
struct CheckpointTests {
    /// Perbup Pemalang 38/2023 Pasal 11 ayat (4): PML-1 is refused with a reason (huruf d) or, in the
    /// rewritten history, recommended (huruf b); PML-2 is sent (huruf a).
    static func log(refused: Bool = true, second: Bool = true) throws -> Lintas {
        let lintas = try Lintas.prepared()
        let decision = refused
            ? Pemalang.line("PML-1-decide", "PML-1", "reject", Pemalang.kadisKominfo, day: 3, ["reason": "Pranata Komputer sedang menyiapkan SPBE."])
            : Pemalang.line("PML-1-decide", "PML-1", "recommend", Pemalang.kadisKominfo, day: 3)
        try lintas.process([Pemalang.submit("PML-1")] + [decision] + (second ? [Pemalang.submit("PML-2", day: 4)] : []))
        #expect(try lintas.refusals().isEmpty)
        return lintas
    }

    /// `lintas keys generate` (which takes no database).
    static func generateKeys(_ lintas: Lintas, _ privateKey: String, _ publicKey: String) throws -> Lintas.Result {
        try lintas.run(["keys", "generate", privateKey, publicKey], database: false)
    }

    @Test("a checkpoint signed by the operator's key proves the log unchanged; a rewritten history with every hash recomputed fails it")
    func rewrittenHistoryFailsTheCheckpoint() throws {
        let lintas = try Self.log()
        let key = lintas.folder.appendingPathComponent("lintas.key").path
        let publicKey = lintas.folder.appendingPathComponent("lintas.pub").path
        #expect(try Self.generateKeys(lintas, key, publicKey).status == 0)
        #expect(try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int == 0o600, "the private key is its owner's only")
        let file = lintas.folder.appendingPathComponent("checkpoint.json").path
        #expect(try lintas.expectSuccess(["checkpoint", "--key", key, "--out", file]).stdout.contains("Checkpoint of 3 events through #3"))
        let checkpoint = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
        #expect(checkpoint["checkpoint"]?["events"] == .int(3))
        let verify = ["audit", "--checkpoint", file, "--public-key", publicKey]
        #expect(try lintas.expectSuccess(verify).stdout.contains("the log still holds, unchanged, every event it covered"))

        // Later events are not the checkpoint's concern: it covers the log as it stood.
        try lintas.process([Pemalang.line("PML-2-recommend", "PML-2", "recommend", Pemalang.kadisKominfo, day: 5)])
        try lintas.expectSuccess(verify)

        // Someone with the file rewrites PML-1's refusal into a recommendation, every hash recomputed:
        // the chain alone holds, the checkpoint does not.
        let rewritten = try Self.log(refused: false)
        try rewritten.expectSuccess(["audit"])
        let found = try rewritten.run(verify)
        #expect(found.status == 1)
        #expect(found.stderr.contains("the 3 events through #3 no longer digest to what the checkpoint"), "\(found.stderr)")
        #expect(found.stderr.contains("events were rewritten after it was made"), "\(found.stderr)")

        // Or drops a request's events: the checkpoint names what it covered.
        let shortened = try Self.log(second: false)
        let removed = try shortened.run(verify)
        #expect(removed.status == 1)
        #expect(removed.stderr.contains("the log holds 2 events through #2 where the checkpoint of"), "\(removed.stderr)")
    }

    @Test("a checkpoint altered after signing, or checked against another key, fails; a wrong key file is named")
    func alteredCheckpointOrOtherKeyFails() throws {
        let lintas = try Self.log()
        func path(_ name: String) -> String { lintas.folder.appendingPathComponent(name).path }
        #expect(try Self.generateKeys(lintas, path("a.key"), path("a.pub")).status == 0)
        #expect(try Self.generateKeys(lintas, path("b.key"), path("b.pub")).status == 0)
        try lintas.expectSuccess(["checkpoint", "--key", path("a.key"), "--out", path("a.json")])

        let other = try lintas.run(["audit", "--checkpoint", path("a.json"), "--public-key", path("b.pub")])
        #expect(other.status == 1)
        #expect(other.stderr.contains("does not carry a valid signature by the key given"), "\(other.stderr)")

        // The count changed in the file, as someone hiding removed events would: the signature no longer holds.
        let text = try String(contentsOfFile: path("a.json"), encoding: .utf8).replacingOccurrences(of: "\"events\": 3", with: "\"events\": 2")
        try text.write(toFile: path("altered.json"), atomically: true, encoding: .utf8)
        let altered = try lintas.run(["audit", "--checkpoint", path("altered.json"), "--public-key", path("a.pub")])
        #expect(altered.status == 1)
        #expect(altered.stderr.contains("it was altered after it was signed"), "\(altered.stderr)")

        let publicAsPrivate = try lintas.run(["checkpoint", "--key", path("a.pub")])
        #expect(publicAsPrivate.status == 1)
        #expect(publicAsPrivate.stderr.contains("is not a PEM private key"), "\(publicAsPrivate.stderr)")
        let again = try Self.generateKeys(lintas, path("a.key"), path("c.pub"))
        #expect(again.status == 1)
        #expect(again.stderr.contains("exists already"), "\(again.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path("c.pub")), "nothing half-written")
        let alone = try lintas.run(["audit", "--checkpoint", path("a.json")])
        #expect(alone.status == 64)
        #expect(alone.stderr.contains("go together"), "\(alone.stderr)")
    }
}
