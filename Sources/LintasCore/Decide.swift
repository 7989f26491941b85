/// Hands out the next number of a letter register. The daemon backs it with the store so
/// that numbers are allocated in the same transaction as the event that issues the letter.
public protocol LetterNumbering {
    /// The next sequence number of a register (issuing unit, kode klasifikasi or else letter
    /// type, year), starting at 1.
    mutating func nextSequence(register: String) -> Int
    /// Records the printed number of a letter, drawn or given elsewhere (e.g. by SRIKANDI), so that
    /// a number identifies one letter. Returns `nil` when recorded, else the letter that already
    /// carries the number, recording nothing.
    mutating func claim(number: String, for letter: NumberedLetter) -> NumberedLetter?
}

/// A letter as the record of printed numbers names it: which letter of which request carries a number.
public struct NumberedLetter: Sendable, Hashable {
    /// The letter's id (`register/sequence`, or `register/external:NUMBER`).
    public var id: String
    public var request: RequestID
    /// The letter type's printed name.
    public var label: String

    public init(id: String, request: RequestID, label: String) {
        self.id = id
        self.request = request
        self.label = label
    }
}

/// Counts the requests a quota rule limits (Jepara Lampiran B.4: squads per Unit
/// Organisasi). The daemon backs it with the store, including the requests its open batch has
/// already opened.
public protocol RequestCounting {
    /// How many requests of `workflow` bound to `unit` in their `quota_unit` field now stand in one of `states`.
    func count(workflow: WorkflowID, quotaUnit unit: UnitID, states: [String]) -> Int
}

/// For callers that decide no procedure with a quota.
public struct NoQuotas: RequestCounting {
    public init() {}
    public func count(workflow: WorkflowID, quotaUnit unit: UnitID, states: [String]) -> Int { 0 }
}

/// The outcome of a command: the events to append, or why not.
public enum Decision: Sendable, Hashable {
    case accepted([Event])
    case refused(Refusal)
}

/// Everything `decide` looks at. Nothing here is read from a file, a database or a clock.
public struct DecisionInput: Sendable {
    public var command: Command
    /// The request's state, `nil` when no event exists for it.
    public var state: RequestState?
    /// The definition the request is pinned to, or for a new request the current one of its workflow.
    public var definition: WorkflowDefinition?
    /// The org directory in force on the step's date.
    public var directory: Directory?
    /// When the step was taken: the command's `at`, or when it was queued.
    public var at: Timestamp
    /// The daemon's clock.
    public var now: Timestamp

    public init(command: Command, state: RequestState?, definition: WorkflowDefinition?, directory: Directory?, at: Timestamp, now: Timestamp) {
        self.command = command
        self.state = state
        self.definition = definition
        self.directory = directory
        self.at = at
        self.now = now
    }
}

/// How far in the future a step may be dated, to allow for clocks that disagree.
public let allowedClockSkew: Int64 = 5 * 60 * 1000

/// Decides a command: checks it against the workflow, the request's state and the org
/// directory, and returns the event it causes or a refusal that names the rule.
///
/// Pure: the same input gives the same decision. Letter numbers are the only thing it
/// draws from outside, and only once every check has passed.
public func decide(_ input: consuming DecisionInput, numbering: inout some LetterNumbering, counting: some RequestCounting = NoQuotas()) -> Decision {
    var frames = LetterFrames()
    return decide(consume input, numbering: &numbering, counting: counting, frames: &frames)
}

/// `decide`, composing letters with the frames of earlier letters (`LetterFrames`), which the
/// caller keeps from command to command for one org directory version. The decision is the same.
/// The input is taken (`consuming`): handed to the decider, not copied (every member retained) again.
public func decide(_ input: consuming DecisionInput, numbering: inout some LetterNumbering, counting: some RequestCounting = NoQuotas(),
                   frames: inout LetterFrames) -> Decision {
    switch Decider(input: consume input).run(numbering: &numbering, counting: counting, frames: &frames) {
    case .success(let event): .accepted([event])
    case .failure(let refusal): .refused(refusal)
    }
}

private struct Decider {
    let input: DecisionInput
    var command: Command { input.command }

    func run(numbering: inout some LetterNumbering, counting: some RequestCounting, frames: inout LetterFrames) -> Result<Event, Refusal> {
        do throws(Refusal) {
            return .success(try decide(numbering: &numbering, counting: counting, frames: &frames))
        } catch {
            return .failure(error)
        }
    }

