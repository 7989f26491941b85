/// One thing wrong with a document, located by a path such as `transitions[2] (approve).article`.
public struct Problem: Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// A document (workflow file, org directory) that was refused, with every problem found in it.
public struct InvalidDocument: Error, Sendable, CustomStringConvertible {
    /// Where the document came from, usually a file path.
    public var source: String
    public var problems: [Problem]

    public init(source: String, problems: [Problem]) {
        self.source = source
        self.problems = problems
    }

    public var description: String {
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        return "\(source): \(count)\n" + problems.map { "  \(source): \($0)" }.joined(separator: "\n")
    }
}

/// Reads typed members out of parsed JSON, recording a `Problem` for each one that is
/// missing or of the wrong type instead of stopping at the first.
struct DocumentReader {
    var problems: [Problem] = []

    mutating func report(_ path: String, _ message: String) {
        problems.append(Problem(path: path, message: message))
    }

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    mutating func object(_ value: JSONValue?, _ path: String) -> [String: JSONValue]? {
        guard let value else { return nil }
        guard let members = value.objectValue else {
            report(path, "expected an object, found \(value.typeName)")
            return nil
        }
        return members
    }

    mutating func string(_ members: [String: JSONValue], _ key: String, _ path: String, required: Bool = true) -> String? {
        guard let value = members[key], value != .null else {
            if required { report(join(path, key), "missing") }
            return nil
        }
        guard let text = value.stringValue else {
            report(join(path, key), "expected a string, found \(value.typeName)")
            return nil
        }
        if required && text.isBlank {
            report(join(path, key), "must not be empty")
            return nil
        }
        return text
    }

    mutating func bool(_ members: [String: JSONValue], _ key: String, _ path: String) -> Bool {
        guard let value = members[key], value != .null else { return false }
        guard let flag = value.boolValue else {
            report(join(path, key), "expected true or false, found \(value.typeName)")
            return false
        }
        return flag
    }

    mutating func date(_ members: [String: JSONValue], _ key: String, _ path: String, required: Bool = true) -> CivilDate? {
        guard let text = string(members, key, path, required: required) else { return nil }
        guard let date = CivilDate(iso: text) else {
            report(join(path, key), "\"\(text)\" is not a date of the form YYYY-MM-DD")
            return nil
        }
        return date
    }

    /// A whole number above zero, or `nil` when absent.
    mutating func positiveInteger(_ members: [String: JSONValue], _ key: String, _ path: String) -> Int? {
        guard let value = members[key], value != .null else { return nil }
        guard let number = value.intValue, number > 0, number < Int64(Int32.max) else {
            report(join(path, key), "expected a whole number above zero, found \(value.canonicalText.prefix(40))")
            return nil
        }
        return Int(number)
    }

    /// A string, or an array of strings.
    mutating func strings(_ members: [String: JSONValue], _ key: String, _ path: String) -> [String]? {
        guard let value = members[key], value != .null else { return nil }
        if let single = value.stringValue { return [single] }
        guard let items = value.arrayValue else {
            report(join(path, key), "expected a string or an array of strings, found \(value.typeName)")
            return nil
        }
        var texts: [String] = []
        for (offset, item) in items.enumerated() {
            guard let text = item.stringValue else {
                report("\(join(path, key))[\(offset)]", "expected a string, found \(item.typeName)")
                continue
            }
            texts.append(text)
        }
        return texts
    }

    mutating func array(_ members: [String: JSONValue], _ key: String, _ path: String, required: Bool = true) -> [JSONValue] {
        guard let value = members[key], value != .null else {
            if required { report(join(path, key), "missing") }
            return []
        }
        guard let items = value.arrayValue else {
            report(join(path, key), "expected an array, found \(value.typeName)")
            return []
        }
        return items
    }

    /// Reports each member not among `allowed`, so that typos are caught rather than ignored. The
    /// names are an array literal, compared in place: a set made of them would hash every name of
    /// every object of a document read (a definition's fields and transitions each), to look up a
    /// handful of members.
    mutating func rejectUnknown(_ members: [String: JSONValue], allowed: [String], _ path: String) {
        for key in members.keys.sorted() where !allowed.contains(key) {
            report(join(path, key), "unknown member; expected one of: \(allowed.sorted().joined(separator: ", "))")
        }
    }
}
