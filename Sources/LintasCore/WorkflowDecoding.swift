// Reading and validating the workflow file format (`docs/workflow-format.md`).

extension WorkflowDefinition {
    /// The `format` value of a workflow file.
    public static let format = "lintas.workflow/1"

    /// A definition as the store keeps it (`definitions.body`: canonical JSON with its regulation
    /// inlined), named in messages as "stored definition" and its short hash.
    public static func stored(_ body: String, hash: DefinitionHash) throws -> WorkflowDefinition {
        try decode(try JSONValue.parse(body), source: "stored definition \(hash.short)", hash: hash)
    }

    /// Reads and validates a workflow document. Every problem is reported at once:
    /// unknown states or roles, unreachable states, dead ends, duplicate transitions,
    /// missing citations, unknown fields, malformed role expressions and rules, and
    /// procedures their regulation forbids (a pengajuan sukarela across agencies).
    /// - Parameters:
    ///   - document: the parsed file, its `regulation` an object (as stored) or the id of
    ///     one of `regulations` (as written in `workflows/`).
    ///   - source: where it came from, for messages (usually the file path).
    ///   - hash: the content hash of the document with its regulation inlined, computed by the caller.
    /// - Throws: `InvalidDocument` listing each problem with its path.
    public static func decode(_ document: JSONValue, source: String, hash: DefinitionHash,
                              regulations: [String: Regulation] = [:]) throws(InvalidDocument) -> WorkflowDefinition {
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
        let regulation = readRegulation(root["regulation"], regulations, &reader)
        let mode = reader.enumValue(root, "mode", "", as: Mode.self)
        let scope = reader.enumValue(root, "scope", "", as: Scope.self)
        if mode == .pengajuanSukarela && scope == .lintasInstansi {
            reader.report("scope", "a pengajuan sukarela is never across agencies: the regulations allow it within the agency only "
                          + "(Grobogan Pasal 12 ayat (1), Pemalang Pasal 12 ayat (2), Bungo Pasal 7 ayat (1), Jepara Lampiran B.2.b)")
        }
        var definition = WorkflowDefinition(
            id: WorkflowID(id), hash: hash, title: reader.string(root, "title", "") ?? "",
            regulation: regulation ?? Regulation(id: "", title: "", short: "", inForceFrom: CivilDate(daysSinceEpoch: 0)),
            article: reader.string(root, "article", "") ?? "", mode: mode ?? .penunjukan, scope: scope ?? .dalamUnitOrganisasi,
            states: readStates(reader.array(root, "states", ""), &reader), roles: [:], transitions: [], fieldKinds: [:])
        definition.transitions = readTransitions(reader.array(root, "transitions", ""), &reader)
        definition.fieldKinds = collectFieldKinds(definition.transitions, &reader)
        definition.roles = readRoles(root["roles"], fieldKinds: definition.fieldKinds, &reader)
        definition.checkTransitions(&reader)
        definition.checkNumberClashes(&reader)
        definition.checkTimers(&reader)
        definition.checkGraph(&reader)
        guard reader.problems.isEmpty else { throw InvalidDocument(source: source, problems: reader.problems) }
        return definition
    }

    /// The document as stored: its regulation id replaced by the regulation itself, so the
    /// stored definition (and its hash) pins the regulation text it was loaded with.
    /// - Returns: `nil` when the regulation is named by an id that `regulations` does not hold.
    public static func inliningRegulation(_ document: JSONValue, _ regulations: [String: Regulation]) -> JSONValue? {
        guard case .object(var members) = document, let id = members["regulation"]?.stringValue else { return document }
        guard let regulation = regulations[id] else { return nil }
        members["regulation"] = regulation.json
        return .object(members)
    }

    private static func readRegulation(_ value: JSONValue?, _ regulations: [String: Regulation], _ reader: inout DocumentReader) -> Regulation? {
        guard let value else {
            reader.report("regulation", "missing: every procedure names the regulation it implements")
            return nil
        }
        if let id = value.stringValue {
            guard let regulation = regulations[id] else {
                let known = regulations.keys.sorted()
                reader.report("regulation", "unknown regulation \"\(id)\"; "
                              + (known.isEmpty ? "no regulation file (\"format\": \"\(Regulation.format)\") was found beside the workflows"
                                               : "known: \(known.joined(separator: ", "))"))
                return nil
            }
            return regulation
        }
        return Regulation.read(value, path: "regulation", &reader)
    }

