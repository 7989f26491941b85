/// Events the engine records by itself when time passes: a reminder (and an escalation) when
/// a step's deadline has passed, and the end of an assignment whose duration has run out.
///
/// Pure, like `decide`: the state, the definition, the calendar, the directory and `now` come
/// in as arguments. Timers are durable because they are derived from the log: a deadline that
/// passed while the daemon was down is found on the next look, and the reminder, once
/// recorded, marks the state (`RequestState.remindedFor`) so it is never recorded twice.
public enum Timers {
    public static let reminder = "reminder"
    public static let escalated = "escalated"
    public static let ended = "ended"
    /// The actions the engine takes itself; they carry no person's step.
    public static let actions: Set<String> = [reminder, escalated, ended]
    /// How the timer events read in a request's history.
    public static let labels = [
        reminder: "Pengingat: tenggat langkah berikutnya terlewati",
        escalated: "Diteruskan ke atasan karena tenggat terlewati",
        ended: "Jangka waktu penugasan habis",
    ]
    /// Who the log names as the actor of a timer event.
    public static let actor = NIP("lintas")
    /// The state of a request whose assignment has ended.
    public static let endedState = WorkflowDefinition.StateSpec(id: "ended", label: "Penugasan berakhir: jangka waktu habis", isFinal: true)

    /// Everything a timer looks at.
    public struct Input: Sendable {
        public var state: RequestState
        public var definition: WorkflowDefinition
        /// Working days; needed only by deadlines.
        public var calendar: WorkingCalendar?
        /// The org directory in force now, to name who an escalation goes to.
        public var directory: Directory?
        public var zone: TimeZoneOffset
        public var now: Timestamp

        public init(state: RequestState, definition: WorkflowDefinition, calendar: WorkingCalendar?, directory: Directory?,
                    zone: TimeZoneOffset, now: Timestamp) {
            self.state = state
            self.definition = definition
            self.calendar = calendar
            self.directory = directory
            self.zone = zone
            self.now = now
        }
    }

    /// What is due for one request.
    public struct Due: Sendable, Hashable {
        /// The events to record now, in order.
        public var events: [Event] = []
        /// When the next timer of the request falls, if one is pending.
        public var next: Timestamp?
        /// Why a deadline cannot be computed (a calendar that does not cover the dates).
        public var problem: String?
    }

    /// The timer events due for a request at `now`, and when the next one falls.
    public static func due(_ input: Input) -> Due {
        let state = input.state
        var due = Due()
        guard state.ended == nil, let spec = input.definition.state(state.state) else { return due }
        if let ends = spec.ends {
            guard let end = PeriodEnd.of(period: state.fields[ends.field]) else { return due }
            let endsAt = end.adding(days: 1).start(in: input.zone)
            if input.now < endsAt {
                due.next = endsAt
                return due
            }
            due.events.append(event(input, action: ended, to: endedState.id, at: max(endsAt, state.updated), article: ends.article,
                                    title: "Pencatat akhir penugasan", fields: [ends.field + "_end": .string(end.description)]))
            return due
        }
        guard let deadline = spec.deadline, state.remindedFor != state.since else { return due }
        guard let calendar = input.calendar else {
            due.problem = "state \(state.state) of \(state.request) has a deadline of \(deadline.workingDays) working days, but no working-day calendar is loaded"
            return due
        }
        guard let dueAt = calendar.deadline(from: state.since, workingDays: deadline.workingDays, in: input.zone) else {
            due.problem = "the calendar \(calendar.id) does not list every year from \(state.since.civilDate(in: input.zone).year) on; "
                + "add the next year's holidays and cuti bersama to count \(deadline.workingDays) working days"
            return due
        }
        if input.now < dueAt {
            due.next = dueAt
            return due
        }
        let dueDate = dueAt.adding(milliseconds: -1).civilDate(in: input.zone)
        let awaited = input.definition.transitions(from: state.state).map(\.by)
        let at = max(dueAt, state.updated)
        due.events.append(event(input, action: reminder, to: state.state, at: at, article: deadline.article, title: "Pengingat tenggat otomatis",
                                fields: ["due": .string(dueDate.description), "working_days": .int(Int64(deadline.workingDays)),
                                         "awaiting": .array(Array(Set(awaited)).sorted().map(JSONValue.string))]))
        if let role = deadline.escalateTo {
            var people: [JSONValue] = []
            if let directory = input.directory, let expression = input.definition.roles[role]?.expression {
                let context = input.definition.roleContext(fields: state.fields, directory: directory, on: input.now.civilDate(in: input.zone))
                people = expression.resolve(in: context).persons.map { .string($0.nip.rawValue) }
            }
            due.events.append(event(input, action: escalated, to: state.state, at: at, article: deadline.article, title: "Pengingat tenggat otomatis",
                                    fields: ["due": .string(dueDate.description), "escalate_to": .string(role), "people": .array(people)],
                                    version: state.version + 2))
        }
        return due
    }

