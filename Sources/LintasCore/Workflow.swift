/// A procedure of a regulation as an explicit state machine, read from a workflow file.
///
/// What differs between regulations (who acts, in which order, which article, which
/// letter, which rules bind and how strongly) lives here as data; the engine that runs it
/// is the same for all. Reading and validation: `WorkflowDecoding.swift`.
public struct WorkflowDefinition: Sendable {
    public var id: WorkflowID { shared.members.id }
    /// The SHA-256 of the definition's canonical JSON (with its regulation inlined): the
    /// version a request is pinned to.
    public var hash: DefinitionHash { shared.members.hash }
    public var title: String { shared.members.title }
    public var regulation: Regulation { shared.members.regulation }
    /// The article that prescribes the whole procedure, e.g. `Pasal 11 ayat (4)`.
    public var article: String { shared.members.article }
    public var mode: Mode { shared.members.mode }
    public var scope: Scope { shared.members.scope }
    public var states: [StateSpec] { shared.members.states }
    public var roles: [String: RoleSpec] {
        get { shared.members.roles }
        set { change { $0.roles = newValue } }
    }
    public var transitions: [Transition] {
        get { shared.members.transitions }
        set { change { $0.transitions = newValue } }
    }
    /// Every field any transition declares, by name: the request's vocabulary.
    public var fieldKinds: [String: FieldKind] {
        get { shared.members.fieldKinds }
        set { change { $0.fieldKinds = newValue } }
    }
    /// The label of each field where a transition first declares it, by name (`label(ofField:)`):
    /// kept with the transitions, so a change of them cannot leave it stale.
    var fieldLabels: [String: String] { shared.members.fieldLabels }
    /// The label and kind of each of `LetterDraft.requestContents`, in that order: what a letter's
    /// request part writes of them, looked up by name once (`Members.derive`), not for every letter.
    var requestContentFields: [(label: String, kind: FieldKind?)] { shared.members.requestContentFields }
    /// The fields that name people, with their kinds (`PersonFields`): what a role expression and a
    /// relation ask of a field's kind, found once rather than looked up by name for every command.
    var personFields: PersonFields { shared.members.kinds.personFields }

    private struct Members: Sendable {
        var id: WorkflowID
        var hash: DefinitionHash
        var title: String
        var regulation: Regulation
        var article: String
        var mode: Mode
        var scope: Scope
        var states: [StateSpec]
        var roles: [String: RoleSpec]
        var transitions: [Transition]
        var fieldKinds: [String: FieldKind]
        // Derived from the members above (`derive`), made again whenever one of them changes.
        var fieldLabels: [String: String] = [:]
        var transitionRoles: [RoleSpec?] = []
        var transitionCitations: [String] = []
        var letterRoles: [(signer: RoleSpec?, onBehalfOf: RoleSpec?)] = []
        var letterRequestPositions: [[Int?]] = []
        var letterFields: [[(name: String, length: Int)]] = []
        var requestContentFields: [(label: String, kind: FieldKind?)] = []
        var kinds = FieldKinds([:])

        /// Finds the members looked up by name on every command once: the labels of the fields, the
        /// role of each transition, its article cited and the roles of its letter and where its letter's required fields
        /// stand among the request fields and the fields its frame reads, the label and kind of each request content, the fields that name people.
        mutating func derive() {
            fieldLabels = WorkflowDefinition.fieldLabels(of: transitions)
            transitionRoles = transitions.map { roles[$0.by] }
            transitionCitations = transitions.map { [regulation] in WorkflowDefinition.cite($0.article, regulation) }
            letterRoles = transitions.map { [roles] transition in
                (transition.letter?.signer.flatMap { roles[$0] }, transition.letter?.onBehalfOf.flatMap { roles[$0] })
            }
            requestContentFields = LetterDraft.requestContents.map { [fieldLabels, fieldKinds] name in (fieldLabels[name] ?? name, fieldKinds[name]) }
            kinds = FieldKinds(fieldKinds)
            letterRequestPositions = transitions.map { transition in
                (transition.letter?.requires ?? []).map { LetterDraft.requestFields.firstIndex(of: $0.field) }
            }
            letterFields = transitions.map { transition in
                let frame = transition.letter.map { $0.cc.map(\.expression.field) + ($0.addressee.map { [$0.expression.field] } ?? []) } ?? []
                return (LetterDraft.requestFields + frame).map { ($0, $0.utf8.count) }
            }
        }
    }
    /// The members, shared by every copy (`SharedMembers`).
    private var shared: SharedMembers<Members>

