/// A procedure of a regulation as an explicit state machine, read from a workflow file.
///
/// What differs between regulations (who acts, in which order, which article, which
/// letter) lives here as data; the engine that runs it is the same for all.
public struct WorkflowDefinition: Sendable {
    public var id: WorkflowID
    /// The SHA-256 of the file's canonical JSON: the version a request is pinned to.
    public var hash: DefinitionHash
    public var title: String
    public var regulation: Regulation
    /// The article that prescribes the whole procedure, e.g. `Pasal 11 ayat (4)`.
    public var article: String
    public var mode: String?
    public var scope: String?
    public var states: [StateSpec]
    public var roles: [String: RoleSpec]
    public var transitions: [Transition]
    /// Every field any transition declares, by name: the request's vocabulary.
    public var fieldKinds: [String: FieldKind]

    public struct Regulation: Sendable, Hashable {
        public var id: String
        public var title: String
        /// e.g. `Perbup Pemalang 38/2023`.
        public var short: String
        public var inForceFrom: CivilDate
    }

    public struct StateSpec: Sendable, Hashable {
        public var id: String
        public var label: String
        public var isFinal: Bool
    }

    public struct RoleSpec: Sendable, Hashable {
        public var id: String
        public var label: String
        public var expression: RoleExpression
    }

    public struct Transition: Sendable, Hashable {
        public var action: String
        public var label: String
        /// The states the action may be taken in; empty for the transition that opens a request.
        public var from: [String]
        public var isInitial: Bool { from.isEmpty }
        public var to: String
        /// The role that acts.
        public var by: String
        /// Every person of the role must act once; the state moves when the last one has.
        public var each: Bool
        public var article: String
        public var fields: [FieldSpec]
        public var letter: LetterSpec?
    }

    public struct LetterSpec: Sendable, Hashable {
        /// e.g. `surat_penugasan`.
        public var type: String
        /// e.g. `Surat Penugasan`.
        public var label: String
        /// The unit whose register numbers the letter.
        public var register: RoleExpression
        /// e.g. `800.1.11.1/{seq}/{unit}/{year}`.
        public var numberTemplate: String
    }

    public func state(_ id: String) -> StateSpec? { states.first { $0.id == id } }

    public func isFinal(_ state: String) -> Bool { self.state(state)?.isFinal ?? false }

    /// The transitions that may be taken in a state.
    public func transitions(from state: String) -> [Transition] {
        transitions.filter { $0.from.contains(state) }
    }

    /// A full citation: `Pasal 11 ayat (4) huruf d Perbup Pemalang 38/2023`.
    public func cite(_ article: String) -> String { "\(article) \(regulation.short)" }
}

public enum FieldKind: String, Sendable, Hashable, CaseIterable {
    /// Free text, such as the purpose of a request or the reason of a refusal.
    case text
    /// A period: `{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}`.
    case period
    /// A unit of the org directory, by id.
    case unit
    /// A list of employees, by NIP.
    case employees
}

/// A field a command carries for one transition, and how it is checked.
public struct FieldSpec: Sendable, Hashable {
    public var name: String
    public var kind: FieldKind
    public var label: String
    public var required: Bool
    /// The article that demands the field; the transition's article when the file names none.
    public var article: String
    /// For `unit`: the kinds of unit allowed.
    public var unitKinds: [Directory.UnitKind]
    /// For `unit`: the unit must differ from the one in this field.
    public var differsFrom: String?
    /// For `unit`: bind the unit the acting official heads when the command omits it.
    public var defaultsToUnitHeadedByActor: Bool
    /// For `employees`: each must sit within the unit in this field.
    public var within: String?
    /// For `employees`: the position kinds allowed.
    public var positionKinds: [Directory.PositionKind]
    /// For `text`: the longest text accepted, in characters.
    public var maxLength: Int
}

// MARK: - Reading and validating the file format

extension WorkflowDefinition {
    /// The `format` value of a workflow file.
    public static let format = "lintas.workflow/1"