    private static func event(_ input: Input, action: String, to state: String, at: Timestamp, article: String, title: String,
                              fields: [String: JSONValue], version: Int? = nil) -> Event {
        let version = version ?? input.state.version + 1
        return Event(request: input.state.request, version: version, action: action, state: state, actor: actor,
                     at: at, recorded: input.now, command: CommandID("\(CommandID.timerPrefix)\(input.state.request):\(version)"),
                     detail: Event.Detail(article: input.definition.cite(article), role: "sistem", actorName: "lintas", actorTitle: title,
                                          capacity: .definitive, position: PositionID("lintas"), fields: fields))
    }
}

/// The end of the period a request's state runs for: the `end` of the period field its
/// definition's state names in `ends` (`"ends": {"field": "duration"}`), what the timers end the
/// assignment after. `nil` when the state does not end or the field holds no date (the timers then
/// never end it either). Stored beside the projection (`ends`) so the timers' look is an index range.
public enum PeriodEnd {
    /// Each state of `definition` that ends, with the period field that ends it.
    public static func fields(in definition: WorkflowDefinition) -> [String: String] {
        var fields: [String: String] = [:]
        for spec in definition.states { if let field = spec.ends?.field { fields[spec.id] = field } }
        return fields
    }

    public static func of(_ state: RequestState, field: String?) -> CivilDate? {
        guard let field else { return nil }
        return of(period: state.fields[field])
    }

    /// The `end` of a period field's value.
    public static func of(period value: JSONValue?) -> CivilDate? {
        value?.periodMembers?.end?.stringValue.flatMap(CivilDate.init(iso:))
    }

    /// `of(period:)` of a value's JSON, read from its bytes without a tree, when it is an object as
    /// lintas writes a period (`{"end":"2026-09-28","start":"2026-04-01"}`): names without escapes,
    /// each after the one before in byte order (so none twice), no object or array for a value.
    /// `.none` for any other bytes, which only the tree reads as `of(period:)` does (it refuses a
    /// member named twice, at any depth): what audit reads every ending request's end with.
    /// - Parameter bytes: a value read before as strictly as `JSONReader.skip()` reads one (a
    ///   field as `RequestFold` keeps it), so read here by its brackets and quotes only.
    public static func of(plainPeriod bytes: UnsafeBufferPointer<UInt8>) -> CivilDate?? {
        guard bytes.first == UInt8(ascii: "{"), !bytes.contains(UInt8(ascii: "\\")) else { return .none }
        var plain = true
        var end: CivilDate?
        do {
            try JSONReader.read(bytes) { (reader) throws(JSONSyntaxError) in
                var previous: UnsafeBufferPointer<UInt8>?
                try reader.members(matching: { (reader, name) throws(JSONSyntaxError) in
                    let first = reader.position < reader.bytes.count ? reader.bytes[reader.position] : 0
                    if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") || previous.map({ !$0.lexicographicallyPrecedes(name) }) == true {
                        plain = false
                    }
                    previous = name
                    let value = try reader.skipMatching()
                    // Without an escape, a string is the bytes between its quotes.
                    if first == UInt8(ascii: "\""), name.elementsEqual("end".utf8) {
                        end = CivilDate(isoBytes: UnsafeBufferPointer(rebasing: reader.bytes[(value.lowerBound + 1)..<(value.upperBound - 1)]))
                    }
                })
            }
        } catch {
            return .none
        }
        return plain ? .some(end) : .none
    }

}

/// What the store keeps beside a request's projection for the timers' full look: whether the
/// request's state has a timer in its own definition (a deadline or an end: `requests.timed`,
/// the look's index holding those rows only, so that a command moving a request between states
/// without one writes no index page), and the end of its period when the state ends
/// (`requests.ends`, `PeriodEnd`).
public struct StateTimer: Sendable, Hashable {
    public var timed: Bool
    public var ends: CivilDate?

    public init(timed: Bool, ends: CivilDate? = nil) {
        self.timed = timed
        self.ends = ends
    }

    /// No timer: a state without a deadline or an end.
    public static let none = StateTimer(timed: false)

    public static func of(_ state: RequestState, in definition: WorkflowDefinition) -> StateTimer {
        guard let spec = definition.state(state.state), spec.timed else { return .none }
        return StateTimer(timed: true, ends: PeriodEnd.of(state, field: spec.ends?.field))
    }

    /// The states of `definition` with a timer.
    public static func states(in definition: WorkflowDefinition) -> Set<String> {
        Set(definition.states.filter(\.timed).map(\.id))
    }
}

extension WorkflowDefinition.StateSpec {
    /// Whether the state has a timer: a deadline or an end.
    public var timed: Bool { deadline != nil || ends != nil }
}

extension CommandID {
    /// What a timer's event names as its command (`timer:<request>:<version>`): no queued command's.
    public static let timerPrefix = "timer:"
    /// Whether the id is shaped as a timer's (a queued command may be given such an id too).
    public var isTimerShaped: Bool { rawValue.hasPrefix(CommandID.timerPrefix) }
}