    init(id: WorkflowID, hash: DefinitionHash, title: String, regulation: Regulation, article: String, mode: Mode, scope: Scope,
         states: [StateSpec], roles: [String: RoleSpec], transitions: [Transition], fieldKinds: [String: FieldKind]) {
        var members = Members(id: id, hash: hash, title: title, regulation: regulation, article: article, mode: mode, scope: scope,
                              states: states, roles: roles, transitions: transitions, fieldKinds: fieldKinds)
        members.derive()
        shared = SharedMembers(members)
    }

    private mutating func change(_ body: (inout Members) -> Void) { shared.change { body(&$0); $0.derive() } }

    /// The role the transition at `index` of `transitions` names (`by`): looked up by name once,
    /// when the definition is read (or its roles or transitions change), not for every command.
    func role(ofTransition index: Int) -> RoleSpec? { shared.members.transitionRoles[index] }

    /// The full citation of the article of the transition at `index` (`cite(transitions[index].article)`):
    /// written once a definition, as `role(ofTransition:)`, not for every event.
    func citation(ofTransition index: Int) -> String { shared.members.transitionCitations[index] }

    /// The roles the letter of the transition at `index` names as its signer and as the office it signs
    /// for (`LetterSpec.signer`, `onBehalfOf`), `nil` where it names none: looked up by name once, as `role(ofTransition:)`.
    func letterRoles(ofTransition index: Int) -> (signer: RoleSpec?, onBehalfOf: RoleSpec?) { shared.members.letterRoles[index] }

    /// Where each field the letter of the transition at `index` requires (`LetterSpec.requires`, in
    /// that order) stands in `LetterDraft.requestFields`, `nil` for a field not among them: found once.
    func requestPositions(ofLetterRequirements index: Int) -> [Int?] { shared.members.letterRequestPositions[index] }

    /// The request fields a letter of the transition at `index` reads, with their lengths in UTF-8
    /// (`LetterDraft.lookUp`): `LetterDraft.requestFields`, then those its frame reads
    /// (`LetterDraft.frameFieldValues`: its tembusan's, `LetterSpec.cc`, in that order, then its addressee's); found once.
    func letterFields(ofTransition index: Int) -> [(name: String, length: Int)] { shared.members.letterFields[index] }

    private static func fieldLabels(of transitions: [Transition]) -> [String: String] {
        var labels: [String: String] = [:]
        for transition in transitions {
            for field in transition.fields where labels[field.name] == nil { labels[field.name] = field.label }
        }
        return labels
    }

