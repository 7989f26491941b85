import Foundation
import LintasCore
import LintasStore

/// Where a command writes, and the helpers every command renders with.
struct Output {
    var json: Bool

    func line(_ text: String = "") {
        Self.write(text + "\n", to: .standardOutput)
    }

    /// Writes text as it is, without adding a line end.
    func text(_ text: String) {
        Self.write(text, to: .standardOutput)
    }

    func error(_ text: String) {
        Self.write(text + "\n", to: .standardError)
    }

    /// Writes to standard output or error. A write its reader is no longer there for (a pipe
    /// closed early: `lintas requests | head -1`; SIGPIPE is ignored, `main.swift`) is dropped,
    /// and the command runs on to its end, closing its database.
    static func write(_ text: String, to handle: FileHandle) {
        try? handle.write(contentsOf: Data(text.utf8))
    }

    /// Prints a JSON document, pretty, keys sorted.
    func document(_ value: JSONValue) {
        line(value.prettyText)
    }
}

/// How times and people are written for readers.
enum Render {
    /// `2025-03-03 09:15 WIB`.
    static func time(_ instant: Timestamp, _ zone: TimeZoneOffset) -> String {
        let iso = instant.iso8601(in: zone)
        return String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(5)) + " " + zone.name
    }

    /// `2 days ago`, `in 3 hours`.
    static func relative(_ instant: Timestamp, now: Timestamp) -> String {
        let seconds = (now.milliseconds - instant.milliseconds) / 1000
        let magnitude = abs(seconds)
        let amount: String
        switch magnitude {
        case ..<60: return "just now"
        case ..<3600: amount = plural(magnitude / 60, "minute")
        case ..<86_400: amount = plural(magnitude / 3600, "hour")
        default: amount = plural(magnitude / 86_400, "day")
        }
        return seconds >= 0 ? "\(amount) ago" : "in \(amount)"
    }

    static func plural(_ count: Int64, _ noun: String) -> String { count == 1 ? "1 \(noun)" : "\(count) \(noun)s" }

    /// ISO 8601 in the regency's zone, for JSON.
    static func iso(_ instant: Timestamp, _ zone: TimeZoneOffset) -> JSONValue { .string(instant.iso8601(in: zone)) }

    /// Field values as one line each: `purpose: …`; a period as `2026-04-01 s.d. 2026-09-30` (*sampai dengan*).
    static func fieldValue(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        case .array(let items): items.map(fieldValue).joined(separator: ", ")
        case .object(let members) where members.keys.sorted() == ["end", "start"]:
            "\(members["start"]?.stringValue ?? "?") s.d. \(members["end"]?.stringValue ?? "?")"
        default: value.canonicalText
        }
    }

    static func refusal(_ refusal: Refusal) -> JSONValue {
        var members: [String: JSONValue] = ["code": .string(refusal.code.rawValue), "message": .string(refusal.message)]
        if let article = refusal.article { members["article"] = .string(article) }
        if let hint = refusal.hint { members["hint"] = .string(hint) }
        return .object(members)
    }

    static func command(_ record: CommandRecord, _ zone: TimeZoneOffset) -> JSONValue {
        var members: [String: JSONValue] = [
            "queue": .int(record.sequence), "id": .string(record.command.id.rawValue), "request": .string(record.command.request.rawValue),
            "action": .string(record.command.action), "actor": .string(record.command.actor.rawValue),
            "status": .string(record.status.rawValue), "enqueued": iso(record.enqueuedAt, zone), "source": .string(record.source),
        ]
        if let workflow = record.command.workflow { members["workflow"] = .string(workflow.rawValue) }
        if let processed = record.processedAt { members["processed"] = iso(processed, zone) }
        if let refusal = record.refusal { members["refusal"] = Render.refusal(refusal) }
        if let first = record.firstEvent { members["first_event"] = .int(first) }
        return .object(members)
    }

    /// One line per command: `#12 c-3 submit PML-3 refused: … [article]`.
    static func commandLine(_ record: CommandRecord) -> String {
        var text = "#\(record.sequence)  \(record.command.id)  \(record.command.request)  \(record.command.action)  \(record.status.rawValue)"
        if let refusal = record.refusal {
            text += "\n      \(refusal.code): \(refusal.message)"
            if let article = refusal.article { text += "\n      article: \(article)" }
            if let hint = refusal.hint { text += "\n      \(hint)" }
        }
        return text
    }
}