    /// Reads and validates a workflow document. Every problem is reported at once:
    /// unknown states or roles, unreachable states, dead ends, duplicate transitions,
    /// missing citations, unknown fields and malformed role expressions.
    /// - Parameters:
    ///   - document: the parsed file.
    ///   - source: where it came from, for messages (usually the file path).
    ///   - hash: the content hash of the document, computed by the caller.
    /// - Throws: `InvalidDocument` listing each problem with its path.
    public static func decode(_ document: JSONValue, source: String, hash: DefinitionHash) throws(InvalidDocument) -> WorkflowDefinition {
        var reader = DocumentReader()
        guard let root = reader.object(document, "") else { throw InvalidDocument(source: source, problems: reader.problems) }
        reader.rejectUnknown(root, allowed: ["format", "id", "title", "regulation", "article", "mode", "scope", "description", "states", "roles", "transitions"], "")
        if let format = reader.string(root, "format", ""), format != WorkflowDefinition.format {
            reader.report("format", "expected \"\(WorkflowDefinition.format)\", found \"\(format)\"")
        }
        let id = reader.string(root, "id", "") ?? ""
        if !id.isEmpty && !isIdentifier(id, allowing: ".-_") {
            reader.report("id", "\"\(id)\" may contain only lowercase letters, digits, '.', '-' and '_'")
        }
        let regulation = readRegulation(root, &reader)
        var definition = WorkflowDefinition(
            id: WorkflowID(id), hash: hash, title: reader.string(root, "title", "") ?? "",
            regulation: regulation, article: reader.string(root, "article", "") ?? "",
            mode: reader.string(root, "mode", "", required: false), scope: reader.string(root, "scope", "", required: false),
            states: readStates(reader.array(root, "states", ""), &reader), roles: [:], transitions: [], fieldKinds: [:])
        definition.transitions = readTransitions(reader.array(root, "transitions", ""), &reader)
        definition.fieldKinds = collectFieldKinds(definition.transitions, &reader)
        definition.roles = readRoles(root["roles"], fieldKinds: definition.fieldKinds, &reader)
        definition.checkTransitions(&reader)
        definition.checkGraph(&reader)
        guard reader.problems.isEmpty else { throw InvalidDocument(source: source, problems: reader.problems) }
        return definition
    }

    private static func readRegulation(_ root: [String: JSONValue], _ reader: inout DocumentReader) -> Regulation {
        let fallback = Regulation(id: "", title: "", short: "", inForceFrom: CivilDate(daysSinceEpoch: 0))
        guard let value = root["regulation"] else {
            reader.report("regulation", "missing: every procedure names the regulation it implements")
            return fallback
        }
        guard let members = reader.object(value, "regulation") else { return fallback }
        reader.rejectUnknown(members, allowed: ["id", "title", "short", "in_force_from"], "regulation")
        return Regulation(
            id: reader.string(members, "id", "regulation") ?? "", title: reader.string(members, "title", "regulation") ?? "",
            short: reader.string(members, "short", "regulation") ?? "",
            inForceFrom: reader.date(members, "in_force_from", "regulation") ?? fallback.inForceFrom)
    }

    private static func readStates(_ items: [JSONValue], _ reader: inout DocumentReader) -> [StateSpec] {
        var states: [StateSpec] = []
        for (offset, item) in items.enumerated() {
            var path = "states[\(offset)]"
            guard let members = reader.object(item, path) else { continue }
            if let id = members["id"]?.stringValue { path += " (\(id))" }
            reader.rejectUnknown(members, allowed: ["id", "label", "final"], path)
            guard let id = reader.string(members, "id", path) else { continue }
            if !isIdentifier(id, allowing: "_") { reader.report("\(path).id", "\"\(id)\" may contain only lowercase letters, digits and '_'") }
            if states.contains(where: { $0.id == id }) { reader.report(path, "state \"\(id)\" is declared twice") }
            states.append(StateSpec(id: id, label: reader.string(members, "label", path) ?? id, isFinal: reader.bool(members, "final", path)))
        }
        if items.isEmpty { reader.report("states", "a workflow needs at least one state") }
        return states
    }

    private static func readRoles(_ value: JSONValue?, fieldKinds: [String: FieldKind], _ reader: inout DocumentReader) -> [String: RoleSpec] {
        guard let value else {
            reader.report("roles", "missing")
            return [:]
        }
        guard let members = reader.object(value, "roles") else { return [:] }
        var roles: [String: RoleSpec] = [:]
        for (id, spec) in members.sorted(by: { $0.key < $1.key }) {
            let path = "roles.\(id)"
            guard let fields = reader.object(spec, path) else { continue }
            reader.rejectUnknown(fields, allowed: ["label", "resolve"], path)
            guard let label = reader.string(fields, "label", path), let text = reader.string(fields, "resolve", path) else { continue }
            switch RoleExpression.parse(text) {
            case .failure(let error):
                reader.report("\(path).resolve", error.message)
            case .success(let expression):
                if let problem = typeProblem(expression, expected: .persons, fieldKinds: fieldKinds) {
                    reader.report("\(path).resolve", problem)
                } else {
                    roles[id] = RoleSpec(id: id, label: label, expression: expression)
                }
            }
        }
        return roles
    }