    /// How the assignment comes about.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// A superior appoints (penunjukan).
        case penunjukan
        /// The employee applies (pengajuan sukarela).
        case pengajuanSukarela = "pengajuan_sukarela"
        /// A head sets up a team (pembentukan tim kerja, satuan kerja / squad).
        case pembentukanTim = "pembentukan_tim"
    }

    /// How far the assignment reaches from the unit that owns the performance target.
    public enum Scope: String, Sendable, Hashable, CaseIterable {
        case dalamUnitKerja = "dalam_unit_kerja"
        case dalamUnitOrganisasi = "dalam_unit_organisasi"
        case dalamPerangkatDaerah = "dalam_perangkat_daerah"
        case lintasUnitKerja = "lintas_unit_kerja"
        case lintasUnitOrganisasi = "lintas_unit_organisasi"
        case lintasPerangkatDaerah = "lintas_perangkat_daerah"
        case lintasInstansi = "lintas_instansi"
    }

    public struct StateSpec: Sendable, Hashable {
        public var id: String
        public var label: String
        public var isFinal: Bool
        /// The next step is due within a number of working days of entering the state.
        public var deadline: DeadlineSpec? = nil
        /// The assignment is in force until the end of a period field; then the request ends (`ended`).
        public var ends: EndSpec? = nil
        /// The assignment is accepted in this state (`"assignment_accepted": true`): every assigned
        /// employee took it on. What `lintas export ekinerja` lists, with `ended`.
        public var assignmentAccepted: Bool = false
    }

    /// The states of an accepted assignment: those the workflow marks `assignment_accepted`, and
    /// `ended`, which a request reaches only from an accepted assignment whose period ran out.
    public var acceptedStates: Set<String> {
        Set(states.filter(\.assignmentAccepted).map(\.id)).union([Timers.endedState.id])
    }

    /// `"deadline": {"working_days": 5, "article": "…", "escalate_to": "role"}` on a state.
    public struct DeadlineSpec: Sendable, Hashable {
        public var workingDays: Int
        /// What sets the deadline (an article, or a local SOP), cited in the reminder.
        public var article: String
        /// The role told when the deadline passes, besides the reminder; the next office up.
        public var escalateTo: String?
    }

    /// `"ends": {"field": "duration", "article": "…"}` on a final state.
    public struct EndSpec: Sendable, Hashable {
        /// A `period` field whose end closes the assignment.
        public var field: String
        public var article: String
    }

    public struct RoleSpec: Sendable, Hashable {
        public var id: String
        public var label: String
        public var expression: RoleExpression
    }

    public struct Transition: Sendable, Hashable {
        public var action: String { _read { yield shared.members.action } set { shared.change { $0.action = newValue } } }
        public var label: String { _read { yield shared.members.label } set { shared.change { $0.label = newValue } } }
        /// The states the action may be taken in; empty for a transition that opens a request.
        public var from: [String] { _read { yield shared.members.from } set { shared.change { $0.from = newValue } } }
        public var isInitial: Bool { from.isEmpty }
        public var to: String { _read { yield shared.members.to } set { shared.change { $0.to = newValue } } }
        /// The role that acts.
        public var by: String { _read { yield shared.members.by } set { shared.change { $0.by = newValue } } }
        /// Every person of the role must act once; the state moves when the last one has.
        public var each: Bool { _read { yield shared.members.each } set { shared.change { $0.each = newValue } } }
        public var article: String { _read { yield shared.members.article } set { shared.change { $0.article = newValue } } }
        public var fields: [FieldSpec] { _read { yield shared.members.fields } set { shared.change { $0.fields = newValue } } }
        /// Rules of the regulation checked when the step is taken.
        public var rules: [RuleSpec] { _read { yield shared.members.rules } set { shared.change { $0.rules = newValue } } }
        public var letter: LetterSpec? { _read { yield shared.members.letter } set { shared.change { $0.letter = newValue } } }

        /// The members, shared by every copy (`SharedMembers`): a copy is one retain, not one per member.
        private struct Members: Sendable, Hashable {
            var action: String
            var label: String
            var from: [String]
            var to: String
            var by: String
            var each: Bool
            var article: String
            var fields: [FieldSpec]
            var rules: [RuleSpec]
            var letter: LetterSpec?
        }
        private var shared: SharedMembers<Members>

        init(action: String, label: String, from: [String], to: String, by: String, each: Bool, article: String, fields: [FieldSpec],
             rules: [RuleSpec], letter: LetterSpec?) {
            shared = SharedMembers(Members(action: action, label: label, from: from, to: to, by: by, each: each, article: article, fields: fields,
                                           rules: rules, letter: letter))
        }
    }

    public struct LetterSpec: Sendable, Hashable {
        /// e.g. `surat_penugasan`.
        public var type: String { _read { yield shared.members.type } set { shared.change { $0.type = newValue } } }
        /// e.g. `Surat Penugasan`.
        public var label: String { _read { yield shared.members.label } set { shared.change { $0.label = newValue } } }
        /// The unit whose register numbers the letter; `nil` for an unnumbered letter (`none`).
        public var register: RoleExpression? { _read { yield shared.members.register } set { shared.change { $0.register = newValue } } }
        /// e.g. `{klasifikasi}/{seq}/{unit}/{year}`; empty when the letter is numbered elsewhere or not at all.
        public var numberTemplate: String { _read { yield shared.members.numberTemplate } set { shared.change { $0.numberTemplate = newValue } } }
        /// Who numbers the letter: lintas's register, another system (SRIKANDI) whose number the
        /// command carries, either, or nobody (a letter an employee writes).
        public var numbering: Numbering { _read { yield shared.members.numbering } set { shared.change { $0.numbering = newValue } } }
        /// The role (of this workflow) whose officeholder signs the letter; the actor when absent.
        public var signer: String? { _read { yield shared.members.signer } set { shared.change { $0.signer = newValue } } }
        /// The role of the office the signer signs for ("a.n."), when the signer signs on a superior's behalf.
        public var onBehalfOf: String? { _read { yield shared.members.onBehalfOf } set { shared.change { $0.onBehalfOf = newValue } } }
        /// The records classification code (kode klasifikasi arsip), e.g. `800.1.11.1`: `{klasifikasi}` in the template.
        public var klasifikasi: String? { _read { yield shared.members.klasifikasi } set { shared.change { $0.klasifikasi = newValue } } }
        /// The subject (perihal); the label when absent.
        public var subject: String? { _read { yield shared.members.subject } set { shared.change { $0.subject = newValue } } }
        /// The tembusan, in the order the regulation lists them.
        public var cc: [CopySpec] { _read { yield shared.members.cc } set { shared.change { $0.cc = newValue } } }
        /// To whom a surat is addressed (`Kepada Yth.`) where the regulation names the recipient: a
        /// label and a person expression, resolved to the office those people hold.
        public var addressee: CopySpec? { _read { yield shared.members.addressee } set { shared.change { $0.addressee = newValue } } }
        /// The field naming the people the letter assigns (listed in its body).
        public var assigned: String? { _read { yield shared.members.assigned } set { shared.change { $0.assigned = newValue } } }
        /// What the letter says before its list of people when it does not assign them itself (a reply
        /// listing the names approved, `DAFTAR NAMA …`) or assigns them in other words (`MEMUTUSKAN`).
        /// Absent: an assignment, `MENUGASKAN:` and the closing sentence of an assignment.
        public var assignedHeading: String? { _read { yield shared.members.assignedHeading } set { shared.change { $0.assignedHeading = newValue } } }
        /// What the letter says before the request's contents, e.g. `Memperhatikan pengajuan sukarela`.
        /// Absent: `Memperhatikan permohonan pelibatan` when a letter of the request came before
        /// (or the request quotes its own letter), else `Dengan rincian sebagai berikut`.
        public var contentsHeading: String? { _read { yield shared.members.contentsHeading } set { shared.change { $0.contentsHeading = newValue } } }
        /// Request fields the letter cannot be issued without, each with the article that demands it.
        public var requires: [Requirement] { _read { yield shared.members.requires } set { shared.change { $0.requires = newValue } } }
        /// The type of the earlier letter of the request this letter cites under *Dasar* (e.g. the
        /// surat permohonan a reply answers): the latest letter of that type the request has, else
        /// the letter of its first step. The engine issued it, so its number and date come from the log.
        public var cites: String? { _read { yield shared.members.cites } set { shared.change { $0.cites = newValue } } }

        public enum Numbering: String, Sendable, Hashable, CaseIterable {
            /// The next number of the register, drawn when the step is decided.
            case register
            /// The number another system gave (e.g. SRIKANDI), carried by the command as `letter_number`.
            case external
            /// The command's `letter_number` when it carries one, else the register's next number.
            case either
            /// No number: a letter an employee writes and signs (Grobogan Pasal 12 ayat (3) huruf a, Jepara
            /// Lampiran B.2.b.2) huruf a)) is not an office's letter and takes nothing from a register.
            case none
        }

        /// The command data members that carry a number given elsewhere and, optionally, its date.
        public static let externalNumberField = "letter_number"
        public static let externalDateField = "letter_date"

        /// One copy holder (tembusan): a label as the letter prints it and who that is.
        public struct CopySpec: Sendable, Hashable {
            public var label: String
            public var expression: RoleExpression
        }

        /// A field the letter must carry, and the article that says so.
        public struct Requirement: Sendable, Hashable {
            public var field: String
            public var article: String
        }

        /// The members, shared by every copy (`SharedMembers`): a copy is one retain, not one per member.
        private struct Members: Sendable, Hashable {
            var type: String
            var label: String
            var register: RoleExpression?
            var numberTemplate: String
            var numbering: Numbering
            var signer: String?
            var onBehalfOf: String?
            var klasifikasi: String?
            var subject: String?
            var cc: [CopySpec]
            var addressee: CopySpec?
            var assigned: String?
            var assignedHeading: String?
            var contentsHeading: String?
            var requires: [Requirement]
            var cites: String?
        }
        private var shared: SharedMembers<Members>

        init(type: String, label: String, register: RoleExpression?, numberTemplate: String, numbering: Numbering = .register, signer: String? = nil,
             onBehalfOf: String? = nil, klasifikasi: String? = nil, subject: String? = nil, cc: [CopySpec] = [], addressee: CopySpec? = nil,
             assigned: String? = nil, assignedHeading: String? = nil, contentsHeading: String? = nil, requires: [Requirement] = [],
             cites: String? = nil) {
            shared = SharedMembers(Members(type: type, label: label, register: register, numberTemplate: numberTemplate, numbering: numbering,
                                           signer: signer, onBehalfOf: onBehalfOf, klasifikasi: klasifikasi, subject: subject, cc: cc,
                                           addressee: addressee, assigned: assigned, assignedHeading: assignedHeading,
                                           contentsHeading: contentsHeading, requires: requires, cites: cites))
        }
    }

    /// A declared state, or `ended`, which every workflow has once an assignment runs out (`Timers`).
    public func state(_ id: String) -> StateSpec? {
        states.first { $0.id == id } ?? (id == Timers.endedState.id ? Timers.endedState : nil)
    }

    public func isFinal(_ state: String) -> Bool { self.state(state)?.isFinal ?? false }

    /// The transitions that may be taken in a state.
    public func transitions(from state: String) -> [Transition] {
        transitions.filter { $0.from.contains(state) }
    }

    /// A full citation: `Pasal 11 ayat (4) huruf d Perbup Pemalang 38/2023`.
    public func cite(_ article: String) -> String { Self.cite(article, regulation) }

    private static func cite(_ article: String, _ regulation: Regulation) -> String { "\(article) \(regulation.short)" }

    /// The context role expressions of this workflow are evaluated in.
    public func roleContext(fields: [String: JSONValue], directory: Directory, on date: CivilDate) -> RoleContext {
        RoleContext(fields: fields, kinds: shared.members.kinds, directory: directory, date: date, appraisers: regulation.appraisers)
    }
}