    private func decide(numbering: inout some LetterNumbering, counting: some RequestCounting, frames: inout LetterFrames) throws(Refusal) -> Event {
        let definition = try checkDefinition()
        let state = input.state  // one copy of the state read below, not one per member read
        // Its version, `nil` for a new request: what tells a new request, where `state == nil` (the
        // Equatable `==` of two optional states) copied the state into a pair of optionals to compare.
        let previous = state?.version
        let directory = try checkTime(definition)
        let transitionIndex = try findTransition(definition)
        let transition = definition.transitions[transitionIndex]
        let date = input.at.civilDate(in: directory.timeZone)
        // Who acts before what they sent: a stranger's incomplete step is refused as a stranger's.
        let employee = try checkKnownActor(transition, definition, directory, date)
        var fields = try checkFields(transition, definition, directory)
        // The request's fields with this step's over them, kept in step with `fields` as
        // defaults and the quota unit are bound (one copy of the state's fields per command). A request
        // with no fields yet (a new one) has this step's: `nil` while the actor's defaults are bound
        // (into `fields` alone, not a shared dictionary copied and hashed into twice), then shared.
        var merged: [String: JSONValue]?
        if let stateFields = state?.fields, !stateFields.isEmpty {
            merged = stateFields
            for (name, value) in fields { merged![name] = value }
        }
        let role = definition.role(ofTransition: transitionIndex)!
        let (office, holders) = try checkActor(transition, role, definition, directory, date, employee, &fields, &merged)
        var bound = merged ?? fields
        try checkFieldRelations(transition, definition, directory, fields, bound)
        let (warnings, boundQuotaUnit) = try checkRules(transition, definition, directory, date, &fields, &bound, counting)
        // The actor's role resolved once: its holders stand while the rules bound nothing (a quota
        // unit is the one field they bind), as the context is then the one they were resolved in.
        let actorRole = boundQuotaUnit ? nil : LetterDraft.ResolvedRole(name: transition.by, holders: holders)

        let context = definition.roleContext(fields: bound, directory: directory, on: date)
        var nextState = transition.to
        if transition.each {
            // Asked of each holder as listed: one listed twice answers the same twice (no set of their NIPs made and hashed).
            let everyone = actorRole?.holders ?? role.expression.resolve(in: context).persons
            let participants = state?.participantList
            if !everyone.allSatisfy({ $0.nip == command.actor || participants?.took($0.nip, transition.action) == true }) { nextState = state?.state ?? transition.to }
        }
        // Letter numbers are drawn last, once nothing can refuse the command any more.
        let letter = try transition.letter.map { spec throws(Refusal) in
            let letters = state?.letters ?? []  // read once: a stored state's are made into values when asked for
            return try issue(LetterDraft(spec: spec, definition: definition, transitionIndex: transitionIndex,
                                         context: context, actor: office, actorRole: actorRole,
                                         followsLetter: !letters.isEmpty,
                                         cited: spec.cites.flatMap { Self.citedLetter(type: $0, in: letters) }),
                             version: (previous ?? 0) + 1, &numbering, &frames)
        }
        return Event(
            request: command.request, version: (previous ?? 0) + 1, action: transition.action, state: nextState,
            actor: command.actor, at: input.at, recorded: input.now, command: command.id,
            detail: Event.Detail(
                article: definition.citation(ofTransition: transitionIndex), role: transition.by, actorName: employee.name,
                actorTitle: directory.title(of: office), capacity: office.capacity, position: office.position,
                fields: fields, letter: letter, warnings: warnings,
                workflow: previous == nil ? definition.id : nil, definition: previous == nil ? definition.hash : nil))
    }

    // MARK: Workflow, time, transition

    private func checkDefinition() throws(Refusal) -> WorkflowDefinition {
        if let state = input.state, let named = command.workflow, named != state.workflow {
            throw Refusal(.workflowMismatch, "Request \(command.request) runs workflow \(state.workflow), not \(named).",
                          hint: "Leave out \"workflow\" or name \(state.workflow).")
        }
        guard let definition = input.definition else {
            if let state = input.state {
                throw Refusal(.unknownWorkflow, "Request \(command.request) is pinned to definition \(state.definition.short) of workflow \(state.workflow), which is not in the store.",
                              hint: "Load that version of the workflow file again with 'lintas workflows load'.")
            }
            guard let named = command.workflow else {
                throw Refusal(.unknownRequest, "Request \(command.request) does not exist.",
                              hint: "Check the request id; a command that opens a request names its \"workflow\" (see 'lintas workflows list').")
            }
            throw Refusal(.unknownWorkflow, "Unknown workflow \"\(named)\".",
                          hint: "See 'lintas workflows list' for the loaded workflows, or load it with 'lintas workflows load'.")
        }
        return definition
    }

    private func checkTime(_ definition: WorkflowDefinition) throws(Refusal) -> Directory {
        if input.at > input.now.adding(milliseconds: allowedClockSkew) {
            throw Refusal(.futureTime, "The step is dated \(input.at), after the engine's clock (\(input.now)).",
                          hint: "Date it when it was taken, or leave out \"at\".")
        }
        if let state = input.state, input.at < state.updated {
            throw Refusal(.outOfOrder, "The step is dated \(input.at), before the request's previous step (\(state.updated)).",
                          hint: "Steps of one request follow each other in time.")
        }
        guard let directory = input.directory else {
            throw Refusal(.noDirectory, "No org directory is in force on \(input.at).",
                          hint: "Import one whose effective_from is on or before that date with 'lintas org import'.")
        }
        let date = input.at.civilDate(in: directory.timeZone)
        if date < definition.regulation.inForceFrom {
            throw Refusal(.notInForce, "\(definition.regulation.short) is in force from \(definition.regulation.inForceFrom.indonesian); this step is dated \(date.indonesian).",
                          article: definition.regulation.title,
                          hint: "A step taken before that date falls under the rules that applied then, not this workflow.")
        }
        return directory
    }

    /// The index of the transition the command takes in `definition.transitions`.
    private func findTransition(_ definition: WorkflowDefinition) throws(Refusal) -> Int {
        // The transition found in place; the transitions of the action are gathered only to say why there is none.
        // Read in place by index: a transition is copied (every member retained) only once found.
        let transitions = definition.transitions
        if let state = input.state {
            var found: Int?
            var opens = false
            for index in transitions.indices where transitions[index].action == command.action {
                if transitions[index].isInitial { opens = true; break }
                if found == nil && transitions[index].from.contains(state.state) { found = index }
            }
            if !opens, let found { return found }
        } else if let opening = transitions.indices.first(where: { transitions[$0].action == command.action && transitions[$0].isInitial }) {
            return opening
        }
        let named = transitions.indices.filter { transitions[$0].action == command.action }
        guard !named.isEmpty else {
            let actions = Array(Set(definition.transitions.map(\.action))).sorted()
            throw Refusal(.unknownAction, "Workflow \(definition.id) has no action \"\(command.action)\".",
                          hint: "Its actions are: \(actions.joined(separator: ", ")).")
        }
        guard let state = input.state else {
            if let opening = named.first(where: { transitions[$0].isInitial }) { return opening }
            let openers = definition.transitions.filter(\.isInitial).map(\.action)
            throw Refusal(.unknownRequest, "Request \(command.request) does not exist.",
                          hint: "A request is opened with \(openers.map { "'\($0)'" }.joined(separator: " or ")); check the request id.")
        }
        if named.contains(where: { transitions[$0].isInitial }) {
            throw Refusal(.requestExists, "Request \(command.request) already exists (state \(state.state), since \(state.since)).",
                          hint: "Use a new request id to open another request.")
        }
        if let index = named.first(where: { transitions[$0].from.contains(state.state) }) { return index }
        let label = definition.state(state.state)?.label ?? state.state
        if definition.isFinal(state.state) {
            throw Refusal(.requestClosed, "Request \(command.request) is closed: it ended in state \(state.state) (\(label)).",
                          article: definition.cite(transitions[named[0]].article))
        }
        let allowed = definition.transitions(from: state.state).map(\.action)
        throw Refusal(.actionNotAllowed, "\"\(command.action)\" is not allowed while request \(command.request) is \(state.state) (\(label)).",
                      article: definition.cite(transitions[named[0]].article),
                      hint: "Allowed now: \(allowed.joined(separator: ", ")).")
    }

