import Foundation
import LintasCore

/// Where the engine's `now` comes from. The domain core never reads a clock; the
/// daemon and the CLI pass it this one's reading.
public protocol Clock: Sendable {
    func now() -> Timestamp
}

/// The system's wall clock.
public struct SystemClock: Clock {
    public init() {}

    public func now() -> Timestamp {
        Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }
}