/// A definition's field kinds with the fields among them that name people (`PersonFields`), found
/// once: a role context holds them as one reference.
final class FieldKinds: Sendable {
    let kinds: [String: FieldKind]
    let personFields: PersonFields

    init(_ kinds: [String: FieldKind]) {
        self.kinds = kinds
        personFields = PersonFields(kinds)
    }
}

/// The fields of a definition that name people (`FieldKind.namesPeople`) and the kind of each: a
/// handful, found by comparing names in a short list, not by hashing the name into the kinds of every field.
struct PersonFields: Sendable {
    /// One array: a copy (a role context's) is one retain.
    private var fields: [(name: String, kind: FieldKind)] = []

    init(_ fieldKinds: [String: FieldKind]) {
        for (name, kind) in fieldKinds where kind.namesPeople { fields.append((name, kind)) }
    }

    /// The kind of the field `name` when it names people (`employee` or `employees`), else `nil`.
    /// Names compared by their lengths first, which tells most different names apart without
    /// comparing their characters (`==` on two different short names does).
    func kind(of name: String) -> FieldKind? {
        fields.first { name.utf8.count == $0.name.utf8.count && name == $0.name }?.kind
    }
}

public enum FieldKind: String, Sendable, Hashable, CaseIterable {
    /// Free text, such as the purpose of a request or the reason of a refusal.
    case text
    /// A period: `{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}`.
    case period
    /// A unit of the org directory, by id.
    case unit
    /// One employee, by NIP.
    case employee
    /// A list of employees, by NIP.
    case employees