    // MARK: Fields

    /// Why a command may no longer quote a letter number in free text (`reference`): the engine issued
    /// the letters of the request, and each letter cites the earlier one itself from the log.
    private func referenceRefusal(_ transition: WorkflowDefinition.Transition, _ definition: WorkflowDefinition) -> Refusal {
        let letters = definition.transitions.compactMap(\.letter)
        let what: String
        if let letter = transition.letter, let cited = letter.cites, let label = letters.first(where: { $0.type == cited })?.label {
            what = "the \(letter.label) cites the request's \(label) itself, by the number and date recorded when it was issued"
        } else if let letter = transition.letter, letters.contains(where: { $0.cites == letter.type }) {
            what = "the letters that follow cite this \(letter.label) itself, by the number and date recorded when it is issued"
        } else {
            what = "a letter of the request cites the earlier letter itself, by the number and date recorded when it was issued"
        }
        let numberedElsewhere = transition.letter.map { $0.numbering == .external || $0.numbering == .either } ?? false
        return Refusal(.invalidField, "\"\(transition.action)\" does not take \"\(LetterDraft.referenceField)\" (a letter number typed in): \(what).",
                       article: definition.cite(transition.article),
                       hint: "Leave out \"\(LetterDraft.referenceField)\"" + (numberedElsewhere
                           ? "; when another system (e.g. SRIKANDI) numbered the \(transition.letter!.label), give its number in \"\(WorkflowDefinition.LetterSpec.externalNumberField)\"." : "."))
    }

    /// Checks each field on its own: presence, type, existence in the directory.
    /// The number and date of a letter numbered elsewhere, which a command may give besides its transition's fields.
    private static let letterFields = [WorkflowDefinition.LetterSpec.externalNumberField, WorkflowDefinition.LetterSpec.externalDateField]

