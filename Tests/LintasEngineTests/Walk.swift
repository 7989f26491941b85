import LintasCore
import LintasStore

/// One step of a procedure: who takes which action, with which data.
struct Step {
    var action: String
    var actor: String
    var data: [String: JSONValue]

    init(_ action: String, by actor: String, _ data: [String: JSONValue] = [:]) {
        self.action = action
        self.actor = actor
        self.data = data
    }
}

extension Harness {
    /// Queues the steps of one request, a day apart, through intake and the daemon's processor,
    /// as other systems would send them.
    /// - Parameters:
    ///   - request: the request id; command ids are `<request>-<n>`, numbered from `first`.
    ///   - workflow: named on every line, so a walk may continue a request opened earlier.
    ///   - month: `YYYY-MM` of the first step; `day` is its day of the month.
    /// - Returns: for each step, its refusal, or `nil` when it was applied.
    @discardableResult
    func walk(_ request: String, _ workflow: String, month: String = "2025-03", day: Int = 3, first: Int = 1,
              _ steps: [Step]) throws -> [Refusal?] {
        let ids = steps.indices.map { "\(request)-\(first + $0)" }
        let lines = steps.enumerated().map { offset, step in
            let at = "\(month)-\(String(day + offset).leftPadded(to: 2))T09:00:00+07:00"
            return Harness.line(ids[offset], request, step.action, step.actor, at: at, step.data, workflow: workflow)
        }
        try submit(lines)
        try drain()
        return try ids.map { try refusal(CommandID($0)) }
    }

    /// The events of a request, decoded.
    func events(_ request: RequestID) throws -> [Event] {
        try store.events(of: request).map { try $0.decode() }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}

/// The four contents every request letter carries, with a period in the second half of 2025.
func requestContents(purpose: String, competence: String, target: String) -> [String: JSONValue] {
    ["purpose": .string(purpose), "competence": .string(competence), "performance_target": .string(target),
     "duration": .object(["start": "2025-07-01", "end": "2025-12-31"])]
}

/// A list of NIPs as a field value.
func nips(_ values: String...) -> JSONValue { .array(values.map(JSONValue.string)) }

extension Dictionary where Key == String, Value == JSONValue {
    /// The fields with some replaced or added.
    func merging(_ other: [String: JSONValue]) -> [String: JSONValue] { merging(other) { _, new in new } }
}
