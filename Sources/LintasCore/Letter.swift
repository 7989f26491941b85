/// The content of a letter a step issues, composed as a plain value when the step is decided.
///
/// Everything the printed letter shows is resolved here once, from the request's fields,
/// the workflow and the org directory in force on the step's date, and frozen into the
/// event as JSON (`LetterRecord.content`, format `lintas.letter/1`): the kop of the signing
/// office, number, date and place, subject, legal basis, the request's contents, the
/// assigned employees, the period, the signature block and the numbered tembusan.
/// Rendering (text, HTML) reads only this value, never today's directory.
///
/// Composed in the pieces it is stored in (`compose`, `LetterParts.groups`): the frame, the
/// same for every letter one office issues at one step on one date and reused from the
/// caller's `LetterFrames`; the request part, reused while the request's fields are the same;
/// and the letter's own members. The content as one tree is those members together.
///
/// A class: the closures that compose the parts capture one reference, not a copy of the
/// definition, transition and context (each of their members retained and released again).
final class LetterDraft {
    /// The request fields a letter's body repeats when the request has them: the four
    /// contents every request letter carries (e.g. Pemalang Pasal 11 ayat (6)).
    static let requestContents = ["purpose", "competence", "performance_target", "duration"]
    /// The free-text field in which requests of definitions stored before letters cited each other
    /// quoted the requester's own letter number (`Surat permohonan Nomor …` under *Dasar*). Such a
    /// definition still composes its letters with it, byte for byte; workflows now name the letter
    /// a letter cites (`cites`) and lintas takes its number and date from the log.
    static let referenceField = "reference"

    let spec: WorkflowDefinition.LetterSpec
    let definition: WorkflowDefinition
    /// Where the transition stands in `definition.transitions`: with the definition's hash, what names
    /// the transition and its letter spec in a frame's key.
    let transitionIndex: Int
    /// The step that issues the letter: read from the definition when a frame is composed or a
    /// refusal cites its article, not copied for every letter.
    var transition: WorkflowDefinition.Transition { definition.transitions[transitionIndex] }
    let context: RoleContext
    let signer: Officeholder
    let onBehalfOf: Officeholder?
    /// Whether a request letter came before this one: an earlier letter of the request, or the requester's own letter quoted.
    let followsRequest: Bool
    /// The earlier letter of the request this one cites (`LetterSpec.cites`), when it names one and the request has it.
    let cited: LetterReference?
    /// The request's values of `requestFields`, in that order: looked up once, for the fields the
    /// letter requires and for its request part.
    let requestValues: [JSONValue?]
    /// The request's values of the fields the frame reads (after `requestFields` in
    /// `WorkflowDefinition.letterFields(ofTransition:)`),
    /// in that order: what the frame's key holds and the frame is composed from.
    let frameFieldValues: [JSONValue?]

    var directory: Directory { context.directory }

    /// A role of the definition with its holders, resolved in the letter's context already.
    struct ResolvedRole {
        let name: String
        let holders: [Officeholder]
    }

