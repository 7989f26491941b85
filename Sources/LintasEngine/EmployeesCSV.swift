import Foundation
import LintasCore

/// Employees kept in a spreadsheet, imported with an org directory:
/// `lintas org import FILE --employees employees.csv`.
///
/// The file is CSV (RFC 4180: comma-separated, fields with commas, quotes or line breaks in
/// double quotes, `""` for a quote inside them), UTF-8, with a header row naming the columns
/// `nip`, `name`, `status` and `position` in any order. Each row becomes an entry of the
/// directory's `employees`, validated with the rest of the file; a problem names the CSV line.
public enum EmployeesCSV {
    static let columns = ["nip", "name", "status", "position"]

    /// The rows as directory `employees` entries, each with its line number in the file.
    /// - Throws: `InvalidDocument` listing every problem of the CSV itself.
    public static func read(_ bytes: [UInt8], source: String) throws(InvalidDocument) -> [(line: Int, employee: JSONValue)] {
        var problems: [Problem] = []
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw InvalidDocument(source: source, problems: [Problem(path: "", message: "not UTF-8 text")])
        }
        let records = parse(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text, problems: &problems)
        guard let header = records.first else {
            throw InvalidDocument(source: source, problems: [Problem(path: "", message: "empty: expected a header row \(columns.joined(separator: ","))")])
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        for missing in columns where !names.contains(missing) {
            problems.append(Problem(path: "line 1", message: "no \"\(missing)\" column; the header needs \(columns.joined(separator: ", "))"))
        }
        for unknown in names where !columns.contains(unknown) {
            problems.append(Problem(path: "line 1", message: "unknown column \"\(unknown)\"; expected \(columns.joined(separator: ", "))"))
        }
        var employees: [(Int, JSONValue)] = []
        for record in records.dropFirst() where !(record.fields.count == 1 && record.fields[0].isEmpty) {
            guard record.fields.count == names.count else {
                problems.append(Problem(path: "line \(record.line)", message: "\(record.fields.count) fields, the header has \(names.count)"))
                continue
            }
            var members: [String: JSONValue] = [:]
            for (name, value) in zip(names, record.fields) where columns.contains(name) {
                members[name] = .string(value.trimmingCharacters(in: .whitespaces))
            }
            employees.append((record.line, .object(members)))
        }
        guard problems.isEmpty else { throw InvalidDocument(source: source, problems: problems) }
        return employees
    }

    /// An org directory document with the CSV's employees added to its own.
    /// - Throws: `InvalidDocument` naming the CSV lines of bad rows.
    public static func merge(_ document: JSONValue, csv bytes: [UInt8], source: String, directorySource: String) throws(InvalidDocument) -> JSONValue {
        let rows = try read(bytes, source: source)
        guard case .object(var members) = document else { return document }
        let own = members["employees"]?.arrayValue ?? []
        members["employees"] = .array(own + rows.map(\.employee))
        let merged = JSONValue.object(members)
        do {
            _ = try Directory.decode(merged, source: directorySource)
            return merged
        } catch {
            // Name the CSV line for problems of its rows: `employees[k]` past the file's own, or `employees (NIP)`.
            let lineOfNIP = Dictionary(rows.map { ($0.employee["nip"]?.stringValue ?? "", $0.line) }, uniquingKeysWith: { first, _ in first })
            throw InvalidDocument(source: directorySource, problems: error.problems.map { problem in
                let path = problem.path
                if path.hasPrefix("employees ("), let close = path.firstIndex(of: ")"),
                   let line = lineOfNIP[String(path[path.index(path.startIndex, offsetBy: 11)..<close])] {
                    return Problem(path: "\(source) line \(line) " + path.dropFirst(10), message: problem.message)
                }
                guard path.hasPrefix("employees["), let close = path.firstIndex(of: "]"),
                      let index = Int(path[path.index(path.startIndex, offsetBy: 10)..<close]), index >= own.count else { return problem }
                return Problem(path: "\(source) line \(rows[index - own.count].line)" + path[path.index(after: close)...], message: problem.message)
            })
        }
    }

    /// RFC 4180 records, each with the line it starts on.
    static func parse(_ text: String, problems: inout [Problem]) -> [(line: Int, fields: [String])] {
        var records: [(Int, [String])] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var line = 1
        var start = 1
        var characters = Array(text).makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let character = pending { pending = nil; return character }
            return characters.next()
        }
        while let character = next() {
            if quoted {
                if character == "\"" {
                    let following = next()
                    if following == "\"" { field.append("\"") } else { quoted = false; pending = following }
                } else {
                    if character == "\n" || character == "\r\n" { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where field.isEmpty: quoted = true
            case ",": fields.append(field); field = ""
            case "\n", "\r\n", "\r":
                fields.append(field)
                records.append((start, fields))
                fields = []
                field = ""
                line += 1
                start = line
            default: field.append(character)
            }
        }
        if quoted { problems.append(Problem(path: "line \(start)", message: "a quoted field is not closed")) }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            records.append((start, fields))
        }
        return records
    }
}
