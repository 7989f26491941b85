/// A regency regulation (Peraturan Bupati) as the procedures that implement it share it:
/// its citation, the date it is in force from, and how it derives each employee's Pejabat
/// Penilai Kinerja (PPK) from the org structure.
///
/// Read from a regulation file (`"format": "lintas.regulation/1"`); a workflow file names it
/// by id, and the stored definition carries a copy, so a request stays pinned to the
/// regulation text it started under.
public struct Regulation: Sendable, Hashable {
    public var id: String
    public var title: String
    /// e.g. `Perbup Pemalang 38/2023`; follows every article in citations.
    public var short: String
    public var inForceFrom: CivilDate
    /// How the PPK of a position is found when the directory does not name it.
    public var appraisers: AppraiserRules

    public init(id: String, title: String, short: String, inForceFrom: CivilDate, appraisers: AppraiserRules = AppraiserRules()) {
        self.id = id
        self.title = title
        self.short = short
        self.inForceFrom = inForceFrom
        self.appraisers = appraisers
    }

    /// The regulation's rules for who is a position's PPK, e.g. Barito Utara Pasal 17: Ahli
    /// Utama and Ahli Madya under a JPT Pratama, Ahli Muda under an Administrator or one level
    /// above, Ahli Pertama and keterampilan under a Pengawas or above, Pelaksana under a
    /// Pengawas or, where there is none, an Administrator.
    public struct AppraiserRules: Sendable, Hashable {
        /// The article the rules come from.
        public var article: String
        public var rules: [Rule]

        public init(article: String = "", rules: [Rule] = []) {
            self.article = article
            self.rules = rules
        }

        /// One line of the table: positions it applies to, and the kinds of head that may
        /// appraise them, searched from the position's unit upward, nearest first.
        public struct Rule: Sendable, Hashable {
            /// Empty: any kind.
            public var positionKinds: [Directory.PositionKind]
            /// Empty: any jenjang (or none).
            public var jenjang: [Directory.Jenjang]
            public var superiors: [Directory.PositionKind]

            public func applies(to position: Directory.Position) -> Bool {
                (positionKinds.isEmpty || positionKinds.contains(position.kind))
                    && (jenjang.isEmpty || position.jenjang.map(jenjang.contains) == true)
            }
        }

        /// The first rule that applies to a position.
        public func rule(for position: Directory.Position) -> Rule? { rules.first { $0.applies(to: position) } }
    }

    /// The `format` value of a regulation file.
    public static let format = "lintas.regulation/1"

    /// Reads and validates a regulation document, every problem at once.
    /// - Parameter path: where in a larger document it sits (`regulation` inside a stored definition), for messages.
    static func read(_ value: JSONValue, path: String, _ reader: inout DocumentReader) -> Regulation? {
        guard let members = reader.object(value, path) else { return nil }
        reader.rejectUnknown(members, allowed: ["format", "id", "title", "short", "in_force_from", "appraisers", "description"], path)
        if let format = reader.string(members, "format", path, required: false), format != Regulation.format {
            reader.report(reader.join(path, "format"), "expected \"\(Regulation.format)\", found \"\(format)\"")
        }
        guard let id = reader.string(members, "id", path), let title = reader.string(members, "title", path),
              let short = reader.string(members, "short", path), let inForce = reader.date(members, "in_force_from", path) else { return nil }
        var regulation = Regulation(id: id, title: title, short: short, inForceFrom: inForce)
        if let value = members["appraisers"] {
            let rulesPath = reader.join(path, "appraisers")
            if let table = reader.object(value, rulesPath) {
                reader.rejectUnknown(table, allowed: ["article", "rules"], rulesPath)
                regulation.appraisers.article = reader.string(table, "article", rulesPath) ?? ""
                for (offset, item) in reader.array(table, "rules", rulesPath).enumerated() {
                    let rulePath = "\(rulesPath).rules[\(offset)]"
                    guard let rule = reader.object(item, rulePath) else { continue }
                    reader.rejectUnknown(rule, allowed: ["position_kinds", "jenjang", "superiors"], rulePath)
                    let superiors = reader.enumValues(rule, "superiors", rulePath, as: Directory.PositionKind.self)
                    if superiors.isEmpty { reader.report("\(rulePath).superiors", "name at least one kind of position that appraises") }
                    regulation.appraisers.rules.append(AppraiserRules.Rule(
                        positionKinds: reader.enumValues(rule, "position_kinds", rulePath, as: Directory.PositionKind.self),
                        jenjang: reader.enumValues(rule, "jenjang", rulePath, as: Directory.Jenjang.self), superiors: superiors))
                }
            }
        }
        return regulation
    }

    /// Reads a regulation file.
    /// - Throws: `InvalidDocument` listing every problem.
    public static func decode(_ document: JSONValue, source: String) throws(InvalidDocument) -> Regulation {
        var reader = DocumentReader()
        if document["format"] == nil { reader.report("format", "missing") }
        let regulation = read(document, path: "", &reader)
        guard reader.problems.isEmpty, let regulation else { throw InvalidDocument(source: source, problems: reader.problems) }
        return regulation
    }

    /// The regulation as JSON, as a stored definition carries it.
    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "id": .string(id), "title": .string(title), "short": .string(short), "in_force_from": .string(inForceFrom.description),
        ]
        if !appraisers.rules.isEmpty {
            members["appraisers"] = .object([
                "article": .string(appraisers.article),
                "rules": .array(appraisers.rules.map { rule in
                    var entry: [String: JSONValue] = ["superiors": .array(rule.superiors.map { .string($0.rawValue) })]
                    if !rule.positionKinds.isEmpty { entry["position_kinds"] = .array(rule.positionKinds.map { .string($0.rawValue) }) }
                    if !rule.jenjang.isEmpty { entry["jenjang"] = .array(rule.jenjang.map { .string($0.rawValue) }) }
                    return .object(entry)
                }),
            ])
        }
        return .object(members)
    }
}

extension DocumentReader {
    /// A string or array of strings, each one of an enumeration's raw values.
    mutating func enumValues<Value: RawRepresentable & CaseIterable>(_ members: [String: JSONValue], _ key: String, _ path: String,
                                                                    as type: Value.Type) -> [Value] where Value.RawValue == String {
        var values: [Value] = []
        for text in strings(members, key, path) ?? [] {
            if let value = Value(rawValue: text) { values.append(value) } else {
                report(join(path, key), "\"\(text)\" is not one of: \(Value.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        return values
    }
}