    private static func readStates(_ items: [JSONValue], _ reader: inout DocumentReader) -> [StateSpec] {
        var states: [StateSpec] = []
        for (offset, item) in items.enumerated() {
            var path = "states[\(offset)]"
            guard let members = reader.object(item, path) else { continue }
            if let id = members["id"]?.stringValue { path += " (\(id))" }
            reader.rejectUnknown(members, allowed: ["id", "label", "final", "description", "deadline", "ends", "assignment_accepted"], path)
            guard let id = reader.string(members, "id", path) else { continue }
            if !isIdentifier(id, allowing: "_") { reader.report("\(path).id", "\"\(id)\" may contain only lowercase letters, digits and '_'") }
            if states.contains(where: { $0.id == id }) { reader.report(path, "state \"\(id)\" is declared twice") }
            var state = StateSpec(id: id, label: reader.string(members, "label", path) ?? id, isFinal: reader.bool(members, "final", path))
            state.assignmentAccepted = reader.bool(members, "assignment_accepted", path)
            readTimers(members, path, into: &state, &reader)
            states.append(state)
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
            if let expression = readExpression(text, expected: .persons, fieldKinds: fieldKinds, path: "\(path).resolve", &reader) {
                roles[id] = RoleSpec(id: id, label: label, expression: expression)
            }
        }
        return roles
    }

    /// Parses a role expression and checks it denotes `expected`.
    private static func readExpression(_ text: String, expected: RoleExpression.ValueType, fieldKinds: [String: FieldKind],
                                       path: String, _ reader: inout DocumentReader) -> RoleExpression? {
        switch RoleExpression.parse(text) {
        case .failure(let error):
            reader.report(path, error.message)
            return nil
        case .success(let expression):
            if let problem = typeProblem(expression, expected: expected, fieldKinds: fieldKinds) {
                reader.report(path, problem)
                return nil
            }
            return expression
        }
    }