    /// Why an expression does not denote `expected`, or `nil` when it does.
    static func typeProblem(_ expression: RoleExpression, expected: RoleExpression.ValueType, fieldKinds: [String: FieldKind]) -> String? {
        let actual: RoleExpression.ValueType
        switch expression {
        case .field(let name):
            switch fieldKinds[name] {
            case .unit?: actual = .unit
            case .employees?: actual = .persons
            case let kind?: return "field \"\(name)\" is \(kind.rawValue), not a unit or a list of employees"
            case nil: return "\"\(name)\" is not a field any transition declares"
            }
        case .call(let function, let argument):
            if let problem = typeProblem(argument, expected: function.argument, fieldKinds: fieldKinds) { return problem }
            actual = function.result
        }
        return actual == expected ? nil : "\"\(expression)\" gives \(actual.rawValue), expected \(expected.rawValue)"
    }

    private static func readTransitions(_ items: [JSONValue], _ reader: inout DocumentReader) -> [Transition] {
        var transitions: [Transition] = []
        for (offset, item) in items.enumerated() {
            var path = "transitions[\(offset)]"
            guard let members = reader.object(item, path) else { continue }
            if let action = members["action"]?.stringValue { path += " (\(action))" }
            reader.rejectUnknown(members, allowed: ["action", "label", "from", "initial", "to", "by", "each", "article", "fields", "letter", "description"], path)
            let action = reader.string(members, "action", path) ?? ""
            if !action.isEmpty && !isIdentifier(action, allowing: "_") {
                reader.report("\(path).action", "\"\(action)\" may contain only lowercase letters, digits and '_'")
            }
            let article = members["article"] == nil
                ? { reader.report("\(path).article", "missing: every transition cites the article that prescribes it"); return "" }()
                : reader.string(members, "article", path) ?? ""
            let initial = reader.bool(members, "initial", path)
            let from = reader.strings(members, "from", path) ?? []
            if initial && !from.isEmpty { reader.report("\(path).from", "an initial transition opens a request and has no 'from'") }
            if !initial && from.isEmpty && members["from"] == nil {
                reader.report("\(path).from", "missing: name the states the action may be taken in, or mark the transition \"initial\": true")
            }
            let fields = readFields(reader.array(members, "fields", path, required: false), transitionArticle: article, path: "\(path).fields", &reader)
            transitions.append(Transition(
                action: action, label: reader.string(members, "label", path) ?? action, from: from,
                to: reader.string(members, "to", path) ?? "", by: reader.string(members, "by", path) ?? "",
                each: reader.bool(members, "each", path), article: article, fields: fields,
                letter: readLetter(members["letter"], path: "\(path).letter", &reader)))
        }
        if items.isEmpty { reader.report("transitions", "a workflow needs at least one transition") }
        return transitions
    }