    /// Whether the field names people (and so can be a role, or have a unit).
    public var namesPeople: Bool { self == .employee || self == .employees }
}

/// A field a command carries for one transition, and how it is checked.
public struct FieldSpec: Sendable, Hashable {
    public var name: String { _read { yield shared.members.name } set { shared.change { $0.name = newValue } } }
    public var kind: FieldKind { _read { yield shared.members.kind } set { shared.change { $0.kind = newValue } } }
    public var label: String { _read { yield shared.members.label } set { shared.change { $0.label = newValue } } }
    public var required: Bool { _read { yield shared.members.required } set { shared.change { $0.required = newValue } } }
    /// The article that demands the field; the transition's article when the file names none.
    public var article: String { _read { yield shared.members.article } set { shared.change { $0.article = newValue } } }
    /// For `unit`: the kinds of unit allowed.
    public var unitKinds: [Directory.UnitKind] { _read { yield shared.members.unitKinds } set { shared.change { $0.unitKinds = newValue } } }
    /// What the engine binds when the command leaves the field out.
    public var defaultValue: Default? { _read { yield shared.members.defaultValue } set { shared.change { $0.defaultValue = newValue } } }
    /// For `employees`: each must sit within the unit in this field.
    public var within: String? { _read { yield shared.members.within } set { shared.change { $0.within = newValue } } }
    /// For `employee` and `employees`: the position kinds allowed.
    public var positionKinds: [Directory.PositionKind] { _read { yield shared.members.positionKinds } set { shared.change { $0.positionKinds = newValue } } }
    /// For `unit` and `employee`: how the field's unit must stand to other fields' units.
    public var relations: [Relation] { _read { yield shared.members.relations } set { shared.change { $0.relations = newValue } } }
    /// For `text`: the longest text accepted, in characters.
    public var maxLength: Int { _read { yield shared.members.maxLength } set { shared.change { $0.maxLength = newValue } } }

