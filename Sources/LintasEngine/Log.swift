import Foundation
import LintasCore

/// Structured log lines, one JSON object each, on standard error.
///
/// The daemon accepts a logger; only `main` decides where lines go and at which level.
public struct Logger: Sendable {
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case debug, info, warning, error

        /// As written in each line; a switch, not `String(describing:)`, which reflects on the type each time.
        public var name: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .warning: "warning"
            case .error: "error"
            }
        }

        public init?(name: String) {
            guard let level = Level.allCases.first(where: { $0.name == name }) else { return nil }
            self = level
        }

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public var level: Level
    private let clock: any Clock
    private let write: @Sendable (String) -> Void

    /// - Parameter write: where a finished line goes; standard error by default.
    public init(level: Level = .info, clock: any Clock = SystemClock(),
                write: @escaping @Sendable (String) -> Void = { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }) {
        self.level = level
        self.clock = clock
        self.write = write
    }

    /// A logger that writes nothing.
    public static let silent = Logger(level: .error, write: { _ in })

    public func log(_ level: Level, _ event: String, _ fields: [String: JSONValue] = [:]) {
        guard level >= self.level else { return }
        write(String(decoding: line(level, event, fields), as: UTF8.self))
    }

    /// The line's canonical JSON (keys in byte order), written straight into bytes: the fields in
    /// their order with `event`, `level` and `time` put in their places, without a copy of the
    /// fields with those three added (a line a batch, a batch a command when the daemon is durable).
    private func line(_ level: Level, _ event: String, _ fields: [String: JSONValue]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(160)
        output.append(UInt8(ascii: "{"))
        func key(_ key: String) {
            if output.count > 1 { output.append(UInt8(ascii: ",")) }
            JSONWriter.writeString(key, into: &output)
            output.append(UInt8(ascii: ":"))
        }
        var next = 0
        func own(before field: String?) {
            while next < Logger.ownKeys.count, field.map({ JSONWriter.precedes(Logger.ownKeys[next], $0) }) ?? true {
                key(Logger.ownKeys[next])
                switch next {
                case 0: JSONWriter.writeString(event, into: &output)
                case 1: JSONWriter.writeString(level.name, into: &output)
                default:
                    output.append(UInt8(ascii: "\""))
                    clock.now().writeISO8601(in: .utc, into: &output)
                    output.append(UInt8(ascii: "\""))
                }
                next += 1
            }
        }
        for item in JSONWriter.sortedIndices(fields) {
            let (name, value) = fields[item.index]
            own(before: name)
            // A field named like one of the line's own members gives way to it.
            guard !Logger.ownKeys.contains(name) else { continue }
            key(name)
            JSONWriter.write(value, into: &output)
        }
        own(before: nil)
        output.append(UInt8(ascii: "}"))
        return output
    }

    /// The members every line has, in canonical order.
    private static let ownKeys = ["event", "level", "time"]

    public func debug(_ event: String, _ fields: [String: JSONValue] = [:]) { log(.debug, event, fields) }
    public func info(_ event: String, _ fields: [String: JSONValue] = [:]) { log(.info, event, fields) }
    public func warning(_ event: String, _ fields: [String: JSONValue] = [:]) { log(.warning, event, fields) }
    public func error(_ event: String, _ fields: [String: JSONValue] = [:]) { log(.error, event, fields) }
}