    private static func readFields(_ items: [JSONValue], transitionArticle: String, path: String, _ reader: inout DocumentReader) -> [FieldSpec] {
        var fields: [FieldSpec] = []
        for (offset, item) in items.enumerated() {
            var fieldPath = "\(path)[\(offset)]"
            guard let members = reader.object(item, fieldPath) else { continue }
            if let name = members["name"]?.stringValue { fieldPath += " (\(name))" }
            reader.rejectUnknown(members, allowed: ["name", "kind", "label", "required", "article", "unit_kinds", "differs_from", "default", "within", "position_kinds", "max_length"], fieldPath)
            guard let name = reader.string(members, "name", fieldPath), let kindName = reader.string(members, "kind", fieldPath) else { continue }
            guard let kind = FieldKind(rawValue: kindName) else {
                reader.report("\(fieldPath).kind", "\"\(kindName)\" is not a field kind; expected one of: \(FieldKind.allCases.map(\.rawValue).joined(separator: ", "))")
                continue
            }
            if fields.contains(where: { $0.name == name }) { reader.report(fieldPath, "field \"\(name)\" is declared twice") }
            var unitKinds: [Directory.UnitKind] = []
            for text in reader.strings(members, "unit_kinds", fieldPath) ?? [] {
                if let unitKind = Directory.UnitKind(rawValue: text) { unitKinds.append(unitKind) } else {
                    reader.report("\(fieldPath).unit_kinds", "\"\(text)\" is not a unit kind")
                }
            }
            var positionKinds: [Directory.PositionKind] = []
            for text in reader.strings(members, "position_kinds", fieldPath) ?? [] {
                if let positionKind = Directory.PositionKind(rawValue: text) { positionKinds.append(positionKind) } else {
                    reader.report("\(fieldPath).position_kinds", "\"\(text)\" is not a position kind")
                }
            }
            var defaultsToHeadedUnit = false
            if let rule = reader.string(members, "default", fieldPath, required: false) {
                if rule == "unit_headed_by_actor" && kind == .unit { defaultsToHeadedUnit = true } else {
                    reader.report("\(fieldPath).default", "unknown default \"\(rule)\"; a unit field may default to \"unit_headed_by_actor\"")
                }
            }
            var maxLength = 4000
            if let value = members["max_length"] {
                if let number = value.intValue, number > 0 { maxLength = Int(number) } else {
                    reader.report("\(fieldPath).max_length", "expected a positive whole number")
                }
            }
            let unitOnly = ["unit_kinds", "differs_from", "default"].filter { members[$0] != nil }
            if kind != .unit, !unitOnly.isEmpty { reader.report(fieldPath, "\(unitOnly.joined(separator: ", ")) apply only to unit fields") }
            let employeesOnly = ["within", "position_kinds"].filter { members[$0] != nil }
            if kind != .employees, !employeesOnly.isEmpty { reader.report(fieldPath, "\(employeesOnly.joined(separator: ", ")) apply only to employees fields") }
            fields.append(FieldSpec(
                name: name, kind: kind, label: reader.string(members, "label", fieldPath) ?? name,
                required: reader.bool(members, "required", fieldPath),
                article: reader.string(members, "article", fieldPath, required: false) ?? transitionArticle,
                unitKinds: unitKinds, differsFrom: reader.string(members, "differs_from", fieldPath, required: false),
                defaultsToUnitHeadedByActor: defaultsToHeadedUnit,
                within: reader.string(members, "within", fieldPath, required: false),
                positionKinds: positionKinds, maxLength: maxLength))
        }
        return fields
    }

    private static func readLetter(_ value: JSONValue?, path: String, _ reader: inout DocumentReader) -> LetterSpec? {
        guard let value, let members = reader.object(value, path) else { return nil }
        reader.rejectUnknown(members, allowed: ["type", "label", "register", "number"], path)
        guard let type = reader.string(members, "type", path), let label = reader.string(members, "label", path),
              let register = reader.string(members, "register", path), let template = reader.string(members, "number", path) else { return nil }
        guard case .success(let expression) = RoleExpression.parse(register) else {
            reader.report("\(path).register", "\"\(register)\" is not an expression such as department_of(target_unit)")
            return nil
        }
        let placeholders = LetterNumber.placeholders(in: template)
        for unknown in placeholders where !LetterNumber.knownPlaceholders.contains(unknown) {
            reader.report("\(path).number", "unknown placeholder {\(unknown)}; known: \(LetterNumber.knownPlaceholders.sorted().map { "{\($0)}" }.joined(separator: ", "))")
        }
        if !placeholders.contains("seq") { reader.report("\(path).number", "the template must contain {seq}, or two letters would share a number") }
        return LetterSpec(type: type, label: label, register: expression, numberTemplate: template)
    }

    /// The request's field vocabulary; a name must keep one kind across transitions.
    private static func collectFieldKinds(_ transitions: [Transition], _ reader: inout DocumentReader) -> [String: FieldKind] {
        var kinds: [String: FieldKind] = [:]
        for transition in transitions {
            for field in transition.fields {
                if let existing = kinds[field.name], existing != field.kind {
                    reader.report("transitions (\(transition.action)).fields (\(field.name))",
                                  "is \(field.kind.rawValue) here but \(existing.rawValue) in an earlier transition")
                }
                kinds[field.name] = kinds[field.name] ?? field.kind
            }
        }
        return kinds
    }

