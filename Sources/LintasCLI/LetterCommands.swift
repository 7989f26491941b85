import LintasCore
import LintasEngine
import LintasStore

/// `lintas letter list` and `lintas letter show`: the letters steps issued, as frozen in their events.
enum LetterCommands {
    /// Every letter of the store, or of one request, in register order; a request that does
    /// not exist is explained on stderr.
    static func references(_ view: RequestCommands.View, request: RequestID?, _ context: Context) throws -> [(request: RequestID, reference: LetterReference)] {
        if let request { _ = try view.state(request, context) }
        return try IssuedLetters.references(in: view.store, request: request)
    }

    static func list(_ context: Context) throws -> Int32 {
        let view = try RequestCommands.View(context)
        let issued = try references(view, request: context.arguments.positionals.first.map(RequestID.init), context)
        let out = context.output
        if out.json {
            out.document(.object(["letters": .array(issued.map { item in
                var members = Self.members(of: item.reference, request: item.request)
                members["request"] = .string(item.request.rawValue)
                return .object(members)
            })]))
            return 0
        }
        if issued.isEmpty { out.line("No letters issued.") }
        for item in issued {
            out.line("\(item.reference.printedNumber)  \(item.reference.date ?? "—")  \(item.reference.label)  request \(item.request)  (id \(item.reference.id(of: item.request)))")
        }
        return 0
    }

    /// What `letter list --json` and `status --json` say of a letter: `number` is null for a letter without one.
    static func members(of reference: LetterReference, request: RequestID) -> [String: JSONValue] {
        ["id": .string(reference.id(of: request)), "type": .string(reference.type), "label": .string(reference.label),
         "number": reference.numbered ? .string(reference.number) : .null, "numbering": .string(reference.numbering.rawValue),
         "date": reference.date.map(JSONValue.string) ?? .null, "content_hash": reference.contentHash.map(JSONValue.string) ?? .null]
    }

    static func show(_ context: Context) throws -> Int32 {
        let view = try RequestCommands.View(context)
        let wanted = context.arguments.positionals[0]
        let format = context.arguments.option("format") ?? (context.output.json ? "json" : "text")
        guard ["text", "html", "json"].contains(format) else { throw UsageError("--format must be text, html or json, not '\(format)'") }
        let matches = try references(view, request: nil, context).filter {
            ($0.reference.numbered && $0.reference.number == wanted) || $0.reference.id(of: $0.request) == wanted
        }
        guard let match = matches.first else {
            context.output.error("Error: no letter numbered or with id '\(wanted)'.")
            context.output.error("See 'lintas letter list' for the letters issued.")
            return 1
        }
        if matches.count > 1 {
            context.output.error("Error: \(matches.count) letters carry the number '\(wanted)'; give the id instead: \(matches.map { $0.reference.id(of: $0.request) }.joined(separator: ", ")).")
            return 1
        }
        let item = try IssuedLetters.load(match.reference, of: match.request, in: view.store)
        guard let content = item.record.content else {
            context.output.error("Error: letter \(item.reference.printedNumber) was issued before lintas kept letter contents; only its number is recorded.")
            return 1
        }
        let letter = LetterView(content: content, hash: item.record.contentHash)
        switch format {
        case "json":
            var members = content.objectValue ?? [:]
            if let hash = item.record.contentHash { members["content_hash"] = .string(hash) }
            context.output.document(.object(members))
        case "html": context.output.line(letter.html)
        default: context.output.line(letter.text)
        }
        return 0
    }
}

extension LetterReference {
    /// The number as printed; a letter an employee writes has none.
    var printedNumber: String { numbered ? identity.number : LetterView.noNumber }
}
