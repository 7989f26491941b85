/// How a workflow file says who plays a role, relative to the request:
/// `head(target_unit)`, `head(department_of(target_unit))`, `authorized_official(owner_unit)`,
/// `appraiser(applicant)`, `nominees`. Names without parentheses are the request's fields;
/// functions walk the org directory.
public indirect enum RoleExpression: Sendable, Hashable, CustomStringConvertible {
    case field(String)
    case call(Function, RoleExpression)

    /// What an expression denotes.
    public enum ValueType: String, Sendable {
        case unit = "a unit"
        case persons = "people"
    }

    /// The directory functions a workflow file may use.
    public enum Function: String, Sendable, Hashable, CaseIterable {
        /// The head of a unit (its definitive holder, or a Plt/Plh on the date).
        case head
        /// The perangkat daerah a unit belongs to.
        case departmentOf = "department_of"
        /// The instansi a unit belongs to.
        case agencyOf = "agency_of"
        /// The Pejabat yang Berwenang of the instansi a unit belongs to.
        case authorizedOfficial = "authorized_official"
        /// The Unit Organisasi (or Perangkat Daerah) a unit belongs to: a Unit Kerja's is the one above it.
        case orgUnitOf = "org_unit_of"
        /// The unit a person's position sits in.
        case unitOf = "unit_of"
        /// A person's Pejabat Penilai Kinerja: named by the directory, or derived by the regulation's rules.
        case appraiser

        var argument: ValueType {
            switch self {
            case .unitOf, .appraiser: .persons
            default: .unit
            }
        }

        var result: ValueType {
            switch self {
            case .head, .authorizedOfficial, .appraiser: .persons
            case .departmentOf, .agencyOf, .orgUnitOf, .unitOf: .unit
            }
        }
    }

    public var description: String {
        switch self {
        case .field(let name): name
        case .call(let function, let argument): "\(function.rawValue)(\(argument))"
        }
    }

    /// The request field the expression reads: every expression reads one, its innermost argument.
    public var field: String {
        switch self {
        case .field(let name): name
        case .call(_, let argument): argument.field
        }
    }

    /// Parses `function(argument)` or a field name.
    /// - Returns: the expression, or a message saying what is wrong with the text.
    public static func parse(_ text: String) -> Result<RoleExpression, ExpressionError> {
        if let expression = parseASCII(text) { return .success(expression) }
        var characters = Substring(text.filter { !$0.isWhitespace })
        do throws(ExpressionError) {
            let expression = try parseExpression(&characters)
            guard characters.isEmpty else { throw ExpressionError(message: "unexpected \"\(characters)\" in \"\(text)\"") }
            return .success(expression)
        } catch {
            return .failure(error)
        }
    }

    /// `parse` of an ASCII text that parses (every role of the workflow files), read byte by byte:
    /// by characters, a whitespace or letter test costs some hundreds of instructions. `nil` for any
    /// other text, which `parse` reads by characters, and so words each problem as it always has.
    private static func parseASCII(_ text: String) -> RoleExpression? {
        var bytes: [UInt8] = []
        for byte in text.utf8 {
            guard byte < 0x80 else { return nil }
            // ASCII's whitespace characters: tab, line feed, vertical tab, form feed, carriage return, space.
            if byte == UInt8(ascii: " ") || (0x09...0x0D).contains(byte) { continue }
            bytes.append(byte)
        }
        var index = 0
        func isNameByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"): true
            default: false
            }
        }
        func expression() -> RoleExpression? {
            let start = index
            while index < bytes.count, isNameByte(bytes[index]) { index += 1 }
            guard index > start else { return nil }
            let name = String(decoding: bytes[start..<index], as: UTF8.self)
            guard index < bytes.count, bytes[index] == UInt8(ascii: "(") else { return .field(name) }
            guard let function = Function(rawValue: name) else { return nil }
            index += 1
            guard let argument = expression(), index < bytes.count, bytes[index] == UInt8(ascii: ")") else { return nil }
            index += 1
            return .call(function, argument)
        }
        guard let expression = expression(), index == bytes.count else { return nil }
        return expression
    }

    public struct ExpressionError: Error, Sendable {
        public var message: String
    }

    private static func parseExpression(_ text: inout Substring) throws(ExpressionError) -> RoleExpression {
        let name = text.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        guard !name.isEmpty else { throw ExpressionError(message: "expected a name where \"\(text)\" stands") }
        text = text.dropFirst(name.count)
        guard text.first == "(" else { return .field(String(name)) }
        guard let function = Function(rawValue: String(name)) else {
            throw ExpressionError(message: "unknown function \"\(name)\"; known: \(Function.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        text = text.dropFirst()
        let argument = try parseExpression(&text)
        guard text.first == ")" else { throw ExpressionError(message: "missing ')' after the argument of \(name)") }
        text = text.dropFirst()
        return .call(function, argument)
    }
}

/// The value of a role expression for one request on one date.
public enum ResolvedRole: Sendable, Hashable {
    case unit(UnitID?)
    case persons([Officeholder])

    public var persons: [Officeholder] {
        if case .persons(let holders) = self { return holders }
        return []
    }

    public var unit: UnitID? {
        if case .unit(let unit) = self { return unit }
        return nil
    }
}

/// What a role expression is evaluated against: one request's fields, the org directory in
/// force, the date of the step and the regulation's rules for deriving a PPK.
public struct RoleContext: Sendable {
    public var fields: [String: JSONValue]
    /// Every field's kind, by name.
    public var kinds: [String: FieldKind] {
        get { fieldKinds.kinds }
        set { fieldKinds = FieldKinds(newValue) }
    }
    /// The kinds with the person fields among them (`FieldKinds`): what `resolve` asks of a field,
    /// without hashing its name; one reference, as the definition found them once.
    private(set) var fieldKinds: FieldKinds
    public var directory: Directory
    public var date: CivilDate
    public var appraisers: Regulation.AppraiserRules

    public init(fields: [String: JSONValue], kinds: [String: FieldKind], directory: Directory, date: CivilDate,
                appraisers: Regulation.AppraiserRules) {
        self.init(fields: fields, kinds: FieldKinds(kinds), directory: directory, date: date, appraisers: appraisers)
    }

    init(fields: [String: JSONValue], kinds: FieldKinds, directory: Directory, date: CivilDate, appraisers: Regulation.AppraiserRules) {
        self.fields = fields
        self.fieldKinds = kinds
        self.directory = directory
        self.date = date
        self.appraisers = appraisers
    }

    /// The people named by a person field (`employee` or `employees`), in order.
    public func people(_ name: String) -> [NIP] {
        switch fields[name] {
        case .string(let nip)?: [NIP(nip)]
        case .array(let items)?: items.compactMap(\.stringValue).map(NIP.init)
        default: []
        }
    }
}

extension RoleExpression {
    /// Evaluates the expression. Unbound fields and units without a head give an empty result,
    /// not an error: the caller decides what an empty result means.
    public func resolve(in context: RoleContext) -> ResolvedRole {
        let directory = context.directory
        switch self {
        case .field(let name):
            switch context.fieldKinds.personFields.kind(of: name) {
            case .employees?, .employee?:
                return .persons(context.people(name).compactMap { nip in
                    directory.employees[nip].map { Officeholder(nip: nip, position: $0.position, capacity: .definitive) }
                })
            default:
                return .unit(context.fields[name]?.stringValue.map(UnitID.init))
            }
        case .call(let function, let argument):
            let value = argument.resolve(in: context)
            switch function {
            case .unitOf:
                let units = Set(value.persons.compactMap { directory.unit(of: $0.nip) })
                return .unit(units.count == 1 ? units.first : nil)
            case .appraiser:
                var seen: Set<Officeholder> = []
                return .persons(value.persons.flatMap { directory.appraisers(of: $0.nip, rules: context.appraisers, on: context.date) }
                    .filter { seen.insert($0).inserted })
            default:
                break
            }
            guard let unit = value.unit else { return function.result == .unit ? .unit(nil) : .persons([]) }
            switch function {
            case .head: return .persons(directory.heads(of: unit, on: context.date))
            case .departmentOf: return .unit(directory.ancestor(of: unit, kind: .department))
            case .agencyOf: return .unit(directory.ancestor(of: unit, kind: .agency))
            case .orgUnitOf: return .unit(directory.orgUnit(of: unit))
            case .authorizedOfficial: return .persons(directory.authorizedOfficials(for: unit, on: context.date))
            case .unitOf, .appraiser: fatalError("handled above")
            }
        }
    }
}