    /// Checks the letter can be issued: every field it requires is bound and someone can sign.
    /// - Parameters:
    ///   - actor: the office the acting official holds; signs when the letter names no signer.
    ///   - actorRole: the acting role's holders when resolved in `context`, not resolved again for a signer of that role.
    ///   - followsLetter: whether the request has a letter already (else the letter follows a request only when the request quotes one, `reference`).
    /// - Throws: `missing_field` with the article demanding the content, `no_officeholder` when the signer's office is vacant.
    init(spec: WorkflowDefinition.LetterSpec, definition: WorkflowDefinition, transitionIndex: Int,
         context: RoleContext, actor: Officeholder, actorRole: ResolvedRole?, followsLetter: Bool, cited: LetterReference?) throws(Refusal) {
        self.spec = spec
        self.transitionIndex = transitionIndex
        self.cited = cited
        self.definition = definition
        self.context = context
        let names = definition.letterFields(ofTransition: transitionIndex)  // `spec` is the transition's letter
        // Made by `map`: `Array(repeating:count:)` asks the runtime for the array's storage type each time.
        var requestValues = Self.requestFields.map { _ -> JSONValue? in nil }
        var frameFieldValues = names.dropFirst(Self.requestFields.count).map { _ -> JSONValue? in nil }
        Self.lookUp(names, in: context.fields, into: &requestValues, then: &frameFieldValues)
        self.requestValues = requestValues
        self.frameFieldValues = frameFieldValues
        self.followsRequest = followsLetter || requestValues[Self.requestContents.count] != nil  // `requestFields` ends with `reference`
        let requires = spec.requires
        let positions = definition.requestPositions(ofLetterRequirements: transitionIndex)  // `spec` is the transition's letter
        /// Whether the field `requires[index]` names is missing: a request field's value as looked up above, another's looked up.
        func isMissing(_ index: Int) -> Bool {
            guard let value = positions[index].map({ requestValues[$0] }) ?? context.fields[requires[index].field] else { return true }
            return value == .null || value.arrayValue?.isEmpty == true || value.stringValue?.isBlank == true
        }
        // Gathered only to refuse: most letters have every field they require.
        if requires.indices.contains(where: isMissing) {
            let missing = requires.indices.filter(isMissing).map { requires[$0] }
            let names = missing.map { "\($0.field) (\(definition.label(ofField: $0.field)), \($0.article))" }.joined(separator: "; ")
            throw Refusal(.missingField, "The \(spec.label) cannot be issued without \(names).",
                          article: definition.cite(missing.map(\.article).joined(separator: "; ")),
                          hint: "The letter carries what the regulation requires; complete the request first.")
        }
        let roles = definition.letterRoles(ofTransition: transitionIndex)  // `spec` is the transition's letter
        signer = try Self.officeholder(spec.signer, roles.signer, in: context, resolved: actorRole, preferring: actor, for: spec.label) ?? actor
        onBehalfOf = try Self.officeholder(spec.onBehalfOf, roles.onBehalfOf, in: context, resolved: actorRole, preferring: nil, for: spec.label)
    }

    /// Who of a role signs: the actor when they hold it, else the definitive holder, else a Plt or Plh.
    /// - Parameter spec: the definition's role named `role`, `nil` when it has none.
    private static func officeholder(_ role: String?, _ spec: WorkflowDefinition.RoleSpec?, in context: RoleContext, resolved: ResolvedRole?,
                                     preferring actor: Officeholder?, for label: String) throws(Refusal) -> Officeholder? {
        guard let role, let spec else { return nil }
        let holders = resolved?.name == role ? resolved!.holders : spec.expression.resolve(in: context).persons
        if let actor, let same = holders.first(where: { $0.nip == actor.nip }) { return same }
        guard let chosen = holders.first(where: { $0.capacity == .definitive }) ?? holders.first else {
            throw Refusal(.noOfficeholder, "Nobody can sign the \(label) as \(spec.label) (\(spec.expression)) on \(context.date): the office is vacant and no Plt or Plh is appointed.",
                          hint: "Record the holder or an acting official in the org directory.")
        }
        return chosen
    }

    /// The unit whose kop heads the letter: the signing office's unit.
    private var signingUnit: UnitID? { directory.positions[signer.position]?.unit }

    /// The letter's content once numbered, composed as its pieces (`LetterParts.groups`): the frame,
    /// taken from `frames` when an earlier letter of the same office, step and date had it, the
    /// request part, and the letter's own members. The one composition rule: `content` is these
    /// members together, and each part's bytes are its members' canonical JSON.
    /// - Parameters:
    ///   - identity: the letter's number and how it was numbered; `id` its id, `date` the date it carries.
    func compose(_ identity: LetterIdentity, id: String, dated date: CivilDate, request: RequestID, frames: inout LetterFrames) -> ComposedLetter {
        let values = requestValues
        let requestPart = frames.requestPart(request, definition: definition.hash, values: values) { LetterParts.Part(requestMembers: requestMembers(values)) }
        let hasContents = values.prefix(Self.requestContents.count).contains { $0 != nil }  // `requestFields` begins with them
        let key = LetterFrames.Key(definition: definition.hash, transition: transitionIndex, date: context.date,
                                   signer: signer, onBehalfOf: onBehalfOf, followsRequest: followsRequest, hasContents: hasContents,
                                   fields: frameFieldValues)
        let frame = frames.frame(key) { LetterParts.Part(frameMembers(hasContents: hasContents), group: 0) }
        return ComposedLetter(own: ownMembers(identity, id: id, date: date, request: request),
                              parts: [frame, requestPart])
    }

    /// The request fields the request part reads (with the definition's labels and kinds).
    static let requestFields = requestContents + [referenceField]

