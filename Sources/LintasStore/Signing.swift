internal import CLibCrypto
import Glibc

/// A key or signature that libcrypto refused, with what to do about it.
public struct SigningError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// An Ed25519 private key, read from or written to a PEM file (PKCS #8), held by libcrypto.
/// Signs checkpoints of the log (`Checkpoint`); never hand-rolled: every operation is libcrypto's.
public final class SigningKey: @unchecked Sendable {
    fileprivate let key: OpaquePointer

    private init(key: OpaquePointer) { self.key = key }
    deinit { EVP_PKEY_free(key) }

    /// A new key from the system's random source (libcrypto's DRBG).
    public static func generate() throws(SigningError) -> SigningKey {
        guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nil) else { throw SigningError("libcrypto cannot make an Ed25519 key") }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_keygen(context, &key) == 1, let key else {
            throw SigningError("libcrypto failed to generate an Ed25519 key")
        }
        return SigningKey(key: key)
    }

    /// The key in a PEM file (`-----BEGIN PRIVATE KEY-----`); refuses any other type than Ed25519.
    public init(pem: [UInt8], source: String) throws(SigningError) {
        // A key protected by a passphrase is refused, not asked for: a checkpoint job has nobody to answer.
        key = try readPEM(pem, source: source, kind: "private key") { PEM_read_bio_PrivateKey($0, nil, { _, _, _, _ in 0 }, nil) }
    }

    /// The private key as PEM (unencrypted PKCS #8): keep it where only the operator can read it.
    public var pem: [UInt8] {
        get throws(SigningError) { try writePEM { PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil) } }
    }

    public var publicKey: VerifyingKey {
        get throws(SigningError) { try VerifyingKey(pem: try writePEM { PEM_write_bio_PUBKEY($0, key) }, source: "the private key") }
    }

    /// The Ed25519 signature of `message` (64 bytes).
    public func sign(_ message: [UInt8]) throws(SigningError) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw SigningError("libcrypto cannot allocate a signing context") }
        defer { EVP_MD_CTX_free(context) }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = signature.count
        let signed = message.withUnsafeBufferPointer { bytes in
            EVP_DigestSignInit(context, nil, nil, nil, key) == 1
                && EVP_DigestSign(context, &signature, &length, bytes.baseAddress, bytes.count) == 1
        }
        guard signed, length == 64 else { throw SigningError("libcrypto failed to sign") }
        return signature
    }
}

/// An Ed25519 public key, from a PEM file (`-----BEGIN PUBLIC KEY-----`), that verifies signatures.
public final class VerifyingKey: @unchecked Sendable {
    fileprivate let key: OpaquePointer

    public init(pem: [UInt8], source: String) throws(SigningError) {
        key = try readPEM(pem, source: source, kind: "public key") { PEM_read_bio_PUBKEY($0, nil, nil, nil) }
    }

    deinit { EVP_PKEY_free(key) }

    public var pem: [UInt8] {
        get throws(SigningError) { try writePEM { PEM_write_bio_PUBKEY($0, key) } }
    }

    /// The raw 32 bytes of the key, as hex: what a checkpoint names its signer by.
    public var hex: String {
        var bytes = [UInt8](repeating: 0, count: 32)
        var length = bytes.count
        guard EVP_PKEY_get_raw_public_key(key, &bytes, &length) == 1, length == 32 else { return "" }
        return Digest.hex(of: bytes)
    }

    /// Whether `signature` is this key's Ed25519 signature of `message`.
    public func verifies(_ signature: [UInt8], of message: [UInt8]) -> Bool {
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        return message.withUnsafeBufferPointer { bytes in
            EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1
                && EVP_DigestVerify(context, signature, signature.count, bytes.baseAddress, bytes.count) == 1
        }
    }
}

/// A key parsed from PEM bytes by `read`, which must be Ed25519.
private func readPEM(_ pem: [UInt8], source: String, kind: String,
                     _ read: (OpaquePointer) -> OpaquePointer?) throws(SigningError) -> OpaquePointer {
    ERR_clear_error()
    let parsed: OpaquePointer? = pem.withUnsafeBytes { bytes in
        guard let bio = BIO_new_mem_buf(bytes.baseAddress, Int32(bytes.count)) else { return nil }
        defer { BIO_free(bio) }
        return read(bio)
    }
    ERR_clear_error()
    guard let parsed else {
        let encrypted = kind == "private key" && pem.starts(with: Array("-----BEGIN ENCRYPTED PRIVATE KEY-----".utf8))
        throw SigningError(encrypted
            ? "\(source) is protected by a passphrase, which lintas does not ask for: keep the key unencrypted, readable only by the signing job (mode 600)"
            : "\(source) is not a PEM \(kind) libcrypto can read (make one with 'lintas keys generate')")
    }
    guard EVP_PKEY_get_id(parsed) == EVP_PKEY_ED25519 else {
        EVP_PKEY_free(parsed)
        throw SigningError("\(source) is not an Ed25519 \(kind): lintas signs with Ed25519 only")
    }
    return parsed
}

/// What `write` puts into a memory BIO, as bytes.
private func writePEM(_ write: (OpaquePointer) -> Int32) throws(SigningError) -> [UInt8] {
    guard let bio = BIO_new(BIO_s_mem()) else { throw SigningError("libcrypto cannot allocate a buffer") }
    defer { BIO_free(bio) }
    guard write(bio) == 1 else { throw SigningError("libcrypto failed to write the key as PEM") }
    var bytes = [UInt8](repeating: 0, count: Int(BIO_ctrl_pending(bio)))
    guard BIO_read(bio, &bytes, Int32(bytes.count)) == Int32(bytes.count) else { throw SigningError("libcrypto failed to write the key as PEM") }
    return bytes
}
