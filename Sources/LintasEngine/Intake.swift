import LintasCore
import LintasStore

/// Turning command lines (one JSON object a line) into queued commands.
public enum Intake {
    /// The longest line accepted; a longer one is refused, not truncated.
    public static let maximumLineBytes = 1 << 20

    /// One line that could not be read, by its 1-based number.
    public struct LineProblem: Sendable, Hashable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// The lines could not all be read; nothing was queued.
    public struct Refused: Error, Sendable, CustomStringConvertible {
        public var source: String
        public var problems: [LineProblem]
        public var description: String {
            "\(source): nothing was queued; \(problems.count == 1 ? "1 line is" : "\(problems.count) lines are") malformed\n"
                + problems.map { "  \(source): \($0)" }.joined(separator: "\n")
        }
    }

    /// What a submission did.
    public struct Report: Sendable, Hashable {
        /// Line number and id of each command queued now.
        public var queued: [(line: Int, id: CommandID)] { zip(queuedLines, queuedIDs).map { ($0, $1) } }
        public var queuedLines: [Int] = []
        public var queuedIDs: [CommandID] = []
        /// Lines whose command id had been queued before with the same content: not queued again.
        public var duplicateLines: [Int] = []
        public var duplicateIDs: [CommandID] = []
    }

    /// Reads command lines. Blank lines are skipped.
    /// - Returns: the commands with their line numbers, and every malformed line.
    public static func parse(_ bytes: [UInt8]) -> (commands: [(line: Int, command: Command)], problems: [LineProblem]) {
        var commands: [(line: Int, command: Command)] = []
        var problems: [LineProblem] = []
        var lineNumber = 0
        var start = 0
        while start <= bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            lineNumber += 1
            var line = bytes[start..<end]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            start = end + 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            if line.count > maximumLineBytes {
                problems.append(LineProblem(line: lineNumber, message: "longer than \(maximumLineBytes) bytes"))
                continue
            }
            let value: JSONValue
            do {
                value = try line.withUnsafeBufferPointer { buffer in Result { () throws(JSONSyntaxError) in try JSONValue.parse(buffer) } }.get()
            } catch {
                problems.append(LineProblem(line: lineNumber, message: "not valid JSON: column \(error.column): \(error.message)"))
                continue
            }
            switch Command.decode(value) {
            case .success(let command): commands.append((lineNumber, command))
            case .failure(let error): problems.append(LineProblem(line: lineNumber, message: error.description))
            }
        }
        return (commands, problems)
    }

    /// Reads command lines and queues them, all or none.
    /// - Parameter source: where the lines came from (a file path, `stdin`), kept with each command.
    /// - Throws: `Intake.Refused` listing every malformed line or reused id; a store error.
    public static func submit(_ bytes: [UInt8], source: String, to store: any EventStore, now: Timestamp) throws -> Report {
        let (commands, problems) = parse(bytes)
        if !problems.isEmpty { throw Refused(source: source, problems: problems) }
        let results: [EnqueueResult]
        do {
            results = try store.enqueue(commands.map(\.command), source: source, now: now)
        } catch let conflict as CommandIDConflict {
            throw Refused(source: source, problems: zip(conflict.indices, conflict.sequences).map { index, sequence in
                LineProblem(line: commands[index].line,
                            message: "command id \"\(commands[index].command.id)\" was already used for a different command (queue #\(sequence)); every command needs its own id")
            })
        }
        var report = Report()
        for ((line, command), result) in zip(commands, results) {
            switch result {
            case .queued:
                report.queuedLines.append(line)
                report.queuedIDs.append(command.id)
            case .duplicate:
                report.duplicateLines.append(line)
                report.duplicateIDs.append(command.id)
            }
        }
        return report
    }
}