    /// The values of `names` in a request's fields, `nil` where it has none, the first into `values` and the
    /// rest into `rest`: found in one pass over the fields (a request has a handful), each name compared
    /// by its length first, which tells most names apart without comparing characters, rather than each
    /// name hashed and looked up. Many fields (more than any workflow's request has) are looked up by name.
    private static func lookUp(_ names: [(name: String, length: Int)], in fields: [String: JSONValue],
                               into values: inout [JSONValue?], then rest: inout [JSONValue?]) {
        let split = values.count
        guard fields.count <= 16 else {
            for index in names.indices {
                if index < split { values[index] = fields[names[index].name] } else { rest[index - split] = fields[names[index].name] }
            }
            return
        }
        for (name, value) in fields {
            let length = name.utf8.count
            for index in names.indices where names[index].length == length && names[index].name == name {
                if index < split { values[index] = value } else { rest[index - split] = value }
            }
        }
    }

    /// The members of the frame (`LetterParts.groups[0]`): the same for every letter one office
    /// issues at one step on one date, given the fields `frameFieldValues` reads.
    private func frameMembers(hasContents: Bool) -> [String: JSONValue] {
        var members: [String: JSONValue] = [
            "format": "lintas.letter/1",
            "type": .string(spec.type), "label": .string(spec.label), "place": .string(place),
            "subject": .string(spec.subject ?? spec.label),
            "legal_basis": .object(["regulation": .string(definition.regulation.title), "article": .string(transition.article),
                                    "citation": .string(definition.citation(ofTransition: transitionIndex))]),
            "signature": signature,
            "cc": .array(copies),
        ]
        // A letter an employee writes (no register) has no kop: it is not an office's letter.
        if spec.register != nil { members["kop"] = kop }
        if let klasifikasi = spec.klasifikasi { members["klasifikasi"] = .string(klasifikasi) }
        if let addressee { members["addressee"] = addressee }
        if hasContents {
            members["contents_heading"] = .string(spec.contentsHeading
                                                  ?? (followsRequest ? "Memperhatikan permohonan pelibatan" : "Dengan rincian sebagai berikut"))
        }
        if let heading = spec.assignedHeading { members["assigned_heading"] = .string(heading) }
        return members
    }

    /// The members of the request part (`LetterParts.groups[1]`): what the request's fields give,
    /// written in canonical order as they are read (`contents`, `period`, `reference`; a content's
    /// `field`, `label`, `text`; a period's `end`, `start`, `text`), with no tree of them made.
    /// - Parameter values: the values of `requestFields`, as `compose` looked them up for the part's reuse (not looked up again).
    private func requestMembers(_ values: [JSONValue?]) -> LetterParts.Piece {
        // Room for W1's (about 400 bytes, three members at most).
        var piece = LetterParts.Piece.Writer(reservingCapacity: 512, members: 3)
        // The last period among the contents, as a member set once per content would keep it.
        var period: (start: JSONValue, end: JSONValue, text: String)?
        piece.append(name: "contents") { output in
            output.writeByte(UInt8(ascii: "["))
            var first = true
            let terms = definition.requestContentFields  // their labels and kinds, by position
            for (position, name) in Self.requestContents.enumerated() {
                guard let value = values[position] else { continue }
                let text = Self.text(of: value)
                if !first { output.writeByte(UInt8(ascii: ",")) }
                first = false
                output.writeKey("field", first: true)
                output.writeString(name)
                output.writeKey("label", first: false)
                output.writeString(terms[position].label)
                output.writeKey("text", first: false)
                output.writeString(text)
                output.writeByte(UInt8(ascii: "}"))
                if terms[position].kind == .period, let members = value.periodMembers, let start = members.start, let end = members.end {
                    period = (start, end, text)
                }
            }
            output.writeByte(UInt8(ascii: "]"))
        }
        if let period {
            piece.append(name: "period") { output in
                output.writeKey("end", first: true)
                JSONWriter.write(period.end, to: &output)
                output.writeKey("start", first: false)
                JSONWriter.write(period.start, to: &output)
                output.writeKey("text", first: false)
                output.writeString(period.text)
                output.writeByte(UInt8(ascii: "}"))
            }
        }
        if let reference = values[Self.requestContents.count]?.stringValue {  // `requestFields` ends with it
            piece.append(name: "reference") { $0.writeString(reference) }
        }
        return piece.finish()
    }

