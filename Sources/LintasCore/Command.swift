/// What an official asks the engine to do: one step of one request.
///
/// Arrives as one JSON object a line:
/// `{"id": "c-1", "request": "PML-1", "workflow": "…", "action": "submit", "actor": "NIP", "at": "…", "data": {…}}`.
public struct Command: Sendable, Hashable {
    /// The idempotency key: a command with an id already seen is not applied again.
    public var id: CommandID
    public var request: RequestID
    /// Names the workflow; needed for the command that opens a request.
    public var workflow: WorkflowID?
    public var action: String
    /// The NIP of the person acting.
    public var actor: NIP
    /// When the official took the step (the date of the letter or the decision). Defaults to when it was queued.
    public var at: Timestamp?
    /// The fields the transition declares, such as `purpose` or `reason`.
    public var data: [String: JSONValue]

    public init(id: CommandID, request: RequestID, workflow: WorkflowID? = nil, action: String, actor: NIP,
                at: Timestamp? = nil, data: [String: JSONValue] = [:]) {
        self.id = id
        self.request = request
        self.workflow = workflow
        self.action = action
        self.actor = actor
        self.at = at
        self.data = data
    }

    /// The members a command line may carry.
    public static let members: Set<String> = ["id", "request", "workflow", "action", "actor", "at", "data"]

    /// The longest id, request id, workflow id or action accepted.
    public static let maximumIdentifierLength = 200

    /// Reads a command from one parsed JSON line, checking its shape only (types, presence,
    /// NIP format); whether the step is allowed is for `decide`.
    /// - Returns: the command, or every problem found in the line.
    public static func decode(_ value: JSONValue) -> Result<Command, CommandShapeError> {
        guard let members = value.objectValue else {
            return .failure(CommandShapeError(problems: ["expected a JSON object, found \(value.typeName)"]))
        }
        var problems: [String] = []
        for key in members.keys.sorted() where !members.keys.isEmpty && !Command.members.contains(key) {
            problems.append("unknown member \"\(key)\"; a command has \(Command.members.sorted().joined(separator: ", "))")
        }
        func identifier(_ key: String, required: Bool = true) -> String? {
            guard let value = members[key], value != .null else {
                if required { problems.append("\"\(key)\" is missing") }
                return nil
            }
            guard let text = value.stringValue else {
                problems.append("\"\(key)\" must be a string, found \(value.typeName)")
                return nil
            }
            if text.isBlank {
                problems.append("\"\(key)\" must not be empty")
                return nil
            }
            if text.count > maximumIdentifierLength {
                problems.append("\"\(key)\" is longer than \(maximumIdentifierLength) characters")
                return nil
            }
            if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                problems.append("\"\(key)\" contains a control character")
                return nil
            }
            return text
        }
        let id = identifier("id")
        if let id, CommandID(id).isTimerShaped {
            problems.append("\"id\": \"\(id)\" begins with \"\(CommandID.timerPrefix)\", kept for the events lintas's own timers record; give another id")
        }
        let request = identifier("request")
        let workflow = identifier("workflow", required: false)
        let action = identifier("action")
        let actor = identifier("actor")
        if let actor, let problem = NIP.problem(with: actor) { problems.append("\"actor\": \(problem)") }
        var at: Timestamp?
        if let text = identifier("at", required: false) {
            at = Timestamp(iso8601: text)
            if at == nil { problems.append("\"at\": \"\(text)\" is not a date-time with a zone, such as 2025-03-03T09:15:00+07:00") }
        }
        var data: [String: JSONValue] = [:]
        if let value = members["data"], value != .null {
            if let object = value.objectValue { data = object } else {
                problems.append("\"data\" must be an object, found \(value.typeName)")
            }
        }
        guard problems.isEmpty, let id, let request, let action, let actor else {
            return .failure(CommandShapeError(problems: problems))
        }
        return .success(Command(id: CommandID(id), request: RequestID(request), workflow: workflow.map(WorkflowID.init),
                                action: action, actor: NIP(actor), at: at, data: data))
    }

    /// The command as canonical JSON: what its digest is computed over and what the queue keeps.
    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "id": .string(id.rawValue), "request": .string(request.rawValue), "action": .string(action),
            "actor": .string(actor.rawValue), "data": .object(data),
        ]
        if let workflow { members["workflow"] = .string(workflow.rawValue) }
        if let at { members["at"] = .string(at.description) }
        return .object(members)
    }
}

/// A command line whose shape is wrong, with every problem found.
public struct CommandShapeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [String]
    public var description: String { problems.joined(separator: "; ") }
}