    /// Why an expression does not denote `expected`, or `nil` when it does.
    static func typeProblem(_ expression: RoleExpression, expected: RoleExpression.ValueType, fieldKinds: [String: FieldKind]) -> String? {
        let actual: RoleExpression.ValueType
        switch expression {
        case .field(let name):
            switch fieldKinds[name] {
            case .unit?: actual = .unit
            case .employee?, .employees?: actual = .persons
            case let kind?: return "field \"\(name)\" is \(kind.rawValue), not a unit or people"
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
            reader.rejectUnknown(members, allowed: ["action", "label", "from", "initial", "to", "by", "each", "article", "fields", "rules", "letter", "description"], path)
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
            transitions.append(Transition(
                action: action, label: reader.string(members, "label", path) ?? action, from: from,
                to: reader.string(members, "to", path) ?? "", by: reader.string(members, "by", path) ?? "",
                each: reader.bool(members, "each", path), article: article,
                fields: readFields(reader.array(members, "fields", path, required: false), transitionArticle: article, path: "\(path).fields", &reader),
                rules: readRules(reader.array(members, "rules", path, required: false), transitionArticle: article, path: "\(path).rules", &reader),
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
            reader.rejectUnknown(members, allowed: ["name", "kind", "label", "required", "article", "unit_kinds", "default", "within",
                                                    "position_kinds", "relations", "max_length", "description"], fieldPath)
            guard let name = reader.string(members, "name", fieldPath), let kind = reader.enumValue(members, "kind", fieldPath, as: FieldKind.self) else { continue }
            if name == RuleSpec.quotaField { reader.report("\(fieldPath).name", "\"\(name)\" is bound by the engine for a quota rule; choose another name") }
            if fields.contains(where: { $0.name == name }) { reader.report(fieldPath, "field \"\(name)\" is declared twice") }
            var defaultValue: FieldSpec.Default?
            if let text = reader.string(members, "default", fieldPath, required: false) {
                switch (FieldSpec.Default(rawValue: text), kind) {
                case (.unitHeadedByActor?, .unit), (.actor?, .employee): defaultValue = FieldSpec.Default(rawValue: text)
                default: reader.report("\(fieldPath).default", "unknown default \"\(text)\"; a unit field may default to \"unit_headed_by_actor\", an employee field to \"actor\"")
                }
            }
            var maxLength = 4000
            if members["max_length"] != nil { maxLength = reader.positiveInteger(members, "max_length", fieldPath) ?? maxLength }
            var relations: [Relation] = []
            if let value = members["relations"], let table = reader.object(value, "\(fieldPath).relations") {
                for (kindName, other) in table.sorted(by: { $0.key < $1.key }) {
                    guard let relationKind = Relation.Kind(rawValue: kindName) else {
                        reader.report("\(fieldPath).relations", "\"\(kindName)\" is not a relation; known: \(Relation.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                        continue
                    }
                    guard let otherName = other.stringValue else {
                        reader.report("\(fieldPath).relations.\(kindName)", "expected the name of another field")
                        continue
                    }
                    relations.append(Relation(kind: relationKind, other: otherName))
                }
            }
            let unitOnly = ["unit_kinds"].filter { members[$0] != nil }
            if kind != .unit, !unitOnly.isEmpty { reader.report(fieldPath, "\(unitOnly.joined(separator: ", ")) apply only to unit fields") }
            let peopleOnly = ["within", "position_kinds"].filter { members[$0] != nil }
            if !kind.namesPeople, !peopleOnly.isEmpty { reader.report(fieldPath, "\(peopleOnly.joined(separator: ", ")) apply only to employee and employees fields") }
            if (kind == .text || kind == .period), !relations.isEmpty { reader.report("\(fieldPath).relations", "relations apply only to unit and employee fields") }
            fields.append(FieldSpec(
                name: name, kind: kind, label: reader.string(members, "label", fieldPath) ?? name,
                required: reader.bool(members, "required", fieldPath),
                article: reader.string(members, "article", fieldPath, required: false) ?? transitionArticle,
                unitKinds: reader.enumValues(members, "unit_kinds", fieldPath, as: Directory.UnitKind.self),
                defaultValue: defaultValue, within: reader.string(members, "within", fieldPath, required: false),
                positionKinds: reader.enumValues(members, "position_kinds", fieldPath, as: Directory.PositionKind.self),
                relations: relations, maxLength: maxLength))
        }
        return fields
    }

    private static func readRules(_ items: [JSONValue], transitionArticle: String, path: String, _ reader: inout DocumentReader) -> [RuleSpec] {
        var rules: [RuleSpec] = []
        for (offset, item) in items.enumerated() {
            var rulePath = "\(path)[\(offset)]"
            guard let members = reader.object(item, rulePath) else { continue }
            if let name = members["rule"]?.stringValue { rulePath += " (\(name))" }
            guard let name = reader.string(members, "rule", rulePath) else { continue }
            let common = ["rule", "strength", "article", "description"]
            let strength = members["strength"] == nil ? .mandatory : reader.enumValue(members, "strength", rulePath, as: RuleSpec.Strength.self) ?? .mandatory
            guard let article = reader.string(members, "article", rulePath) else { continue }
            let kind: RuleSpec.Kind?
            switch name {
            case "lead_from_unit":
                reader.rejectUnknown(members, allowed: common + ["lead", "unit", "members"], rulePath)
                kind = zip3(reader.string(members, "lead", rulePath), reader.string(members, "unit", rulePath), reader.string(members, "members", rulePath))
                    .map { .leadFromUnit(lead: $0, unit: $1, members: $2) }
            case "lead_not_pppk":
                reader.rejectUnknown(members, allowed: common + ["lead", "except_rsud"], rulePath)
                kind = reader.string(members, "lead", rulePath).map { .leadNotContract(lead: $0, exceptHospital: reader.bool(members, "except_rsud", rulePath)) }
            case "lead_is_pengawas":
                reader.rejectUnknown(members, allowed: common + ["lead", "unit", "when"], rulePath)
                let condition = reader.enumValue(members, "when", rulePath, as: RuleSpec.StructureCondition.self)
                kind = zip3(reader.string(members, "lead", rulePath), reader.string(members, "unit", rulePath), condition)
                    .map { .leadIsSupervisor(lead: $0, unit: $1, when: $2) }
            case "lead_is_nonmanajerial":
                reader.rejectUnknown(members, allowed: common + ["lead", "unit", "when", "basis"], rulePath)
                let condition = reader.enumValue(members, "when", rulePath, as: RuleSpec.StructureCondition.self)
                let basis = reader.string(members, "basis", rulePath, required: false)
                kind = zip3(reader.string(members, "lead", rulePath), reader.string(members, "unit", rulePath), condition)
                    .map { .leadIsNonmanagerial(lead: $0, unit: $1, when: $2, basis: basis) }
            case "quota":
                reader.rejectUnknown(members, allowed: common + ["unit", "states"], rulePath)
                let states = reader.strings(members, "states", rulePath) ?? []
                if states.isEmpty { reader.report("\(rulePath).states", "name the states in which a request counts against the quota") }
                kind = reader.string(members, "unit", rulePath).flatMap { text in
                    switch RoleExpression.parse(text) {
                    case .success(let expression): return .quota(unit: expression, states: states)
                    case .failure(let error):
                        reader.report("\(rulePath).unit", error.message)
                        return nil
                    }
                }
            default:
                reader.report("\(rulePath).rule", "unknown rule \"\(name)\"; known: lead_from_unit, lead_not_pppk, lead_is_pengawas, lead_is_nonmanajerial, quota")
                kind = nil
            }
            if let kind { rules.append(RuleSpec(kind: kind, strength: strength, article: article)) }
        }
        return rules
    }

    private static func zip3<A, B, C>(_ a: A?, _ b: B?, _ c: C?) -> (A, B, C)? {
        guard let a, let b, let c else { return nil }
        return (a, b, c)
    }

    private static func readLetter(_ value: JSONValue?, path: String, _ reader: inout DocumentReader) -> LetterSpec? {
        guard let value, let members = reader.object(value, path) else { return nil }
        reader.rejectUnknown(members, allowed: ["type", "label", "register", "number", "numbering", "signer", "on_behalf_of", "klasifikasi", "subject", "cc", "addressee", "assigned", "assigned_heading", "contents_heading", "requires", "cites"], path)
        var numbering = LetterSpec.Numbering.register
        if let name = reader.string(members, "numbering", path, required: false) {
            if let known = LetterSpec.Numbering(rawValue: name) { numbering = known } else {
                reader.report("\(path).numbering", "\"\(name)\" is not a numbering; use \(LetterSpec.Numbering.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
            }
        }
        guard let type = reader.string(members, "type", path), let label = reader.string(members, "label", path) else { return nil }
        var expression: RoleExpression?
        var template = ""
        if numbering == .none {
            // A letter an employee writes takes no number: nothing of a register may be given.
            for (key, what) in [("register", "draws from no register"), ("number", "prints no number template"), ("klasifikasi", "carries no kode klasifikasi (it is part of a number)")]
            where members[key] != nil {
                reader.report("\(path).\(key)", "a letter with \"numbering\": \"none\" is not numbered and \(what): remove \"\(key)\"")
            }
        } else {
            guard let register = reader.string(members, "register", path),
                  let given = reader.string(members, "number", path, required: numbering != .external) ?? (numbering == .external ? "" : nil) else { return nil }
            guard case .success(let parsed) = RoleExpression.parse(register) else {
                reader.report("\(path).register", "\"\(register)\" is not an expression such as department_of(target_unit)")
                return nil
            }
            expression = parsed
            template = given
        }
        var spec = LetterSpec(type: type, label: label, register: expression, numberTemplate: template)
        spec.numbering = numbering
        spec.signer = reader.string(members, "signer", path, required: false)
        spec.onBehalfOf = reader.string(members, "on_behalf_of", path, required: false)
        spec.klasifikasi = reader.string(members, "klasifikasi", path, required: false)
        spec.subject = reader.string(members, "subject", path, required: false)
        spec.assigned = reader.string(members, "assigned", path, required: false)
        spec.assignedHeading = reader.string(members, "assigned_heading", path, required: false)
        spec.contentsHeading = reader.string(members, "contents_heading", path, required: false)
        spec.cites = reader.string(members, "cites", path, required: false)
        if spec.assignedHeading != nil && spec.assigned == nil {
            reader.report("\(path).assigned_heading", "a heading of the list of people needs \"assigned\", the field naming them")
        }
        let placeholders = LetterNumber.placeholders(in: template)
        guard numbering != .none, numbering != .external || !template.isEmpty else { return readCopiesAndRequirements(members, path, into: spec, &reader) }
        for unknown in placeholders where !LetterNumber.knownPlaceholders.contains(unknown) {
            reader.report("\(path).number", "unknown placeholder {\(unknown)}; known: \(LetterNumber.knownPlaceholders.sorted().map { "{\($0)}" }.joined(separator: ", "))")
        }
        if !placeholders.contains("seq") { reader.report("\(path).number", "the template must contain {seq}, or two letters would share a number") }
        if placeholders.contains("klasifikasi") && spec.klasifikasi == nil {
            reader.report("\(path).number", "the template uses {klasifikasi}: give the letter's \"klasifikasi\" code")
        }
        return readCopiesAndRequirements(members, path, into: spec, &reader)
    }

    /// A tembusan or an addressee: `{"label": …, "resolve": person expression}`.
    private static func readOffice(_ item: JSONValue, _ path: String, _ reader: inout DocumentReader) -> LetterSpec.CopySpec? {
        guard let office = reader.object(item, path) else { return nil }
        reader.rejectUnknown(office, allowed: ["label", "resolve"], path)
        guard let label = reader.string(office, "label", path), let text = reader.string(office, "resolve", path) else { return nil }
        switch RoleExpression.parse(text) {
        case .success(let parsed): return LetterSpec.CopySpec(label: label, expression: parsed)
        case .failure(let error):
            reader.report("\(path).resolve", error.message)
            return nil
        }
    }

    private static func readCopiesAndRequirements(_ members: [String: JSONValue], _ path: String, into letter: LetterSpec,
                                                  _ reader: inout DocumentReader) -> LetterSpec {
        var spec = letter
        for (offset, item) in reader.array(members, "cc", path, required: false).enumerated() {
            if let copy = readOffice(item, "\(path).cc[\(offset)]", &reader) { spec.cc.append(copy) }
        }
        if let item = members["addressee"] { spec.addressee = readOffice(item, "\(path).addressee", &reader) }
        for (offset, item) in reader.array(members, "requires", path, required: false).enumerated() {
            let itemPath = "\(path).requires[\(offset)]"
            guard let requirement = reader.object(item, itemPath) else { continue }
            reader.rejectUnknown(requirement, allowed: ["field", "article"], itemPath)
            guard let field = reader.string(requirement, "field", itemPath), let article = reader.string(requirement, "article", itemPath) else { continue }
            spec.requires.append(LetterSpec.Requirement(field: field, article: article))
        }
        return spec
    }

    /// The request's field vocabulary; a name must keep one kind across transitions.
    /// Each field's label where a transition first declares it.
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
            if transition.rules.contains(where: { if case .quota = $0.kind { true } else { false } }) {
                kinds[RuleSpec.quotaField] = .unit
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
            if !transition.by.isEmpty { checkRole(transition.by, "\(path).by", &reader) }
            for source in transition.from.isEmpty ? ["(start)"] : transition.from {
                if !seen.insert("\(transition.action)@\(source)").inserted {
                    reader.report(path, "duplicate transition: action \"\(transition.action)\" from \(source == "(start)" ? "the start" : "state \"\(source)\"") is declared twice")
                }
            }
            if transition.each, let role = roles[transition.by], case .call = role.expression {
                reader.report("\(path).each", "\"each\" needs a role that is a list of people named in the request (such as nominees), not an office")
            }
            for field in transition.fields {
                let fieldPath = "\(path).fields (\(field.name))"
                if let within = field.within, fieldKinds[within] != .unit {
                    reader.report("\(fieldPath).within", "\"\(within)\" is not a unit field of this workflow")
                }
                for relation in field.relations where fieldKinds[relation.other] != .unit && fieldKinds[relation.other] != .employee {
                    reader.report("\(fieldPath).relations.\(relation.kind.rawValue)", "\"\(relation.other)\" is not a unit or employee field of this workflow")
                }
            }
            for rule in transition.rules {
                let rulePath = "\(path).rules (\(rule.kind.name))"
                switch rule.kind {
                case .leadFromUnit(let lead, let unit, let members):
                    checkField(lead, [.employee], rulePath, "lead", &reader)
                    checkField(unit, [.unit], rulePath, "unit", &reader)
                    checkField(members, [.employees], rulePath, "members", &reader)
                case .leadNotContract(let lead, _):
                    checkField(lead, [.employee], rulePath, "lead", &reader)
                case .leadIsSupervisor(let lead, let unit, _):
                    checkField(lead, [.employee], rulePath, "lead", &reader)
                    checkField(unit, [.unit], rulePath, "unit", &reader)
                case .leadIsNonmanagerial(let lead, let unit, _, let basis):
                    checkField(lead, [.employee], rulePath, "lead", &reader)
                    checkField(unit, [.unit], rulePath, "unit", &reader)
                    if let basis { checkField(basis, [.text], rulePath, "basis", &reader) }
                case .quota(let unit, let counted):
                    if let problem = WorkflowDefinition.typeProblem(unit, expected: .unit, fieldKinds: fieldKinds) {
                        reader.report("\(rulePath).unit", problem)
                    }
                    for state in counted where !stateIDs.contains(state) { reader.report("\(rulePath).states", "unknown state \"\(state)\"") }
                    if !transition.isInitial { reader.report(rulePath, "a quota is checked when a request is opened: put it on an initial transition") }
                }
            }
            if let letter = transition.letter {
                checkLetter(letter, "\(path).letter", &reader)
                // An unnumbered letter cannot take a number given elsewhere either.
                let numberFields = [LetterSpec.externalNumberField, LetterSpec.externalDateField]
                for (offset, field) in transition.fields.enumerated() where letter.numbering == .none && numberFields.contains(field.name) {
                    reader.report("\(path).fields[\(offset)].name", "\"\(field.name)\" gives a letter number, but the \(letter.label) has \"numbering\": \"none\"")
                }
            }
        }
    }

    /// A role the workflow uses must be declared; one declared with a wrong expression was reported
    /// where it is declared, and is not reported again at every use.
    private func checkRole(_ role: String, _ path: String, _ reader: inout DocumentReader) {
        guard roles[role] == nil, !reader.problems.contains(where: { $0.path.hasPrefix("roles.\(role).") }) else { return }
        reader.report(path, "unknown role \"\(role)\"; declared roles: \(roles.keys.sorted().joined(separator: ", "))")
    }

    /// A letter's register, signer, copy holders and required fields against the workflow's roles and fields.
    private func checkLetter(_ letter: LetterSpec, _ path: String, _ reader: inout DocumentReader) {
        if let register = letter.register, let problem = WorkflowDefinition.typeProblem(register, expected: .unit, fieldKinds: fieldKinds) {
            reader.report("\(path).register", problem)
        }
        for (key, role) in [("signer", letter.signer), ("on_behalf_of", letter.onBehalfOf)] {
            if let role { checkRole(role, "\(path).\(key)", &reader) }
        }
        let offices = letter.cc.enumerated().map { ("\(path).cc[\($0.offset)]", $0.element) } + [letter.addressee].compactMap { $0 }.map { ("\(path).addressee", $0) }
        for (officePath, office) in offices {
            if let problem = WorkflowDefinition.typeProblem(office.expression, expected: .persons, fieldKinds: fieldKinds) {
                reader.report("\(officePath).resolve", problem)
            }
        }
        if let assigned = letter.assigned { checkField(assigned, [.employee, .employees], path, "assigned", &reader) }
        for (offset, requirement) in letter.requires.enumerated() where fieldKinds[requirement.field] == nil {
            reader.report("\(path).requires[\(offset)].field", "\"\(requirement.field)\" is not a field any transition declares")
        }
        let types = transitions.compactMap { $0.letter?.type }
        if let cited = letter.cites, !types.contains(cited) {
            var known: [String] = []
            for type in types where !known.contains(type) { known.append(type) }
            reader.report("\(path).cites", "\"\(cited)\" is not a letter type this workflow issues; its letters: \(known.joined(separator: ", "))")
        }
    }

    private func checkField(_ name: String, _ kinds: [FieldKind], _ path: String, _ key: String, _ reader: inout DocumentReader) {
        guard let kind = fieldKinds[name] else {
            reader.report("\(path).\(key)", "\"\(name)\" is not a field any transition declares")
            return
        }
        if !kinds.contains(kind) { reader.report("\(path).\(key)", "field \"\(name)\" is \(kind.rawValue), expected \(kinds.map(\.rawValue).joined(separator: " or "))") }
    }

    /// Two letters of this workflow whose numbers are certain to clash: one register unit, one
    /// template without `{klasifikasi}`, two series. (Across workflows, where the units may differ,
    /// `workflows check` only warns.)
    private func checkNumberClashes(_ reader: inout DocumentReader) {
        let letters = registerLetters
        for (offset, later) in letters.enumerated() {
            guard let earlier = letters[..<offset].first(where: { $0.letter.register == later.letter.register && $0.printsSameNumbers(as: later) }) else { continue }
            reader.report(later.path, "the \(later.described) prints the same numbers as the \(earlier.described) from the same register unit "
                          + "(\(later.letter.register.map(String.init(describing:)) ?? "")) but another series (\(later.series), \(earlier.series)): "
                          + "its number is always taken already and refused at run time; put {klasifikasi} in the templates or make them differ")
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

    /// Reads a state's `deadline` and `ends`.
    private static func readTimers(_ members: [String: JSONValue], _ path: String, into state: inout StateSpec, _ reader: inout DocumentReader) {
        if let deadline = reader.object(members["deadline"], "\(path).deadline") {
            let deadlinePath = "\(path).deadline"
            reader.rejectUnknown(deadline, allowed: ["working_days", "article", "escalate_to"], deadlinePath)
            let days = reader.positiveInteger(deadline, "working_days", deadlinePath)
            if deadline["working_days"] == nil { reader.report("\(deadlinePath).working_days", "missing") }
            if let days, days > 250 { reader.report("\(deadlinePath).working_days", "\(days) working days is more than a year") }
            let article = reader.string(deadline, "article", deadlinePath)
            if let days, let article {
                state.deadline = DeadlineSpec(workingDays: days, article: article, escalateTo: reader.string(deadline, "escalate_to", deadlinePath, required: false))
            }
        }
        if let ends = reader.object(members["ends"], "\(path).ends") {
            reader.rejectUnknown(ends, allowed: ["field", "article"], "\(path).ends")
            if let field = reader.string(ends, "field", "\(path).ends"), let article = reader.string(ends, "article", "\(path).ends") {
                state.ends = EndSpec(field: field, article: article)
            }
        }
    }

    /// Deadlines escalate to declared roles; an assignment ends with a period field, in a final state.
    private func checkTimers(_ reader: inout DocumentReader) {
        for (offset, state) in states.enumerated() {
            let path = "states[\(offset)] (\(state.id))"
            if let role = state.deadline?.escalateTo { checkRole(role, "\(path).deadline.escalate_to", &reader) }
            if state.deadline != nil && state.isFinal {
                reader.report("\(path).deadline", "a final state has no next step to be due")
            }
            if let ends = state.ends {
                if fieldKinds[ends.field] != .period {
                    reader.report("\(path).ends.field", "\"\(ends.field)\" is not a period field of this workflow")
                }
                if !state.isFinal { reader.report("\(path).ends", "only a final state (the assignment in force) can end") }
            }
        }
    }

    private static func isIdentifier(_ text: String, allowing extra: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || extra.unicodeScalars.contains($0) }
    }
}

extension DocumentReader {
    /// One of an enumeration's raw values.
    mutating func enumValue<Value: RawRepresentable & CaseIterable>(_ members: [String: JSONValue], _ key: String, _ path: String,
                                                                   as type: Value.Type) -> Value? where Value.RawValue == String {
        guard let text = string(members, key, path) else { return nil }
        guard let value = Value(rawValue: text) else {
            report(join(path, key), "\"\(text)\" is not one of: \(Value.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return value
    }
}