    private func checkFields(_ transition: WorkflowDefinition.Transition, _ definition: WorkflowDefinition,
                             _ directory: Directory) throws(Refusal) -> [String: JSONValue] {
        let letterFields = Self.letterFields
        // Each spec read in place by index: `for spec in transition.fields` copies each (every member retained).
        let specs = transition.fields
        // One pass over the command's data: each member matched to its field by comparing names and
        // normalized, not looked up (its name hashed) once per field; whether it names a letter's
        // number or date, or something the transition does not take, noted to refuse below, in the
        // order the checks always had (what is normalized here is then dropped).
        // The event's fields are the command's data with each value replaced by its normalized one in
        // place (by the member's position: no name hashed, the data's storage copied once, and only when
        // a value differs from the one given: a period), less the members that are not fields or are
        // blank, removed by name afterwards (rarely any).
        let data = command.data
        var fields = data
        var dropped: [String] = []
        var filled: UInt64 = 0  // the first 64 fields given a value that is not blank, a bit each by index
        var invalid: [(index: Int, problem: String)] = []
        func isKnown(_ name: String) -> Bool {
            transition.fields.contains { $0.name == name } || (transition.letter != nil && letterFields.contains(name))
        }
        var namesLetterField = false, namesUnknown = false
        for position in data.indices {
            let (name, value) = data[position]
            let isLetterField = letterFields.contains(name)
            namesLetterField = namesLetterField || isLetterField
            guard let index = specs.indices.first(where: { specs[$0].name == name }) else {
                if !isKnown(name) { namesUnknown = true }
                dropped.append(name)
                continue
            }
            if isBlank(value) { dropped.append(name); continue }
            if index < UInt64.bitWidth { filled |= 1 << UInt64(index) }
            switch normalize(value, specs[index], directory) {
            case .success(let normalized?): fields.values[position] = normalized
            case .success(nil): break  // kept as given: the data's storage stays shared, not copied for an equal value
            case .failure(let problem): invalid.append((index, problem.message))  // refused below: its value is not kept
            }
        }
        for name in dropped { fields[name] = nil }
        /// Whether the field at `index` was given a value that is not blank (else it is missing when required and not defaulted).
        func isFilled(_ index: Int) -> Bool {
            index < UInt64.bitWidth ? filled & (1 << UInt64(index)) != 0
                : fields[specs[index].name] != nil || invalid.contains { $0.index == index }
        }
        if let letter = transition.letter, letter.numbering == .register || letter.numbering == .none, namesLetterField {
            let numberedHere = letterFields.filter { command.data[$0] != nil }
            let how = letter.numbering == .none ? "is written by the employee and carries no number (numbering \"none\")"
                : "is numbered by its register in lintas (numbering \"register\")"
            throw Refusal(.invalidField, "The \(letter.label) of \"\(transition.action)\" \(how); "
                          + "it does not take \(numberedHere.map { "\"\($0)\"" }.joined(separator: ", ")).",
                          article: definition.cite(transition.article),
                          hint: letter.numbering == .none ? "Leave out the number: the letter is identified by its id."
                              : "Leave out the number, or set the letter's \"numbering\" to \"external\" or \"either\" in the workflow.")
        }
        /// A field of the transition, or a number and date of its letter: compared in place, with no set made per command.
        if namesUnknown {
            if command.data[LetterDraft.referenceField] != nil, !isKnown(LetterDraft.referenceField) { throw referenceRefusal(transition, definition) }
            let unknown = command.data.keys.filter { !isKnown($0) }.sorted()
            let expected = transition.fields.isEmpty ? "it takes no fields" : "it takes: \(transition.fields.map(\.name).joined(separator: ", "))"
            throw Refusal(.invalidField, "\"\(transition.action)\" does not take \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")); \(expected).",
                          article: definition.cite(transition.article))
        }
        func isMissing(_ index: Int) -> Bool { specs[index].required && specs[index].defaultValue == nil && !isFilled(index) }
        if specs.indices.contains(where: isMissing) {
            let missing = specs.indices.filter(isMissing).map { specs[$0] }
            let list = missing.map { "\($0.name) (\($0.label), \($0.article))" }.joined(separator: "; ")
            throw Refusal(.missingField, "\"\(transition.action)\" (\(transition.label)) is missing \(list).",
                          article: definition.cite(unique(missing.map(\.article)).joined(separator: "; ")),
                          hint: "Every field the article requires must be filled in.")
        }
        if !invalid.isEmpty {
            // In the order of the fields, as they were checked one by one.
            let invalid = invalid.sorted { $0.index < $1.index }.map { (specs[$0.index], $0.problem) }
            throw Refusal(.invalidField, invalid.map { "\($0.0.name) (\($0.0.label)): \($0.1)" }.joined(separator: "; "),
                          article: definition.cite(unique(invalid.map(\.0.article)).joined(separator: "; ")))
        }
        return fields
    }

    private struct FieldProblem: Error { var message: String }

    /// How many NIPs an `employees` field may list to be checked for one named twice by comparing each
    /// with those before it; a longer list is checked with a set.
    private static let namesComparedInPlace = 16

    /// A field's value checked against its spec: `nil` when it is kept as given (it is already in its
    /// normal form: a text, a unit id, a NIP, a list of NIPs), else the value to keep (a period).
    private func normalize(_ value: JSONValue, _ spec: FieldSpec, _ directory: Directory) -> Result<JSONValue?, FieldProblem> {
        switch spec.kind {
        case .text:
            guard let text = value.stringValue else { return .failure(FieldProblem(message: "expected text, found \(value.typeName)")) }
            // A text has no more characters than UTF-8 bytes: only one with more bytes than the limit is counted.
            if text.utf8.count > spec.maxLength && text.count > spec.maxLength { return .failure(FieldProblem(message: "longer than \(spec.maxLength) characters")) }
            return .success(nil)
        case .period:
            guard value.objectValue?.count == 2, let members = value.periodMembers,
                  let startText = members.start?.stringValue, let endText = members.end?.stringValue else {
                return .failure(FieldProblem(message: "expected {\"start\": \"YYYY-MM-DD\", \"end\": \"YYYY-MM-DD\"}"))
            }
            guard let start = CivilDate(iso: startText), let end = CivilDate(iso: endText) else {
                return .failure(FieldProblem(message: "start and end must be dates of the form YYYY-MM-DD"))
            }
            if end < start { return .failure(FieldProblem(message: "ends (\(end)) before it starts (\(start))")) }
            // The dates as given (`CivilDate(iso:)` reads only the form it writes), in an object of
            // their own: the parsed one has room for eight members, and the state keeps it.
            return .success(.object(["start": .string(startText), "end": .string(endText)]))
        case .unit:
            guard let id = value.stringValue else { return .failure(FieldProblem(message: "expected a unit id, found \(value.typeName)")) }
            guard let unit = directory.units[UnitID(id)] else {
                return .failure(FieldProblem(message: "\"\(id)\" is not a unit of the org directory in force"))
            }
            if !spec.unitKinds.isEmpty && !spec.unitKinds.contains(unit.kind) {
                return .failure(FieldProblem(message: "\(unit.name) is a \(unit.kind.label), expected \(spec.unitKinds.map(\.label).joined(separator: " or "))"))
            }
            return .success(nil)
        case .employee:
            guard let text = value.stringValue else { return .failure(FieldProblem(message: "expected a NIP as a string, found \(value.typeName)")) }
            // The directory holds well-formed NIPs only: the form is checked for one it lacks.
            guard directory.employees[NIP(text)] != nil else {
                return .failure(FieldProblem(message: NIP.problem(with: text) ?? "NIP \(text) is not in the org directory in force"))
            }
            return .success(nil)
        case .employees:
            guard let items = value.arrayValue, !items.isEmpty else {
                return .failure(FieldProblem(message: "expected a non-empty list of NIPs"))
            }
            // One named twice: found by comparing with those before it in a list of a few (no set made and
            // each NIP hashed), in a set beyond; either way at the first that repeats an earlier one.
            let compared = items.count <= Self.namesComparedInPlace
            var seen: Set<String> = []
            for (offset, item) in items.enumerated() {
                guard let text = item.stringValue else { return .failure(FieldProblem(message: "expected NIPs as strings, found \(item.typeName)")) }
                guard directory.employees[NIP(text)] != nil else {
                    return .failure(FieldProblem(message: NIP.problem(with: text) ?? "NIP \(text) is not in the org directory in force"))
                }
                let repeated = compared ? items[..<offset].contains(item) : !seen.insert(text).inserted
                guard !repeated else { return .failure(FieldProblem(message: "NIP \(text) is named twice")) }
            }
            return .success(nil)  // a list of strings, each a NIP of the directory: as given
        }
    }

    /// Checks between fields, once defaults are bound: how units (or people's units) must
    /// stand to each other, people who must sit within a unit and hold a kind of position.
    private func checkFieldRelations(_ transition: WorkflowDefinition.Transition, _ definition: WorkflowDefinition,
                                     _ directory: Directory, _ fields: [String: JSONValue], _ bound: [String: JSONValue]) throws(Refusal) {
        var problems: [(FieldSpec, String)] = []
        // The kind of a field asked of the definition's few person fields, not hashed into the kinds of all.
        let personFields = definition.personFields
        /// The unit a field's value stands for: a unit field's unit, an employee field's person's unit.
        func unit(_ name: String, _ value: JSONValue?) -> UnitID? {
            guard let text = value?.stringValue else { return nil }
            return personFields.kind(of: name) == .employee ? directory.unit(of: NIP(text)) : UnitID(text)
        }
        func describe(_ unit: UnitID) -> String { directory.units[unit]?.name ?? unit.rawValue }
        // Only the fields with something to check: each other one would cost a lookup by name for nothing.
        let specs = transition.fields
        for index in specs.indices where !specs[index].relations.isEmpty || specs[index].kind.namesPeople {
            let spec = specs[index]  // copied only when it has something to check
            guard let value = fields[spec.name] else { continue }
            // `bound` holds the step's fields as given (`decide`, `checkActor` bind both): its value of this field is `value`.
            if !spec.relations.isEmpty, let mine = unit(spec.name, value) {
                // A field several relations name (`other_unit` and `same_agency` of one other field) is looked up once.
                var other: (name: String, unit: UnitID?)?
                for relation in spec.relations {
                    if other?.name != relation.other { other = (relation.other, unit(relation.other, bound[relation.other])) }
                    guard let theirs = other?.unit, !relation.holds(mine, theirs, in: directory) else { continue }
                    let subject = spec.kind == .employee ? "\(directory.employees[NIP(value.stringValue ?? "")]?.name ?? "the employee") sits in \(describe(mine))"
                                                         : "is \(describe(mine))"
                    problems.append((spec, "\(subject); it must be \(relation.kind.phrase) \(relation.other) (\(describe(theirs)))"))
                }
            }
            guard spec.kind.namesPeople else { continue }
            let withinUnit = spec.within.flatMap { bound[$0]?.stringValue }.map(UnitID.init)
            // Each person named, read from the value in place (no array of their NIPs).
            func check(_ item: JSONValue) {
                guard let text = item.stringValue else { return }
                let nip = NIP(text)
                guard let employee = directory.employees[nip], let position = directory.positions[employee.position] else { return }
                if let withinUnit, !directory.unit(position.unit, isWithin: withinUnit) {
                    problems.append((spec, "\(employee.name) (NIP \(nip)) does not sit in \(describe(withinUnit))"))
                }
                if !spec.positionKinds.isEmpty && !spec.positionKinds.contains(position.kind) {
                    problems.append((spec, "\(employee.name) (NIP \(nip)) is \(position.title), a \(position.kind.rawValue) position; expected \(spec.positionKinds.map(\.rawValue).joined(separator: " or "))"))
                }
            }
            if spec.kind == .employee {
                check(value)
            } else {
                for item in value.arrayValue ?? [] { check(item) }
            }
        }
        if !problems.isEmpty {
            throw Refusal(.invalidField, problems.map { "\($0.0.name) (\($0.0.label)): \($0.1)" }.joined(separator: "; "),
                          article: definition.cite(unique(problems.map(\.0.article)).joined(separator: "; ")))
        }
    }

    // MARK: Rules

    /// Checks the regulation's rules on the step. A broken mandatory rule refuses the
    /// command; a broken preferred one ("diutamakan") becomes a warning in the event.
    /// Binds `quota_unit` for a quota rule.
    /// - Returns: the warnings, and whether a rule bound `quota_unit` (the request's fields then differ
    ///   from those the actor's role was resolved with).
    private func checkRules(_ transition: WorkflowDefinition.Transition, _ definition: WorkflowDefinition, _ directory: Directory,
                            _ date: CivilDate, _ fields: inout [String: JSONValue], _ bound: inout [String: JSONValue],
                            _ counting: some RequestCounting) throws(Refusal) -> (warnings: [String], boundQuotaUnit: Bool) {
        var warnings: [String] = []
        var boundQuotaUnit = false
        for rule in transition.rules {
            let breach = breach(of: rule, definition, directory, date, bound, &fields, counting)
            if case .quota = rule.kind, let quotaUnit = fields[RuleSpec.quotaField] {
                boundQuotaUnit = boundQuotaUnit || bound[RuleSpec.quotaField] != quotaUnit
                bound[RuleSpec.quotaField] = quotaUnit
            }
            guard let breach else { continue }
            let article = definition.cite(rule.article)
            switch rule.strength {
            case .mandatory: throw Refusal(.ruleBroken, breach, article: article)
            case .warning: warnings.append("\(breach) [\(article)]")
            }
        }
        return (warnings, boundQuotaUnit)
    }

    /// What breaks the rule, or `nil` when it holds (or has nothing to check yet).
    private func breach(of rule: RuleSpec, _ definition: WorkflowDefinition, _ directory: Directory, _ date: CivilDate,
                        _ bound: [String: JSONValue], _ fields: inout [String: JSONValue], _ counting: some RequestCounting) -> String? {
        func person(_ name: String) -> (nip: NIP, employee: Directory.Employee, position: Directory.Position)? {
            guard let text = bound[name]?.stringValue, let employee = directory.employees[NIP(text)],
                  let position = directory.positions[employee.position] else { return nil }
            return (NIP(text), employee, position)
        }
        func unitName(_ id: UnitID) -> String { directory.units[id]?.name ?? id.rawValue }
        func unit(_ field: String) -> Directory.Unit? { bound[field]?.stringValue.flatMap { directory.units[UnitID($0)] } }
        func holds(_ condition: RuleSpec.StructureCondition, _ unit: UnitID) -> Bool {
            let structure = directory.structure(of: unit)
            return switch condition {
            case .notSimplified: !structure.simplified
            case .simplified: structure.simplified
            case .twoLevels: structure.levels == 2
            }
        }
        func phrase(_ condition: RuleSpec.StructureCondition) -> String {
            switch condition {
            case .notSimplified: "was not simplified"
            case .simplified: "was simplified"
            case .twoLevels: "has a structure of two levels"
            }
        }
        switch rule.kind {
        case .leadFromUnit(let lead, let unitField, let membersField):
            guard let leader = person(lead), let unitText = bound[unitField]?.stringValue else { return nil }
            let owner = directory.orgUnit(of: UnitID(unitText)) ?? UnitID(unitText)
            let members = (bound[membersField]?.arrayValue ?? []).compactMap(\.stringValue).map(NIP.init)
            let outsiders = members.filter { nip in directory.unit(of: nip).map { !directory.unit($0, isWithin: owner) } ?? false }
            guard !outsiders.isEmpty, !directory.unit(leader.position.unit, isWithin: owner) else { return nil }
            return "The team has members from outside \(unitName(owner)), so its lead comes from it; \(leader.employee.name) (NIP \(leader.nip)) sits in \(unitName(leader.position.unit))."
        case .leadNotContract(let lead, let exceptHospital):
            guard let leader = person(lead), leader.employee.status == .pppk else { return nil }
            if exceptHospital, let department = directory.ancestor(of: leader.position.unit, kind: .department),
               directory.units[department]?.isHospital == true || directory.units[leader.position.unit]?.isHospital == true {
                return nil
            }
            return "\(leader.employee.name) (NIP \(leader.nip)) is a PPPK; a PPPK does not lead a team\(exceptHospital ? " outside the RSUD" : "")."
        case .leadIsSupervisor(let lead, let unitField, let condition):
            guard let leader = person(lead), let unit = unit(unitField), holds(condition, unit.id) else { return nil }
            guard leader.position.kind != .pengawas else { return nil }
            return "\(unit.name) \(phrase(condition)), so a Pejabat Pengawas leads the team; \(leader.employee.name) (NIP \(leader.nip)) is \(leader.position.title)."
        case .leadIsNonmanagerial(let lead, let unitField, let condition, let basis):
            guard let leader = person(lead), let unit = unit(unitField), holds(condition, unit.id) else { return nil }
            if leader.position.kind != .fungsional && leader.position.kind != .pelaksana {
                return "\(unit.name) \(phrase(condition)), so the team lead is a Pejabat Nonmanajerial (Fungsional or Pelaksana); \(leader.employee.name) (NIP \(leader.nip)) is \(leader.position.title)."
            }
            guard let basis, bound[basis]?.stringValue?.isBlank ?? true else { return nil }
            let label = definition.transitions.lazy.flatMap(\.fields).first { $0.name == basis }.map { "\(basis) (\($0.label))" } ?? basis
            return "\(unit.name) \(phrase(condition)), so the lead is chosen for competence, expertise and/or skill; \(label) must say on which."
        case .quota(let expression, let states):
            let context = definition.roleContext(fields: bound, directory: directory, on: date)
            guard let unitID = expression.resolve(in: context).unit, let unit = directory.units[unitID] else { return nil }
            fields[RuleSpec.quotaField] = .string(unitID.rawValue)
            guard let quota = unit.squadQuota else {
                return "The org directory records no quota for \(unit.name) (squad_quota), so no more can be formed there."
            }
            let standing = counting.count(workflow: definition.id, quotaUnit: unitID, states: states)
            guard standing >= quota else { return nil }
            return "\(unit.name) already has \(standing) of its at most \(quota)."
        }
    }

    // MARK: Actor

    /// The actor as the directory in force on the step's date lists them.
    private func checkKnownActor(_ transition: WorkflowDefinition.Transition, _ definition: WorkflowDefinition,
                                 _ directory: Directory, _ date: CivilDate) throws(Refusal) -> Directory.Employee {
        guard let employee = directory.employees[command.actor] else {
            throw Refusal(.unknownActor, "NIP \(command.actor) is not in the org directory in force on \(date) (\(directory.regency), effective \(directory.effectiveFrom)).",
                          article: definition.cite(transition.article), hint: "Check the NIP, or import a directory that lists this employee.")
        }
        return employee
    }

    /// Resolves the role the transition requires and checks the actor (`checkKnownActor`) plays it.
    /// Binds unit fields that default to the unit the actor heads.
    /// - Returns: the office the actor acts in, and everyone who holds the role on the date.
    /// - Parameters:
    ///   - role: the role the transition names (`by`).
    ///   - merged: the request's fields with the step's over them, or `nil` when they are the step's (`fields`).
    private func checkActor(_ transition: WorkflowDefinition.Transition, _ role: WorkflowDefinition.RoleSpec, _ definition: WorkflowDefinition,
                            _ directory: Directory, _ date: CivilDate, _ employee: Directory.Employee, _ fields: inout [String: JSONValue],
                            _ merged: inout [String: JSONValue]?) throws(Refusal) -> (office: Officeholder, holders: [Officeholder]) {
        // The article and the actor's description only go into refusals: made when one is thrown.
        var article: String { definition.cite(transition.article) }
        var actorDescription: String { "\(employee.name) (NIP \(command.actor), \(directory.positions[employee.position]?.title ?? employee.position.rawValue))" }
        // Read in place by index; a spec is copied only when it has a default to bind.
        let specs = transition.fields
        func isBound(_ name: String) -> Bool { merged.map { $0[name] != nil } ?? (fields[name] != nil) }
        func bind(_ name: String, _ value: JSONValue) {
            fields[name] = value
            merged?[name] = value
        }
        for index in specs.indices where specs[index].defaultValue == .actor && !isBound(specs[index].name) {
            bind(specs[index].name, .string(command.actor.rawValue))
        }
        for index in specs.indices where specs[index].defaultValue == .unitHeadedByActor && !isBound(specs[index].name) {
            let spec = specs[index]
            let headed = directory.unitsHeaded(by: command.actor, on: date)
                .filter { spec.unitKinds.isEmpty || spec.unitKinds.contains(directory.units[$0.unit]!.kind) }
            switch headed.count {
            case 0:
                throw Refusal(.wrongActor, "\"\(transition.action)\" is taken by the \(role.label); \(actorDescription) heads no \(spec.unitKinds.map(\.label).joined(separator: " or ")) on \(date)."
                              + displacedNote(employee, directory, date), article: article)
            case 1:
                bind(spec.name, .string(headed[0].unit.rawValue))
            default:
                throw Refusal(.missingField, "\(actorDescription) heads several units (\(headed.map(\.unit.rawValue).joined(separator: ", "))); \(spec.name) (\(spec.label)) must say which one.",
                              article: definition.cite(spec.article))
            }
        }
        let holders = role.expression.resolve(in: definition.roleContext(fields: merged ?? fields, directory: directory, on: date)).persons
        guard !holders.isEmpty else {
            throw Refusal(.noOfficeholder, "Nobody can act as \(role.label) (\(role.expression)) on \(date): the office is vacant and no Plt or Plh is appointed.",
                          article: article, hint: "Record the holder or an acting official in the org directory.")
        }
        guard let office = holders.first(where: { $0.nip == command.actor }) else {
            let expected = holders.map { holder in
                "\(directory.employees[holder.nip]?.name ?? "?") (NIP \(holder.nip), \(directory.title(of: holder)))"
            }.joined(separator: " or ")
            let displaced = holders.contains { $0.position == employee.position } ? displacedNote(employee, directory, date) : ""
            throw Refusal(.wrongActor, "\"\(transition.action)\" (\(transition.label)) is taken by the \(role.label): on \(date) that is \(expected), not \(actorDescription)."
                          + displaced, article: article)
        }
        if transition.each, input.state?.participantList.took(command.actor, transition.action) == true {
            throw Refusal(.alreadyDone, "\(actorDescription) has already taken \"\(transition.action)\" (\(transition.label)) for request \(command.request).",
                          article: article)
        }
        return (office, holders)
    }

    /// Why a definitive holder does not act today, when a Plt or Plh stands in for them; empty otherwise.
    private func displacedNote(_ employee: Directory.Employee, _ directory: Directory, _ date: CivilDate) -> String {
        guard let standIn = directory.displacement(of: employee.nip, on: date) else { return "" }
        let name = directory.employees[standIn.nip]?.name ?? standIn.nip.rawValue
        let why = standIn.capacity == .plh ? "a Plh stands in while the holder is temporarily unable to act (berhalangan sementara)"
                                           : "a Plt acts while the post is vacant or the holder permanently unable to act (berhalangan tetap)"
        return " \(employee.name) holds the post, but from \(standIn.from.indonesian) to \(standIn.until.indonesian) \(name) (NIP \(standIn.nip)) acts for it as "
            + "\(directory.title(of: Officeholder(nip: standIn.nip, position: standIn.position, capacity: standIn.capacity)))\(standIn.basis.map { " (\($0))" } ?? ""); "
            + "\(why), and the holder does not act for the office until the period ends."
    }

    // MARK: Letters

    /// The letter a letter citing `type` cites: the request's latest letter of that type, else the
    /// letter of its first step; `nil` when the request has neither (a request opened without one).
    private static func citedLetter(type: String, in letters: [LetterReference]) -> LetterReference? {
        letters.last { $0.type == type } ?? letters.first { $0.version == 1 }
    }

    /// Numbers a letter whose content checks have passed, and freezes its content.
    ///
    /// A register is (unit, kode klasifikasi, year), or (unit, letter type, year) for a letter
    /// without a code: letters of one office with one code share a sequence, as an office numbers
    /// its outgoing letters per code per year, so two types cannot print the same number. Every
    /// printed number is claimed once whatever its register, so a template that still repeats a
    /// number is refused, naming the letter that has it, rather than printed twice.
    ///
    /// A letter an employee writes (numbering `none`) draws and claims nothing: its id is the request,
    /// its type and the version of the event that issues it.
    private func issue(_ draft: LetterDraft, version: Int, _ numbering: inout some LetterNumbering,
                       _ frames: inout LetterFrames) throws(Refusal) -> LetterRecord {
        let spec = draft.spec, context = draft.context, date = context.date
        guard let registerExpression = spec.register else {
            let identity = LetterIdentity(type: spec.type, label: spec.label, number: "", register: "", sequence: 0, numbering: .none)
            let id = LetterReference.unnumberedID(request: command.request, type: spec.type, version: version)
            return LetterRecord(identity, composed: draft.compose(identity, id: id, dated: date, request: command.request, frames: &frames))
        }
        guard let unitID = registerExpression.resolve(in: context).unit, let unit = context.directory.units[unitID] else {
            throw Refusal(.invalidField, "The register of the \(spec.label) (\(registerExpression)) names no unit for this request.")
        }
        let series = spec.klasifikasi ?? spec.type
        // Only refusals cite the article: made when one is thrown.
        var article: String { draft.definition.cite(draft.transition.article) }
        if let external = try externalNumber(draft, on: date) {
            let register = LetterReference.register(unit: unitID, series: series, year: external.date.year)
            let template = spec.numberTemplate
            if spec.numbering == .either, LetterNumber.matches(external.number, template: template, unitCode: unit.code, klasifikasi: spec.klasifikasi ?? "") {
                throw Refusal(.invalidField, "The \(spec.label) number \"\(external.number)\" has the form of the numbers \(unit.name) draws itself (\(template)): "
                              + "lintas could later give it to another letter of the register \(register).",
                              article: article, hint: "Record the number the other system (e.g. SRIKANDI) gave, or let lintas number the letter by leaving out the number.")
            }
            let identity = LetterIdentity(type: spec.type, label: spec.label, number: external.number, register: register, sequence: 0, numbering: .external)
            let id = LetterReference.id(register: register, sequence: 0, external: true, number: external.number)
            try claim(external.number, NumberedLetter(id: id, request: command.request, label: spec.label), article: article, &numbering)
            return LetterRecord(identity, composed: draft.compose(identity, id: id, dated: external.date, request: command.request, frames: &frames))
        }
        let register = LetterReference.register(unit: unitID, series: series, year: date.year)
        let sequence = numbering.nextSequence(register: register)
        let number = LetterNumber.format(spec.numberTemplate, sequence: sequence, unitCode: unit.code, date: date, klasifikasi: spec.klasifikasi ?? "")
        let identity = LetterIdentity(type: spec.type, label: spec.label, number: number, register: register, sequence: sequence)
        let id = LetterReference.id(register: register, sequence: sequence, external: false, number: number)
        try claim(number, NumberedLetter(id: id, request: command.request, label: spec.label), article: article, &numbering)
        return LetterRecord(identity, composed: draft.compose(identity, id: id, dated: date, request: command.request, frames: &frames))
    }

    /// Claims a printed number; refused when another letter already carries it.
    private func claim(_ number: String, _ letter: NumberedLetter, article: @autoclosure () -> String,
                       _ numbering: inout some LetterNumbering) throws(Refusal) {
        guard let holder = numbering.claim(number: number, for: letter) else { return }
        throw Refusal(.invalidField, "The \(letter.label) \(letter.id) of request \(letter.request) would carry the number \"\(number)\", "
                      + "which the \(holder.label) \(holder.id) of request \(holder.request) already carries: a letter number identifies one letter.",
                      article: article(),
                      hint: letter.id.contains("/external:") ? "Check the number the other system (e.g. SRIKANDI) gave this letter."
                          : "Give the two letter types distinct number templates or kode klasifikasi in the workflow (a template with {unit} and {year} numbers each office per year).")
    }

    /// The number and date another system gave the letter, from the command; `nil` when the register numbers it.
    /// - Throws: `missing_field` when the letter is numbered only elsewhere and the command has no number;
    ///   `invalid_field` for an empty or malformed number or date, or a date after the step.
    private func externalNumber(_ draft: LetterDraft, on date: CivilDate) throws(Refusal) -> (number: String, date: CivilDate)? {
        let spec = draft.spec
        var article: String { draft.definition.cite(draft.transition.article) }  // made only when a refusal is thrown
        let given = command.data[WorkflowDefinition.LetterSpec.externalNumberField]
        let dateValue = command.data[WorkflowDefinition.LetterSpec.externalDateField]
        guard let given, given != .null else {
            if spec.numbering == .external {
                throw Refusal(.missingField, "The \(spec.label) is numbered outside lintas (e.g. by SRIKANDI): give its number in \"\(WorkflowDefinition.LetterSpec.externalNumberField)\".",
                              article: article, hint: "Add \"\(WorkflowDefinition.LetterSpec.externalNumberField)\" (and, when it differs from the step's date, \"\(WorkflowDefinition.LetterSpec.externalDateField)\") to the command's data.")
            }
            if dateValue != nil {
                throw Refusal(.invalidField, "\"\(WorkflowDefinition.LetterSpec.externalDateField)\" dates a number given elsewhere; this command gives no \"\(WorkflowDefinition.LetterSpec.externalNumberField)\".", article: article)
            }
            return nil
        }
        guard let text = given.stringValue else {
            throw Refusal(.invalidField, "\"\(WorkflowDefinition.LetterSpec.externalNumberField)\" must be text, found \(given.typeName).", article: article)
        }
        let number = String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        if number.isEmpty {
            throw Refusal(.missingField, "\"\(WorkflowDefinition.LetterSpec.externalNumberField)\" is empty: the \(spec.label) needs the number the other system gave it.", article: article)
        }
        if number.count > Command.maximumIdentifierLength || number.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw Refusal(.invalidField, "\"\(WorkflowDefinition.LetterSpec.externalNumberField)\" must be one line of at most \(Command.maximumIdentifierLength) characters.", article: article)
        }
        guard let dateValue, dateValue != .null else { return (number, date) }
        guard let dateText = dateValue.stringValue, let letterDate = CivilDate(iso: dateText) else {
            throw Refusal(.invalidField, "\"\(WorkflowDefinition.LetterSpec.externalDateField)\" must be a date such as 2026-03-05, found \(dateValue.canonicalText).", article: article)
        }
        if letterDate > date {
            throw Refusal(.invalidField, "\"\(WorkflowDefinition.LetterSpec.externalDateField)\" \(letterDate) is after the step's date \(date): a letter is recorded once it is dated.", article: article)
        }
        return (number, letterDate)
    }

    private func isBlank(_ value: JSONValue) -> Bool {
        switch value {
        case .null: true
        case .string(let text): text.isBlank
        case .array(let items): items.isEmpty
        case .object(let members): members.isEmpty
        default: false
        }
    }

    private func unique(_ items: [String]) -> [String] {
        var seen: Set<String> = []
        return items.filter { seen.insert($0).inserted }
    }
}