    /// The letter's own members: its id, number (none for a letter an employee writes) and how it was
    /// numbered when not by its register, request, date, the people assigned, the particulars. Written
    /// as the piece the seal and the stored event are made of (`ComposedLetter.own`), in canonical
    /// order as they are made, with no tree of them.
    private func ownMembers(_ identity: LetterIdentity, id: String, date: CivilDate, request: RequestID) -> LetterParts.Piece {
        let quote = UInt8(ascii: "\"")
        // Room for a letter's members (W1's are about 200 to 600 bytes, nine members at most).
        var piece = LetterParts.Piece.Writer(reservingCapacity: 640, members: 9)
        if let assigned = spec.assigned { piece.append(name: "assigned") { writePeople(in: assigned, into: &$0) } }
        if let cited { piece.append(name: "cites") { Self.writeCitation(of: cited, into: &$0) } }
        piece.append(name: "date") { output in
            output.writeByte(quote)
            date.write(to: &output)
            output.writeByte(quote)
        }
        piece.append(name: "date_text") { output in
            output.writeByte(quote)
            date.writeIndonesian(into: &output)
            output.writeByte(quote)
        }
        piece.append(name: "id") { $0.writeString(id) }
        if identity.numbering != .none { piece.append(name: "number") { $0.writeString(identity.number) } }
        if identity.numbering != .register { piece.append(name: "numbering") { $0.writeString(identity.numbering.rawValue) } }
        let particulars = self.particulars
        if !particulars.isEmpty {
            piece.append(name: "particulars") { output in
                output.writeByte(UInt8(ascii: "["))
                for (offset, (requirement, value)) in particulars.enumerated() {
                    if offset > 0 { output.writeByte(UInt8(ascii: ",")) }
                    output.writeKey("article", first: true)
                    output.writeString(requirement.article)
                    output.writeKey("field", first: false)
                    output.writeString(requirement.field)
                    output.writeKey("label", first: false)
                    output.writeString(definition.label(ofField: requirement.field))
                    output.writeKey("text", first: false)
                    output.writeString(particular(requirement.field, value))
                    output.writeByte(UInt8(ascii: "}"))
                }
                output.writeByte(UInt8(ascii: "]"))
            }
        }
        piece.append(name: "request") { $0.writeString(request.rawValue) }
        return piece.finish()
    }

    /// The `cites` member: the cited letter's type, label, number (`null` for a letter an employee
    /// wrote; the number SRIKANDI gave for one numbered there) and date, as its event recorded them.
    static func writeCitation(of letter: LetterReference, into output: inout some CanonicalOutput) {
        var first = true
        if let date = letter.date {
            output.writeKey("date", first: true)
            output.writeString(date)
            if let civil = CivilDate(iso: date) {
                output.writeKey("date_text", first: false)
                output.writeByte(UInt8(ascii: "\""))
                civil.writeIndonesian(into: &output)
                output.writeByte(UInt8(ascii: "\""))
            }
            first = false
        }
        output.writeKey("label", first: first)
        output.writeString(letter.label)
        output.writeKey("number", first: false)
        if letter.numbered { output.writeString(letter.number) } else { output.writeText("null") }
        output.writeKey("type", first: false)
        output.writeString(letter.type)
        output.writeByte(UInt8(ascii: "}"))
    }

    /// What else the regulation says the letter carries, in the order of `requires`: each required
    /// field the body does not already show (the reasons of a refusal, a disposisi's direction, a
    /// team's lead, a surat perintah's other arrangements), with its value.
    private var particulars: [(requirement: WorkflowDefinition.LetterSpec.Requirement, value: JSONValue)] {
        // A letter requires a handful of fields: lists, not sets.
        var seen: [String] = []
        return spec.requires.compactMap { requirement in
            let field = requirement.field
            guard !Self.requestContents.contains(field), field != spec.assigned, !seen.contains(field),
                  let value = context.fields[field] else { return nil }
            seen.append(field)
            return (requirement, value)
        }
    }

    /// A field as the body prints it: a person as `Name (NIP …)`, a unit by its name, text as is.
    private func particular(_ field: String, _ value: JSONValue) -> String {
        switch context.kinds[field] {
        case .employee?, .employees?:
            let nips = value.arrayValue?.compactMap(\.stringValue) ?? [value.stringValue].compactMap { $0 }
            return nips.map { "\(directory.employees[NIP($0)]?.name ?? $0) (NIP \(NIP($0).grouped))" }.joined(separator: "; ")
        case .unit?:
            return value.stringValue.flatMap { directory.units[UnitID($0)]?.name } ?? Self.text(of: value)
        default:
            return Self.text(of: value)
        }
    }