    private func checkTransitions(_ reader: inout DocumentReader) {
        let stateIDs = Set(states.map(\.id))
        var seen: Set<String> = []
        for (offset, transition) in transitions.enumerated() {
            let path = "transitions[\(offset)] (\(transition.action))"
            if !transition.to.isEmpty && !stateIDs.contains(transition.to) {
                reader.report("\(path).to", "unknown state \"\(transition.to)\"")
            }
            for state in transition.from where !stateIDs.contains(state) {
                reader.report("\(path).from", "unknown state \"\(state)\"")
            }
            if !transition.by.isEmpty && roles[transition.by] == nil {
                reader.report("\(path).by", "unknown role \"\(transition.by)\"; declared roles: \(roles.keys.sorted().joined(separator: ", "))")
            }
            for source in transition.from.isEmpty ? ["(start)"] : transition.from {
                if !seen.insert("\(transition.action)@\(source)").inserted {
                    reader.report(path, "duplicate transition: action \"\(transition.action)\" from \(source == "(start)" ? "the start" : "state \"\(source)\"") is declared twice")
                }
            }
            if transition.each, let role = roles[transition.by], WorkflowDefinition.typeProblem(role.expression, expected: .persons, fieldKinds: fieldKinds) == nil,
               case .call = role.expression {
                reader.report("\(path).each", "\"each\" needs a role that is a list of people named in the request (such as nominees), not an office")
            }
            for field in transition.fields {
                let fieldPath = "\(path).fields (\(field.name))"
                for reference in [field.differsFrom, field.within].compactMap({ $0 }) where fieldKinds[reference] != .unit {
                    reader.report(fieldPath, "\"\(reference)\" is not a unit field of this workflow")
                }
            }
            if let letter = transition.letter,
               let problem = WorkflowDefinition.typeProblem(letter.register, expected: .unit, fieldKinds: fieldKinds) {
                reader.report("\(path).letter.register", problem)
            }
        }
    }

    /// Reachability and dead ends, from the initial transitions.
    private func checkGraph(_ reader: inout DocumentReader) {
        let initial = transitions.filter(\.isInitial)
        if initial.isEmpty && !transitions.isEmpty {
            reader.report("transitions", "no initial transition: mark the one that opens a request \"initial\": true")
        }
        var reachable = Set(initial.map(\.to))
        var frontier = Array(reachable)
        while let state = frontier.popLast() {
            for transition in transitions(from: state) where reachable.insert(transition.to).inserted {
                frontier.append(transition.to)
            }
        }
        for (offset, state) in states.enumerated() {
            let path = "states[\(offset)] (\(state.id))"
            let outgoing = transitions(from: state.id)
            if state.isFinal && !outgoing.isEmpty {
                reader.report(path, "a final state has no way out, but \(outgoing.map { "\"\($0.action)\"" }.joined(separator: ", ")) leaves it")
            }
            if !state.isFinal && outgoing.isEmpty {
                reader.report(path, "dead end: no transition leaves this state and it is not marked final")
            }
            if !initial.isEmpty && !reachable.contains(state.id) {
                reader.report(path, "unreachable: no path of transitions leads here from the start")
            }
        }
        if !states.isEmpty && !states.contains(where: \.isFinal) {
            reader.report("states", "no final state: a request must be able to end")
        }
    }

    private static func isIdentifier(_ text: String, allowing extra: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || extra.unicodeScalars.contains($0) }
    }
}

/// Letter numbers from a template such as `800.1.11.1/{seq}/{unit}/{year}`.
public enum LetterNumber {
    public static let knownPlaceholders: Set<String> = ["seq", "unit", "year", "month_roman"]

    static func placeholders(in template: String) -> [String] {
        var names: [String] = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            names.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

    /// Fills a template.
    public static func format(_ template: String, sequence: Int, unitCode: String, date: CivilDate) -> String {
        let roman = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"][date.month - 1]
        return template
            .replacingOccurrences(of: "{seq}", with: String(sequence))
            .replacingOccurrences(of: "{unit}", with: unitCode)
            .replacingOccurrences(of: "{year}", with: String(date.year))
            .replacingOccurrences(of: "{month_roman}", with: roman)
    }
}

extension String {
    /// Foundation-free replacement, enough for letter-number templates.
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
