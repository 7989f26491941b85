/// A string identifier with its own type, so a request id cannot be passed where a NIP is meant.
public protocol StringIdentifier: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    var rawValue: String { get }
    init(_ rawValue: String)
}

extension StringIdentifier {
    public init(stringLiteral value: String) { self.init(value) }
    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The id a client gives a request (a penugasan case), e.g. `PML-2025-0001`.
public struct RequestID: StringIdentifier {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
}

/// A command's idempotency key, chosen by the client: the same key is applied at most once.
public struct CommandID: StringIdentifier {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
}

/// A workflow's id, e.g. `pemalang.penunjukan.lintas-pd`.
public struct WorkflowID: StringIdentifier {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
}

/// A unit of the org directory: an agency (instansi), a department (perangkat daerah),
/// an organisational unit or a work unit.
public struct UnitID: StringIdentifier {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
}

/// A position (jabatan) of the org directory.
public struct PositionID: StringIdentifier {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
}

/// Nomor Induk Pegawai: the 18-digit number that identifies a civil servant (PNS or PPPK).
public struct NIP: StringIdentifier {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// Why `text` is not a well-formed NIP, or `nil` when it is.
    ///
    /// A NIP has 18 digits: date of birth (YYYYMMDD), year and month of appointment
    /// (for PPPK the "month" is a code such as 21), sex (1 or 2) and a serial number.
    public static func problem(with text: String) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.count == 18, bytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return "a NIP has 18 digits, got \"\(text.prefix(40))\""
        }
        let birth = String(decoding: bytes[0..<4], as: UTF8.self) + "-" + String(decoding: bytes[4..<6], as: UTF8.self)
            + "-" + String(decoding: bytes[6..<8], as: UTF8.self)
        guard CivilDate(iso: birth) != nil else { return "NIP \(text) does not start with a valid date of birth (YYYYMMDD)" }
        guard bytes[14] == UInt8(ascii: "1") || bytes[14] == UInt8(ascii: "2") else {
            return "NIP \(text) has \(Character(Unicode.Scalar(bytes[14]))) in the 15th digit, which must be 1 or 2"
        }
        return nil
    }

    /// Grouped as printed on letters: `19800101 200501 1 001`.
    public var grouped: String {
        guard rawValue.utf8.count == 18 else { return rawValue }
        let characters = Array(rawValue)
        return String(characters[0..<8]) + " " + String(characters[8..<14]) + " " + String(characters[14]) + " " + String(characters[15..<18])
    }
}

/// The SHA-256 of a workflow definition's canonical JSON, in lowercase hex: the version a request is pinned to.
public struct DefinitionHash: StringIdentifier {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// The first 12 hex digits, enough for people to tell versions apart.
    public var short: String { String(rawValue.prefix(12)) }
}

extension String {
    /// Empty, or whitespace only (what a required text must not be). A first byte that is printable
    /// ASCII other than a space answers at once, without reading the text as `Character`s.
    var isBlank: Bool {
        if let first = utf8.first, first > 0x20, first < 0x7F { return false }
        return allSatisfy(\.isWhitespace)
    }
}
