/// How a workflow file says who plays a role, relative to the request:
/// `head(target_unit)`, `head(department_of(target_unit))`, `authorized_official(owner_unit)`,
/// `nominees`. Names without parentheses are the request's fields; functions walk the org directory.
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

        var argument: ValueType { .unit }

        var result: ValueType {
            switch self {
            case .head, .authorizedOfficial: .persons
            case .departmentOf, .agencyOf: .unit
            }
        }
    }

    public var description: String {
        switch self {
        case .field(let name): name
        case .call(let function, let argument): "\(function.rawValue)(\(argument))"
        }
    }

    /// The request fields the expression reads.
    public var fieldNames: [String] {
        switch self {
        case .field(let name): [name]
        case .call(_, let argument): argument.fieldNames
        }
    }

    /// Parses `function(argument)` or a field name.
    /// - Returns: the expression, or a message saying what is wrong with the text.
    public static func parse(_ text: String) -> Result<RoleExpression, ExpressionError> {
        var characters = Substring(text.filter { !$0.isWhitespace })
        do throws(ExpressionError) {
            let expression = try parseExpression(&characters)
            guard characters.isEmpty else { throw ExpressionError(message: "unexpected \"\(characters)\" in \"\(text)\"") }
            return .success(expression)
        } catch {
            return .failure(error)
        }
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

extension RoleExpression {
    /// Evaluates the expression against the request's fields and the directory on a date.
    /// Unbound fields and units without a head give an empty result, not an error: the
    /// caller decides what an empty result means.
    public func resolve(fields: [String: JSONValue], kinds: [String: FieldKind], in directory: Directory, on date: CivilDate) -> ResolvedRole {
        switch self {
        case .field(let name):
            switch kinds[name] {
            case .employees:
                let nips = (fields[name]?.arrayValue ?? []).compactMap(\.stringValue).map(NIP.init)
                return .persons(nips.compactMap { nip in
                    directory.employees[nip].map { Officeholder(nip: nip, position: $0.position, capacity: .definitive) }
                })
            default:
                return .unit(fields[name]?.stringValue.map(UnitID.init))
            }
        case .call(let function, let argument):
            guard let unit = argument.resolve(fields: fields, kinds: kinds, in: directory, on: date).unit else {
                return function.result == .unit ? .unit(nil) : .persons([])
            }
            switch function {
            case .head: return .persons(directory.heads(of: unit, on: date))
            case .departmentOf: return .unit(directory.ancestor(of: unit, kind: .department))
            case .agencyOf: return .unit(directory.ancestor(of: unit, kind: .agency))
            case .authorizedOfficial: return .persons(directory.authorizedOfficials(for: unit, on: date))
            }
        }
    }
}
