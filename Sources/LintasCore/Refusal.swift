/// Why a command was not applied: a code for programs, a message for people, the article
/// of the regulation it would break and what to do next.
public struct Refusal: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Code
    public var message: String
    /// The full citation of the rule, e.g. `Pasal 11 ayat (4) huruf d Perbup Pemalang 38/2023`.
    public var article: String?
    /// What the user can do about it.
    public var hint: String?

    public init(_ code: Code, _ message: String, article: String? = nil, hint: String? = nil) {
        self.code = code
        self.message = message
        self.article = article
        self.hint = hint
    }

    public var description: String {
        var text = message
        if let article { text += " [\(article)]" }
        if let hint { text += " \(hint)" }
        return text
    }

    /// A stable code; new codes can be added without breaking programs that match on known ones.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The command's workflow is not known to the store.
        public static let unknownWorkflow = Code(rawValue: "unknown_workflow")
        /// The command names a workflow other than the one the request runs.
        public static let workflowMismatch = Code(rawValue: "workflow_mismatch")
        /// The command is for a request that was never opened.
        public static let unknownRequest = Code(rawValue: "unknown_request")
        /// The command would open a request that already exists.
        public static let requestExists = Code(rawValue: "request_exists")
        /// The workflow has no such action.
        public static let unknownAction = Code(rawValue: "unknown_action")
        /// The action exists but may not be taken in the request's current state.
        public static let actionNotAllowed = Code(rawValue: "action_not_allowed")
        /// The request has reached a final state.
        public static let requestClosed = Code(rawValue: "request_closed")
        /// The actor's NIP is not in the org directory in force.
        public static let unknownActor = Code(rawValue: "unknown_actor")
        /// The actor does not hold the role the step requires.
        public static let wrongActor = Code(rawValue: "wrong_actor")
        /// Nobody holds the office that must act (vacant, no Plt or Plh).
        public static let noOfficeholder = Code(rawValue: "no_officeholder")
        /// The actor already took this step, which each person takes once.
        public static let alreadyDone = Code(rawValue: "already_done")
        /// A field the regulation requires is missing.
        public static let missingField = Code(rawValue: "missing_field")
        /// A field is malformed or breaks a rule.
        public static let invalidField = Code(rawValue: "invalid_field")
        /// A rule of the regulation is broken (team lead, PPPK, Pengawas, quota).
        public static let ruleBroken = Code(rawValue: "rule_broken")
        /// The regulation was not yet in force on the step's date.
        public static let notInForce = Code(rawValue: "not_in_force")
        /// No org directory is in force on the step's date.
        public static let noDirectory = Code(rawValue: "no_directory")
        /// The step is dated in the future.
        public static let futureTime = Code(rawValue: "future_time")
        /// The step is dated before the request's previous step.
        public static let outOfOrder = Code(rawValue: "out_of_order")
        /// The command line could not be read (reported at intake).
        public static let malformedCommand = Code(rawValue: "malformed_command")
    }
}
