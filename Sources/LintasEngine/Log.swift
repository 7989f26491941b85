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
        var members = fields
        members["time"] = .string(clock.now().description)
        members["level"] = .string(level.name)
        members["event"] = .string(event)
        write(JSONValue.object(members).canonicalText)
    }

    public func debug(_ event: String, _ fields: [String: JSONValue] = [:]) { log(.debug, event, fields) }
    public func info(_ event: String, _ fields: [String: JSONValue] = [:]) { log(.info, event, fields) }
    public func warning(_ event: String, _ fields: [String: JSONValue] = [:]) { log(.warning, event, fields) }
    public func error(_ event: String, _ fields: [String: JSONValue] = [:]) { log(.error, event, fields) }
}