    public enum Default: String, Sendable, Hashable, CaseIterable {
        /// For `unit`: the unit the acting official heads (definitively or as Plt/Plh).
        case unitHeadedByActor = "unit_headed_by_actor"
        /// For `employee`: the acting official themself (the applicant of a pengajuan sukarela).
        case actor
    }

    /// The members, shared by every copy (`SharedMembers`): a copy is one retain, not one per member.
    private struct Members: Sendable, Hashable {
        var name: String
        var kind: FieldKind
        var label: String
        var required: Bool
        var article: String
        var unitKinds: [Directory.UnitKind]
        var defaultValue: Default?
        var within: String?
        var positionKinds: [Directory.PositionKind]
        var relations: [Relation]
        var maxLength: Int
    }
    private var shared: SharedMembers<Members>

    init(name: String, kind: FieldKind, label: String, required: Bool, article: String, unitKinds: [Directory.UnitKind], defaultValue: Default?,
         within: String?, positionKinds: [Directory.PositionKind], relations: [Relation], maxLength: Int) {
        shared = SharedMembers(Members(name: name, kind: kind, label: label, required: required, article: article, unitKinds: unitKinds,
                                       defaultValue: defaultValue, within: within, positionKinds: positionKinds, relations: relations,
                                       maxLength: maxLength))
    }
}

/// How one field's unit must stand to another's: the scope of a procedure made checkable.
/// For a person field, the person's unit counts.
public struct Relation: Sendable, Hashable {
    public var kind: Kind
    /// The other field.
    public var other: String

    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case otherUnit = "other_unit"
        case sameOrgUnit = "same_org_unit"
        case otherOrgUnit = "other_org_unit"
        case sameDepartment = "same_department"
        case otherDepartment = "other_department"
        case sameAgency = "same_agency"
        case otherAgency = "other_agency"
        /// Inside the other unit (or the unit itself).
        case within