    /// Where the letter is dated: the signing office's instansi's place (Bungo Pasal 6 ayat (4): a
    /// Tebo official's letter is dated in Tebo, not in Bungo).
    private var place: String { directory.place(of: signingUnit) }

    private var kop: JSONValue {
        var members: [String: JSONValue] = [:]
        if let unitID = signingUnit, let unit = directory.units[unitID] {
            members["unit"] = .string(unit.name)
            members["code"] = .string(unit.code)
            if let agency = directory.ancestor(of: unitID, kind: .agency), agency != unitID, let name = directory.units[agency]?.name {
                members["agency"] = .string(name)
            }
        }
        return .object(members)
    }

    private var signature: JSONValue {
        var members = person(signer)
        members["capacity"] = .string(signer.capacity.rawValue)
        if let onBehalfOf, let position = directory.positions[onBehalfOf.position] {
            members["on_behalf_of"] = .string(position.title)
        }
        return .object(members)
    }

    /// Name, NIP and the title the person holds the office under (with Plt./Plh.).
    private func person(_ holder: Officeholder) -> [String: JSONValue] {
        ["name": .string(directory.employees[holder.nip]?.name ?? holder.nip.rawValue), "nip": .string(holder.nip.rawValue),
         "title": .string(directory.title(of: holder))]
    }

    /// `Kepada Yth.`: the office the addressee expression's people hold (definitive holders first; the
    /// position's own title, without Plt./Plh.), and the place of its instansi; the label when nobody holds it.
    private var addressee: JSONValue? {
        guard let spec = spec.addressee else { return nil }
        let named = holders(of: spec.expression)
        var offices: [String] = []
        for position in named.compactMap({ directory.positions[$0.position] }) where !offices.contains(position.title) { offices.append(position.title) }
        var members: [String: JSONValue] = ["label": .string(spec.label), "office": .string(offices.isEmpty ? spec.label : offices.joined(separator: "; "))]
        if let unit = named.first.flatMap({ directory.positions[$0.position]?.unit }) { members["place"] = .string(directory.place(of: unit)) }
        return .object(members)
    }

    private var copies: [JSONValue] {
        spec.cc.enumerated().map { offset, copy in
            .object(["number": .int(Int64(offset + 1)), "label": .string(copy.label),
                     "holders": .array(holders(of: copy.expression).map { .object(person($0)) })])
        }
    }

    /// Who an office expression names on the letter's date: its definitive holders, else those acting.
    private func holders(of expression: RoleExpression) -> [Officeholder] {
        let holders = expression.resolve(in: context).persons
        return holders.contains(where: { $0.capacity == .definitive }) ? holders.filter { $0.capacity == .definitive } : holders
    }

    /// The people a person field names, each with name, NIP and (when the directory has them) the
    /// position and its unit, as a JSON array.
    private func writePeople(in field: String, into output: inout ByteRun) {
        let value = context.fields[field]
        let nips = value?.arrayValue?.compactMap(\.stringValue) ?? [value?.stringValue].compactMap { $0 }
        output.writeByte(UInt8(ascii: "["))
        for (offset, nip) in nips.enumerated() {
            if offset > 0 { output.writeByte(UInt8(ascii: ",")) }
            let employee = directory.employees[NIP(nip)]
            output.writeKey("name", first: true)
            output.writeString(employee?.name ?? nip)
            output.writeKey("nip", first: false)
            output.writeString(nip)
            if let position = employee.flatMap({ directory.positions[$0.position] }) {
                output.writeKey("position", first: false)
                output.writeString(position.title)
                output.writeKey("unit", first: false)
                output.writeString(directory.units[position.unit]?.name ?? position.unit.rawValue)
            }
            output.writeByte(UInt8(ascii: "}"))
        }
        output.writeByte(UInt8(ascii: "]"))
    }

    /// A field value as the letter prints it; a period as `1 April 2026 s.d. 30 September 2026`.
    static func text(of value: JSONValue) -> String {
        if let period = value.periodMembers, let start = period.start?.stringValue.flatMap(CivilDate.init(iso:)),
           let end = period.end?.stringValue.flatMap(CivilDate.init(iso:)) {
            return "\(start.indonesian) s.d. \(end.indonesian)"
        }
        return value.stringValue ?? value.canonicalText
    }
}

extension WorkflowDefinition {
    /// The label the first transition that declares a field gives it, or its name: one lookup
    /// (`fieldLabels`, collected when the definition is read), not a walk over every transition's fields.
    func label(ofField name: String) -> String { fieldLabels[name] ?? name }
}
