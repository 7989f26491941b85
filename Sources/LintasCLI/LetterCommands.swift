import LintasCore
import LintasEngine
import LintasStore

/// `lintas letter list` and `lintas letter show`: the letters steps issued, as frozen in their events.
enum LetterCommands {
    /// A letter and the request that issued it.
    struct Issued {
        var request: RequestID
        var letter: LetterRecord
    }

    /// Every letter of the store, or of one request, in the order issued.
    static func letters(_ view: RequestCommands.View, request: RequestID?, _ context: Context) throws -> [Issued] {
        if let request {
            return try view.state(request, context).letters.map { Issued(request: request, letter: $0) }
        }
        var found: [Issued] = []
        try view.store.forEachRequest { stored in
            let state = try stored.decode()
            found += state.letters.map { Issued(request: state.request, letter: $0) }
        }
        return found.sorted { ($0.letter.register, $0.letter.sequence) < ($1.letter.register, $1.letter.sequence) }
    }

    static func list(_ context: Context) throws -> Int32 {
        let view = try RequestCommands.View(context)
        let issued = try letters(view, request: context.arguments.positionals.first.map(RequestID.init), context)
        let out = context.output
        if out.json {
            out.document(.object(["letters": .array(issued.map { item in
                .object(["id": .string(item.letter.id), "request": .string(item.request.rawValue), "type": .string(item.letter.type),
                         "label": .string(item.letter.label), "number": .string(item.letter.number),
                         "date": item.letter.content?["date"] ?? .null, "content_hash": item.letter.contentHash.map(JSONValue.string) ?? .null])
            })]))
            return 0
        }
        if issued.isEmpty { out.line("No letters issued.") }
        for item in issued {
            let date = item.letter.content?["date"]?.stringValue ?? "—"
            out.line("\(item.letter.number)  \(date)  \(item.letter.label)  request \(item.request)  (id \(item.letter.id))")
        }
        return 0
    }

    static func show(_ context: Context) throws -> Int32 {
        let view = try RequestCommands.View(context)
        let wanted = context.arguments.positionals[0]
        let format = context.arguments.option("format") ?? (context.output.json ? "json" : "text")
        guard ["text", "html", "json"].contains(format) else { throw UsageError("--format must be text, html or json, not '\(format)'") }
        let matches = try letters(view, request: nil, context).filter { $0.letter.number == wanted || $0.letter.id == wanted }
        guard let item = matches.first else {
            context.output.error("Error: no letter numbered or with id '\(wanted)'.")
            context.output.error("See 'lintas letter list' for the letters issued.")
            return 1
        }
        if matches.count > 1 {
            context.output.error("Error: \(matches.count) letters carry the number '\(wanted)'; give the id instead: \(matches.map(\.letter.id).joined(separator: ", ")).")
            return 1
        }
        guard let content = item.letter.content else {
            context.output.error("Error: letter \(item.letter.number) was issued before lintas kept letter contents; only its number is recorded.")
            return 1
        }
        let letter = LetterView(content: content, hash: item.letter.contentHash)
        switch format {
        case "json":
            var members = content.objectValue ?? [:]
            if let hash = item.letter.contentHash { members["content_hash"] = .string(hash) }
            context.output.document(.object(members))
        case "html": context.output.line(letter.html)
        default: context.output.line(letter.text)
        }
        return 0
    }
}