        /// For messages: what the relation demands, e.g. "in another Perangkat Daerah than".
        public var phrase: String {
            switch self {
            case .otherUnit: "a unit other than"
            case .sameOrgUnit: "in the same Unit Organisasi as"
            case .otherOrgUnit: "in another Unit Organisasi than"
            case .sameDepartment: "in the same Perangkat Daerah as"
            case .otherDepartment: "in another Perangkat Daerah than"
            case .sameAgency: "in the same Instansi Pemerintah as"
            case .otherAgency: "in another Instansi Pemerintah than"
            case .within: "within"
            }
        }
    }

    /// Whether unit `unit` stands in this relation to `other` in the directory.
    public func holds(_ unit: UnitID, _ other: UnitID, in directory: Directory) -> Bool {
        func same(_ level: (UnitID) -> UnitID?) -> Bool {
            guard let first = level(unit), let second = level(other) else { return false }
            return first == second
        }
        switch kind {
        case .otherUnit: return unit != other
        case .sameOrgUnit: return same(directory.orgUnit(of:))
        case .otherOrgUnit: return !same(directory.orgUnit(of:))
        case .sameDepartment: return same { directory.ancestor(of: $0, kind: .department) }
        case .otherDepartment: return !same { directory.ancestor(of: $0, kind: .department) }
        case .sameAgency: return same { directory.ancestor(of: $0, kind: .agency) }
        case .otherAgency: return !same { directory.ancestor(of: $0, kind: .agency) }
        case .within: return directory.unit(unit, isWithin: other)
        }
    }
}

/// A rule of the regulation checked when a step is taken, and how strongly it binds.
///
/// The kinds of rule are code (each is a check the engine knows how to make); which
/// procedure applies which, on which fields, with which article and strength, is data.
public struct RuleSpec: Sendable, Hashable {
    public var kind: Kind
    public var strength: Strength
    public var article: String

    public enum Strength: String, Sendable, Hashable, CaseIterable {
        /// The command is refused when the rule is broken.
        case mandatory
        /// The command is applied and the breach is recorded as a warning (the regulation says "diutamakan").
        case warning
    }

    public enum Kind: Sendable, Hashable {
        /// When a team has members from outside `unit`'s Unit Organisasi, its lead comes from inside it.
        case leadFromUnit(lead: String, unit: String, members: String)
        /// A PPPK does not lead a team, except in an RSUD when `exceptHospital` (Jepara Pasal 14 ayat (5), Pasal 15).
        case leadNotContract(lead: String, exceptHospital: Bool)
        /// The lead is a Pejabat Pengawas when `unit`'s structure meets the condition.
        case leadIsSupervisor(lead: String, unit: String, when: StructureCondition)
        /// The lead is a Pejabat Nonmanajerial (Fungsional or Pelaksana) when `unit`'s structure
        /// meets the condition, and the text field `basis`, when named, says on which competence,
        /// expertise or skill they were chosen (Grobogan Pasal 14 ayat (5)).
        case leadIsNonmanagerial(lead: String, unit: String, when: StructureCondition, basis: String?)
        /// At most the unit's quota of requests of this workflow stand in `states` for the unit
        /// `unit` evaluates to; the engine binds that unit to the request's `quota_unit` field.
        case quota(unit: RoleExpression, states: [String])

        public var name: String {
            switch self {
            case .leadFromUnit: "lead_from_unit"
            case .leadNotContract: "lead_not_pppk"
            case .leadIsSupervisor: "lead_is_pengawas"
            case .leadIsNonmanagerial: "lead_is_nonmanajerial"
            case .quota: "quota"
            }
        }
    }

    /// What a team-lead rule asks of the owner unit's structure, read by `Directory.structure(of:)`.
    public enum StructureCondition: String, Sendable, Hashable, CaseIterable {
        /// The unit's structure was not simplified (Grobogan Pasal 14 ayat (4)).
        case notSimplified = "not_simplified"
        /// The unit's structure was simplified (Grobogan Pasal 14 ayat (5)).
        case simplified
        /// The unit has a structure of two levels (Bungo Pasal 9 ayat (2)).
        case twoLevels = "two_levels"
    }

