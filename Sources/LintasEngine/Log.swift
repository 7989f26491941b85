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

    /// - Parameter write: where a finished line goes; standard error by default, where a line
    ///   nobody reads any more (a closed pipe) is dropped rather than stopping the process.
    public init(level: Level = .info, clock: any Clock = SystemClock(),
                write: @escaping @Sendable (String) -> Void = { line in try? FileHandle.standardError.write(contentsOf: Data((line + "\n").utf8)) }) {
        self.level = level
        self.clock = clock
        self.write = write
    }

    /// A logger that writes nothing.
    public static let silent = Logger(level: .error, write: { _ in })

    public func log(_ level: Level, _ event: String, _ fields: [String: JSONValue] = [:]) {
        guard level >= self.level else { return }
        write(line(level, event, JSONWriter.sortedIndices(fields).lazy.map { fields[$0.index] }))
    }

    /// A line whose fields the caller gives in canonical order (their names' byte order, none named
    /// `event`, `level` or `time`): no dictionary to build, hash and sort. The daemon's line a batch,
    /// which at batch size 1 is a line a command (about 15,800 instructions through a dictionary).
    public func log(_ level: Level, _ event: String, ordered fields: KeyValuePairs<String, JSONValue>) {
        guard level >= self.level else { return }
        assert(zip(fields, fields.dropFirst()).allSatisfy { JSONWriter.precedes($0.key, $1.key) }, "log fields out of order")
        write(line(level, event, fields.lazy.map { $0 }))
    }

    /// The line's canonical JSON (keys in byte order), written straight into bytes: the fields in
    /// their order with `event`, `level` and `time` put in their places, without a copy of the
    /// fields with those three added.
    private func line(_ level: Level, _ event: String, _ fields: some Sequence<(key: String, value: JSONValue)>) -> String {
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
        for (name, value) in fields {
            own(before: name)
            // A field named like one of the line's own members gives way to it.
            guard !Logger.ownKeys.contains(name) else { continue }
            key(name)
            JSONWriter.write(value, into: &output)
        }
        own(before: nil)
        output.append(UInt8(ascii: "}"))
        return String(decoding: output, as: UTF8.self)
    }

    /// The members every line has, in canonical order.
    private static let ownKeys = ["event", "level", "time"]

    public func debug(_ event: String, _ fields: [String: JSONValue] = [:]) { log(.debug, event, fields) }
    public func info(_ event: String, _ fields: [String: JSONValue] = [:]) { log(.info, event, fields) }
    public func warning(_ event: String, _ fields: [String: JSONValue] = [:]) { log(.warning, event, fields) }
    public func error(_ event: String, _ fields: [String: JSONValue] = [:]) { log(.error, event, fields) }
}
