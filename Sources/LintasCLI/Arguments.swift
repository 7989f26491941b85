/// A command line split into positional arguments, flags (`--json`) and options with a value
/// (`--db PATH` or `--db=PATH`).
struct Arguments {
    var positionals: [String] = []
    var flags: Set<String> = []
    var options: [String: String] = [:]

    func has(_ flag: String) -> Bool { flags.contains(flag) }

    func option(_ name: String) -> String? { options[name] }

    /// An option's value as a positive whole number.
    func positiveInteger(_ name: String) throws(UsageError) -> Int? {
        guard let text = options[name] else { return nil }
        guard let number = Int(text), number > 0 else { throw UsageError("--\(name) takes a positive whole number, not \"\(text)\"") }
        return number
    }

    /// Splits arguments according to what a command accepts.
    /// - Throws: `UsageError` for an unknown option, or an option missing its value.
    static func parse(_ arguments: [String], flags: Set<String>, options: Set<String>) throws(UsageError) -> Arguments {
        var result = Arguments()
        var index = 0
        var onlyPositionals = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || !argument.hasPrefix("--") {
                if !onlyPositionals && argument.hasPrefix("-") && argument != "-" {
                    throw UsageError("unknown option '\(argument)'")
                }
                result.positionals.append(argument)
                continue
            }
            if argument == "--" {
                onlyPositionals = true
                continue
            }
            var name = String(argument.dropFirst(2))
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if flags.contains(name) {
                if value != nil { throw UsageError("--\(name) takes no value") }
                result.flags.insert(name)
            } else if options.contains(name) {
                if value == nil {
                    // `--request --limit 5`: the next option is not this one's value (`--request=--x` gives such a value).
                    guard index < arguments.count, !(arguments[index].hasPrefix("--") && arguments[index].count > 2) else {
                        throw UsageError("--\(name) needs a value")
                    }
                    value = arguments[index]
                    index += 1
                }
                // An empty value is no value: SQLite would open an empty temporary database for `--db=`.
                guard let value, !value.isEmpty else { throw UsageError("--\(name) needs a value") }
                result.options[name] = value
            } else {
                let known = (flags.union(options)).sorted().map { "--\($0)" }
                throw UsageError("unknown option '--\(name)'" + (known.isEmpty ? "" : "; this command takes \(known.joined(separator: ", "))"))
            }
        }
        return result
    }
}

/// The command line was wrong: exit 64 with the command's usage.
struct UsageError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// A failure already explained to the user; only the exit code is left to set.
struct Failure: Error {
    var exitCode: Int32 = 1
}