    /// The field the engine binds for a quota rule.
    public static let quotaField = "quota_unit"
}

/// Letter numbers from a template such as `800.1.11.1/{seq}/{unit}/{year}`.
public enum LetterNumber {
    public static let knownPlaceholders: Set<String> = ["seq", "unit", "year", "month_roman", "klasifikasi"]

    static func placeholders(in template: String) -> [String] {
        var names: [String] = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            names.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

    /// Fills a template in one pass; a placeholder it does not know is left as written
    /// (validation refuses those on load).
    public static func format(_ template: String, sequence: Int, unitCode: String, date: CivilDate, klasifikasi: String = "") -> String {
        // Over the template's bytes, not its Characters: `{`, `}` and the names are ASCII.
        var template = template
        return template.withUTF8 { bytes in
            var result: [UInt8] = []
            result.reserveCapacity(bytes.count + unitCode.utf8.count + klasifikasi.utf8.count + 8)
            var index = 0
            while index < bytes.count {
                guard bytes[index] == UInt8(ascii: "{"),
                      let close = bytes[(index + 1)...].firstIndex(of: UInt8(ascii: "}")) else {
                    result.append(bytes[index])
                    index += 1
                    continue
                }
                let name = UnsafeBufferPointer(rebasing: bytes[(index + 1)..<close])
                // Names compared as bytes (a generic `elementsEqual` with a `String.UTF8View` cost about 190 each).
                if JSONReader.equal(name, "seq") { JSONWriter.writeInteger(Int64(sequence), into: &result)
                } else if JSONReader.equal(name, "unit") { result.append(contentsOf: unitCode.utf8)
                } else if JSONReader.equal(name, "year") { JSONWriter.writeInteger(Int64(date.year), into: &result)
                } else if JSONReader.equal(name, "klasifikasi") { result.append(contentsOf: klasifikasi.utf8)
                } else if JSONReader.equal(name, "month_roman") { result.append(contentsOf: romanMonths[date.month - 1].utf8)
                } else { result.append(contentsOf: bytes[index...close])
                }
                index = close + 1
            }
            return String(decoding: result, as: UTF8.self)
        }
    }

    static let romanMonths = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]

    /// Whether `number` has the form the template gives a unit's numbers: any sequence, year
    /// and month, this unit's code and kode klasifikasi. A number given elsewhere in that form
    /// could later be drawn by the register itself.
    public static func matches(_ number: String, template: String, unitCode: String, klasifikasi: String = "") -> Bool {
        var pieces: [Piece] = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            pieces.append(.text(String(rest[..<open])))
            switch rest[rest.index(after: open)..<close] {
            case "seq": pieces.append(.sequence)
            case "year": pieces.append(.year)
            case "month_roman": pieces.append(.oneOf(romanMonths))
            case "unit": pieces.append(.text(unitCode))
            case "klasifikasi": pieces.append(.text(klasifikasi))
            default: pieces.append(.text(String(rest[open...close])))
            }
            rest = rest[rest.index(after: close)...]
        }
        pieces.append(.text(String(rest)))
        return matches(Substring(number), pieces[...])
    }

    private enum Piece {
        case text(String)
        /// A drawn sequence: digits without a leading zero (SRIKANDI's `045` is not one).
        case sequence
        case year
        case oneOf([String])
    }

    private static func matches(_ number: Substring, _ pieces: ArraySlice<Piece>) -> Bool {
        guard let piece = pieces.first else { return number.isEmpty }
        let next = pieces.dropFirst()
        switch piece {
        case .text(let text):
            return number.hasPrefix(text) && matches(number.dropFirst(text.count), next)
        case .oneOf(let options):
            return options.contains { number.hasPrefix($0) && matches(number.dropFirst($0.count), next) }
        case .sequence, .year:
            let run = number.prefix(while: { $0.isASCII && $0.isNumber }).count
            if case .year = piece { return run >= 4 && matches(number.dropFirst(4), next) }
            return number.first != "0" && (0..<run).contains { matches(number.dropFirst($0 + 1), next) }
        }
    }
}
