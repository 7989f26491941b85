import LintasCore
import TestSupport
import Testing

/// The daemon writes events and states with encoders that skip building a `JSONValue`; what
/// they write must be exactly the canonical JSON of `json`, which the hashes and `audit` rely on.
@Suite("direct canonical encoders write what the JSON values do")
struct CanonicalEncodingTests {
    /// Folds the event as the store holds it: its columns and the canonical bytes of its detail.
    static func fold(_ event: Event, into fold: inout RequestFold) throws {
        try Self.fold(bytes: event.detail.canonicalBytes, of: event, into: &fold)
    }

    /// Folds `data` as the stored detail of an event with `event`'s columns; with `openingBody`, as a fold's scan gives
    /// a detail: `data` its rest, apart from its opening's body.
    static func fold(bytes data: [UInt8], of event: Event, into fold: inout RequestFold, by: Range<Int>? = nil, opening: Int? = nil,
                     openingBody: [UInt8]? = nil) throws {
        var (request, action, state, actor) = (event.request.rawValue, event.action, event.state, event.actor.rawValue)
        try request.withUTF8 { request in
            try action.withUTF8 { action in
                try state.withUTF8 { state in
                    try actor.withUTF8 { actor in
                        try data.withUnsafeBytes { data in
                            try (openingBody ?? []).withUnsafeBytes { body in
                                try fold.apply(request: UnsafeRawBufferPointer(request), version: event.version, action: UnsafeRawBufferPointer(action),
                                               state: UnsafeRawBufferPointer(state), actor: UnsafeRawBufferPointer(actor), at: event.at.milliseconds, data: data,
                                               by: by, opening: opening, openingBody: openingBody == nil ? nil : body)
                            }
                        }
                    }
                }
            }
        }
    }

    @Test("the fold writes participants as the state does: actions and officials that need escapes or are not ASCII, actions that sort by their bytes")
    func foldedParticipants() throws {
        // "ab" before "ab!" (a prefix first: its closing quote, 0x22, would sort after "!", 0x21), "é" after "z" by its
        // UTF-8, "recommend_b" after "recommend_a" and "recommend" (the same first eight bytes), "a\u{1}" (escaped)
        // before "ab"; officials with a quote, a tab, text that is not ASCII.
        let steps: [(action: String, actor: String)] = [("submit", "198003152005011002"), ("ab", "19800315200501100\""), ("ab!", "1980031520050110é"),
                                                        ("é", "1980\t3152005011002"), ("z", "198003152005011002"), ("ab", "198003152005011002"),
                                                        ("recommend_b", "198003152005011002"), ("recommend", "198003152005011002"),
                                                        ("recommend_a", "198003152005011002"), ("a\u{1}", "198003152005011002")]
        var state: RequestState?
        var fold = RequestFold()
        for (index, step) in steps.enumerated() {
            let event = Self.step(request: "PML-9", version: index + 1, action: step.action, actor: step.actor)
            state = try RequestState.evolve(state, event)
            try Self.fold(event, into: &fold)
            var folded: [UInt8] = []
            fold.writeCanonical(into: &folded)
            #expect(folded == state!.canonicalBytes)
        }
        #expect(state!.participants["ab"] == [NIP("19800315200501100\""), NIP("198003152005011002")])
        let written = String(decoding: state!.canonicalBytes, as: UTF8.self)
        #expect(written.contains(#""participants":{"a\u0001":["198003152005011002"],"ab":["19800315200501100\"","198003152005011002"],"ab!":["1980031520050110é"],"#
                                 + #""recommend":["198003152005011002"],"recommend_a":["198003152005011002"],"recommend_b":["198003152005011002"],"submit":"#))
    }

    /// A step of a request with only its action and actor its own: the first names its workflow and definition.
    static func step(request: RequestID, version: Int, action: String, actor: String, warnings: [String] = []) -> Event {
        let at = Timestamp(milliseconds: 1_740_967_200_000).adding(milliseconds: Int64(version) * 60_000)
        // A state of its own after an accept or a reject: the fold's guess of a version's state is right and wrong in turn.
        let state = action == "accept" ? "accepted" : action == "reject" ? "rejected" : "requested"
        return Event(request: request, version: version, action: action, state: state, actor: NIP(actor), at: at, recorded: at,
                     command: CommandID("c-\(request.rawValue)-\(version)"),
                     detail: Event.Detail(article: "Pasal 11 ayat (4) huruf a", role: "pimpinan_uo_pemilik", actorName: "Heru", actorTitle: "Kabid",
                                          capacity: .definitive, position: "kabid-p2p", fields: ["purpose": "x"], warnings: warnings,
                                          workflow: version == 1 ? "pemalang.penunjukan.lintas-pd" : nil, definition: version == 1 ? "abc" : nil))
    }

    @Test("one fold over requests whose actions come in other orders, again and again: each request's participants and warnings as its state writes them")
    func foldedActionOrders() throws {
        // The same actions in another order, a run that is another's start, a run met again after more than
        // the fold keeps (eight) other runs, an action taken twice.
        var runs: [[String]] = [["submit", "recommend", "approve", "issue_letter", "accept"], ["submit", "reject"],
                                ["submit", "recommend", "approve", "issue_letter", "accept"], ["submit", "approve", "recommend", "issue_letter", "accept"],
                                ["submit", "recommend"], ["submit", "recommend", "approve", "issue_letter", "accept"]]
        runs += (0..<9).map { ["submit", "step_\($0)", "accept"] }
        runs += [["submit", "reject"], ["submit", "recommend", "recommend", "approve"], ["submit", "step_0", "accept"]]
        var fold = RequestFold()
        for (number, run) in runs.enumerated() {
            fold.reset()
            var state: RequestState?
            for (index, action) in run.enumerated() {
                // Warnings on some steps, none on others (the fold appends only what a step has).
                let warnings = (number + index) % 3 == 0 ? ["kuota \(number)-\(index)", "catatan"] : []
                let event = Self.step(request: RequestID("PML-\(number)"), version: index + 1, action: action, actor: "19800315200501100\(index)",
                                      warnings: warnings)
                state = try RequestState.evolve(state, event)
                try Self.fold(event, into: &fold)
            }
            var folded: [UInt8] = []
            fold.writeCanonical(into: &folded)
            #expect(folded == state!.canonicalBytes, "\(run)")
        }
    }

    @Test("states written one after another into one reused buffer (the daemon's writer): each its canonical bytes, a longer one than the room first made, a shorter one after it")
    func reusedBuffer() throws {
        var walk = try Walk()
        var contents = Walk.contents
        // Longer than the buffer's first room (2 KB): it grows, and the states after it are written from its start.
        contents["purpose"] = .string(String(repeating: "Dasbor surveilans \"Puskesmas\" — ", count: 90))
        try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", contents)
        let long = try #require(walk.state)
        var short = try Walk("PML-2")
        try short.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", Walk.contents)
        try short.run("recommend", by: Pemalang.kadisKominfo, at: "2025-03-04T09:00:00+07:00")
        #expect(long.canonicalBytes.count > 2048)
        var buffer = CanonicalBuffer()
        for state in [short.state!, long, short.state!, long] {
            let written = state.withCanonicalBytes(in: &buffer) { Array($0) }
            #expect(written == state.canonicalBytes)
            #expect(written == state.json.canonicalBytes)
        }
    }

    @Test("every event and state of Pasal 11 ayat (4) a–e, with text that needs escaping and text that is not ASCII")
    func directEqualsJSON() throws {
        var walk = try Walk()
        // A definition stored before letters cited each other: its letters repeat the free-text reference in the request part.
        walk.definition = try Fixtures.pemalangWorkflowWithReference()
        var contents = Walk.contents
        contents["purpose"] = "Dasbor \"surveilans\"\nuntuk Puskesmas\\Pustu, tahap ke-2 — ɓaru, 日本"
        contents["reference"] = "400.7/112/P2P/2025"
        try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", contents)
        try walk.run("recommend", by: Pemalang.kadisKominfo, at: "2025-03-04T09:00:00+07:00", ["note": "Tab\there"])
        try walk.run("approve", by: Pemalang.kabidAptika, at: "2025-03-05T09:00:00+07:00",
                     ["nominees": .array([.string(Pemalang.prakomMuda), .string(Pemalang.prakomPertama)])])
        try walk.run("issue_letter", by: Pemalang.kadisKominfo, at: "2025-03-06T09:00:00+07:00")
        try walk.run("accept", by: Pemalang.prakomMuda, at: "2025-03-07T09:00:00+07:00")
        try walk.run("accept", by: Pemalang.prakomPertama, at: "2025-03-07T10:00:00+07:00")
        #expect(walk.events.count == 6)
        var state: RequestState?
        var fold = RequestFold()  // from the events' stored bytes, their letters' content read past, as replay and audit read them
        for event in walk.events {
            #expect(event.detail.canonicalBytes == event.detail.json.canonicalBytes)
            state = try RequestState.evolve(state, event)
            try Self.fold(event, into: &fold)
            #expect(try fold.result() == state)
            var folded: [UInt8] = []
            fold.writeCanonical(into: &folded)
            #expect(folded == state!.canonicalBytes)
            #expect(state!.canonicalBytes == state!.json.canonicalBytes)
            #expect(try RequestState(json: JSONValue.parse(state!.canonicalBytes)) == state)
            #expect(try RequestState(bytes: state!.canonicalBytes) == state)
            #expect(try Event.Detail(json: JSONValue.parse(event.detail.canonicalBytes)) == event.detail)
            #expect(try Event.Detail(bytes: event.detail.canonicalBytes) == event.detail)
            if let content = event.detail.letter?.content {
                // Stored in parts (schema 7): put back together, the bytes the seal was computed over.
                let implied = LetterParts.implied(try #require(event.detail.letter), request: event.request)
                let (own, parts) = LetterParts.split(content, implied: implied)
                #expect(parts.count == 2 && own["kop"] == nil && own["contents"] == nil && own["number"] == nil && own["date"] == content["date"])
                #expect(try LetterParts.assemble(own: own.canonicalBytes, parts: parts.map(\.canonicalBytes), implied: implied) == content.canonicalBytes)
                // A member that differs from what the event says is kept, and wins.
                let other = ["number": JSONValue.string("elsewhere"), "request": "PML-0"]
                let (kept, _) = LetterParts.split(content, implied: other)
                #expect(kept["number"] == content["number"] && kept["request"] == content["request"])
                #expect(try LetterParts.assemble(own: kept.canonicalBytes, parts: parts.map(\.canonicalBytes), implied: other) == content.canonicalBytes)
                // Encoded once for the daemon (the seal's bytes and the parts as stored): the same bytes as split and encoded apart.
                for implied in [implied, other] {
                    let encoded = LetterParts.encode(content, implied: implied)
                    let split = LetterParts.split(content, implied: implied)
                    #expect(encoded.whole == content.canonicalBytes)
                    #expect(encoded.own == split.own.canonicalBytes)
                    #expect(encoded.parts == split.parts.map(\.canonicalBytes))
                }
                // Composed in pieces by decide: sealed and stored from them without the whole as a tree or a buffer,
                // the same members, parts and whole bytes as the tree split and encoded.
                let letter = try #require(event.detail.letter)
                let composed = try #require(letter.composed)
                var assembler = LetterParts.Assembler()
                for implied in [implied, other] {
                    var whole: [UInt8] = []
                    var pretending = letter
                    if let number = implied["number"]?.stringValue { pretending.number = number }
                    let encoded = try LetterParts.encode(composed, implying: pretending, request: RequestID(implied["request"]!.stringValue!),
                                                         assembler: &assembler) { whole.append(contentsOf: $0) }
                    let split = LetterParts.split(content, implied: LetterParts.implied(pretending, request: RequestID(implied["request"]!.stringValue!)))
                    #expect(whole == content.canonicalBytes)
                    #expect(encoded.own == split.own.canonicalBytes)
                    #expect(encoded.parts == split.parts.map(\.canonicalBytes))
                }
                var stored = try #require(event.detail.letter)
                (stored.content, stored.parts) = (own, [String(repeating: "0f", count: 32), String(repeating: "e1", count: 32)])
                var detail = event.detail
                detail.letter = stored
                #expect(detail.canonicalBytes == detail.json.canonicalBytes)
                #expect(try Event.Detail(bytes: detail.canonicalBytes) == detail)
            }
        }
        #expect(throws: JSONSyntaxError.self, "a member in two pieces") {
            try LetterParts.assemble(own: Array(#"{"date":"2025-03-06","kop":{}}"#.utf8), parts: [Array(#"{"kop":{}}"#.utf8)])
        }
        // Names written with escapes are merged as the text they stand for and written canonically,
        // as the letter's content tree would write them; the same name escaped or not is one name.
        #expect(try LetterParts.assemble(own: Array(#"{"date":1,"z\"q":2}"#.utf8), parts: [Array(#"{"b\u0061":3}"#.utf8)], implied: ["id": "x"])
                == Array(#"{"ba":3,"date":1,"id":"x","z\"q":2}"#.utf8))
        #expect(try LetterParts.assemble(own: Array(#"{"date":1,"z\"q":2}"#.utf8), parts: [Array(#"{"b\u0061":3}"#.utf8)], implied: ["id": "x"])
                == JSONValue.parse(#"{"z\"q":2,"date":1,"ba":3,"id":"x"}"#).canonicalBytes)
        // Pieces not written as lintas writes JSON (whitespace around a member, from the first or a later
        // one) are read member by member: the same members, each value's bytes as stored.
        #expect(try LetterParts.assemble(own: Array(#" {"date":1, "kop" : {}}"#.utf8), parts: [Array(#"{"b":[2, 3] }"#.utf8), Array(#"{ "c":4}"#.utf8)])
                == Array(#"{"b":[2, 3],"c":4,"date":1,"kop":{}}"#.utf8))
        #expect(try LetterParts.assemble(own: Array(#"{"date":1,"kop":{}}"#.utf8), parts: [Array(#"{"b":[2,3]}"#.utf8), Array(#"{}"#.utf8)])
                == Array(#"{"b":[2,3],"date":1,"kop":{}}"#.utf8))
        #expect(throws: JSONSyntaxError.self, "a member in two pieces, once escaped") {
            try LetterParts.assemble(own: Array(#"{"ba":1}"#.utf8), parts: [Array(#"{"b\u0061":2}"#.utf8)])
        }
        // An implied member another piece holds is taken from that piece, whatever the escapes.
        #expect(try LetterParts.assemble(own: Array(#"{"n\u0075mber":"B"}"#.utf8), parts: [], implied: ["number": "A", "request": "R"])
                == Array(#"{"number":"B","request":"R"}"#.utf8))
        #expect(throws: EventFormatError.self) { try Event.Detail(bytes: Array(#"{"article":"x","fields":{}}"#.utf8)) }
        #expect(throws: EventFormatError.self) { try Event.Detail(bytes: Array(#"{"article":1}"#.utf8)) }
        #expect(throws: EventFormatError.self) { try RequestState(bytes: Array(#"{"request":"PML-1"} x"#.utf8)) }
        var warned = try #require(state)
        warned.warnings = ["a \"warning\""]
        #expect(warned.canonicalBytes == warned.json.canonicalBytes)
        warned.remindedFor = warned.since
        warned.ended = warned.updated
        #expect(warned.canonicalBytes == warned.json.canonicalBytes, "the timers' members, once set")
        #expect(try RequestState(bytes: warned.canonicalBytes) == warned)
        #expect(warned.letters.count == 2, "the surat permohonan pelibatan (huruf a) and the surat penugasan (huruf c), by reference")
        warned.letters.append(warned.letters[0])
        warned.letters[0].contentHash = String(repeating: "ab", count: 32)
        warned.letters[1].date = nil
        #expect(warned.canonicalBytes == warned.json.canonicalBytes, "letter references with and without seal and date")
        #expect(try RequestState(bytes: warned.canonicalBytes) == warned)
        // A stored state read in place (names as bytes, letters and participants without a tree) refuses what lintas does not write.
        let text = String(decoding: warned.canonicalBytes, as: UTF8.self)
        #expect(text.contains(#","version":1}"#) && text.contains(#""accept":[""#))
        for broken in [text.replacing(#","version":1}"#, with: "}"), text.replacing(#""accept":[""#, with: #""accept":[1,""#)] {
            #expect(throws: EventFormatError.self) { try RequestState(bytes: Array(broken.utf8)) }
        }
        // Its letters are kept as stored until asked for: the same references, written back as they stood,
        // and checked as strictly when the state is read: a member missing, a number for text, text for a number.
        let read = try RequestState(bytes: warned.canonicalBytes)
        #expect(read.canonicalBytes == warned.canonicalBytes && read.letters == warned.letters && read.letters.count == 3)
        var appended = read
        appended.letters.append(warned.letters[1])
        #expect(appended.canonicalBytes == appended.json.canonicalBytes && appended.letters.count == 4)
        #expect(text.contains(#""type":"surat_penugasan""#) && text.contains(#""label":"Surat Penugasan""#) && text.contains(#""sequence":"#))
        for broken in [text.replacing(#""type":"surat_penugasan""#, with: #""kind":"surat_penugasan""#),
                       text.replacing(#""label":"Surat Penugasan""#, with: #""label":15"#), text.replacing(#""sequence":"#, with: #""sequence":"1","x":"#)] {
            #expect(throws: EventFormatError.self) { try RequestState(bytes: Array(broken.utf8)) }
            #expect(throws: EventFormatError.self, "as the tree's reading") { try RequestState(json: JSONValue.parse(broken)) }
        }
        // A state only looked at keeps its participants as stored: the same people, written back as they stood; a
        // step's person appended in place is written canonically; and checked as strictly as reading them when the
        // state is read: text or an object for an action's list, a number in it, a list for the object.
        let looked = try RequestState(bytes: warned.canonicalBytes, keepingParticipants: true)
        #expect(looked == read && looked.canonicalBytes == warned.canonicalBytes)
        #expect(looked.participants == warned.participants && looked.participants["accept"]?.isEmpty == false)
        var stepped = looked
        stepped.participants["accept", default: []].append(NIP("199001012015011001"))
        #expect(stepped.canonicalBytes == stepped.json.canonicalBytes && stepped != looked)
        #expect(stepped.participants["accept"] == (warned.participants["accept"] ?? []) + [NIP("199001012015011001")])
        guard case .object(var members) = try JSONValue.parse(warned.canonicalBytes) else { Issue.record("a state is an object"); return }
        for participants: JSONValue in [.object(["accept": .string("x")]), .object(["accept": .object([:])]),
                                         .object(["accept": .array([.int(1)])]), .array([])] {
            members["participants"] = participants
            for keep in [false, true] {
                #expect(throws: EventFormatError.self, "\(participants)") {
                    try RequestState(bytes: JSONValue.object(members).canonicalBytes, keepingParticipants: keep)
                }
            }
        }
    }

    @Test("a letter's pieces merged as one canonical object: names that share their first eight bytes or begin one another, not ASCII, a piece's members before every other's, an implied member another piece holds, a member in two pieces refused")
    func mergedPieces() throws {
        let names = ["a", "ab", "abcdefgh", "abcdefgha", "abcdefghb", "abcdefgi", "contents", "contents_heading", "contentsa", "date",
                     "id", "idx", "number", "numbers", "request", "request_", "z", "zz", "étéa", "été"]
        var seed: UInt64 = 0x5EED
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        var merged = 0, refused = 0
        for _ in 0..<400 {
            // Each name in none, one or (now and then) two of the own piece and two parts.
            var pieces: [[String: JSONValue]] = [[:], [:], [:]]
            for name in names where next(3) > 0 {
                let value = JSONValue.int(Int64(next(100)))
                pieces[next(3)][name] = value
                if next(25) == 0 { pieces[next(3)][name] = value }
            }
            let implied = ["id": JSONValue.string("x"), "number": "7", "request": "R"].filter { _ in next(2) == 0 }
            func bytes(_ members: [String: JSONValue]) -> [UInt8] { JSONValue.object(members).canonicalBytes }
            var whole: [String: JSONValue] = [:], twice = false
            for piece in pieces {
                for (name, value) in piece {
                    if whole[name] != nil { twice = true }
                    whole[name] = value
                }
            }
            let assembled = try? LetterParts.assemble(own: bytes(pieces[0]), parts: [bytes(pieces[1]), bytes(pieces[2])], implied: implied)
            if twice {
                #expect(assembled == nil)
                refused += 1
            } else {
                whole.merge(implied) { held, _ in held }
                #expect(assembled == JSONValue.object(whole).canonicalBytes)
                merged += 1
            }
        }
        #expect(merged > 100 && refused > 10)
    }

    @Test("a stored letter's implied members (audit's way, from its event's tokens) are written as its values' are: every numbering, escapes, non-ASCII, sequences of any length, each passed over where a piece holds it")
    func impliedFromStoredTokens() throws {
        let own = Array(#"{"date":"2025-03-06","perihal":"Mutasi"}"#.utf8), holding = Array(#"{"id":"held","request":"held"}"#.utf8)
        var compared = 0
        for numbering in [LetterRecord.Numbering.register, .external, .none] {
            for (register, number) in [("800", "800/17/BKPSDM/2025"), ("8\"0", "80\\0/1"), ("é\u{1}", "№ 5"), ("", "")] {
                for sequence in [0, 7, 10, 99, 123_456, Int(Int32.max), Int.max, -1, Int.min] {
                    for request in ["REQ-2025-000017", "R\"q", "Ré", ""] {
                        let letter = LetterRecord(type: "sk", label: "SK", number: number, register: register, sequence: sequence, numbering: numbering)
                        for parts in [[], [holding]] {
                            func written(_ write: (inout LetterParts.Assembler, (UnsafeRawBufferPointer) -> Void) throws -> Void) throws -> [UInt8] {
                                var assembler = LetterParts.Assembler(), output: [UInt8] = []
                                try own.withUnsafeBytes { try assembler.start(own: $0) }
                                for part in parts { assembler.add(try part.withUnsafeBytes { try LetterParts.Piece($0) }) }
                                try write(&assembler) { output.append(contentsOf: $0) }
                                return output
                            }
                            let valued = try written { try $0.write(implying: letter, request: RequestID(request), to: $1) }
                            let stored = try written { assembler, sink in
                                try StoredLetter.with(letter) { stored in
                                    try Array(request.utf8).withUnsafeBytes { try assembler.write(implying: stored, request: $0, to: sink) }
                                }
                            }
                            #expect(stored == valued, "\(numbering) \(register) \(number) \(sequence) \(request)")
                            compared += 1
                        }
                    }
                }
            }
        }
        #expect(compared == 3 * 4 * 9 * 4 * 2)
    }

    @Test("a step on a state read with its participants as stored (the daemon's) writes the bytes the same step on values writes; stored participants not in canonical form are written canonically")
    func participantsAppendedAsStored() throws {
        let submitted = try Self.submitted().event
        let (first, other) = (submitted.actor, NIP("199001012015011001"))
        func step(_ state: RequestState, _ action: String, by actor: NIP) throws -> RequestState {
            var event = submitted
            (event.version, event.action, event.actor) = (state.version + 1, action, actor)
            (event.detail.fields, event.detail.letter) = ([:], nil)
            return try RequestState.evolve(state, event)
        }
        var valued = try RequestState.evolve(nil, submitted)
        #expect(valued.participants == ["submit": [first]])
        // An action after the last, before the first, between two, the first's and the last's; each read back as stored first.
        for (action, actor) in [("zz_last", first), ("approve", other), ("recommend", first), ("approve", first), ("zz_last", other), ("a", other)] {
            let kept = try step(RequestState(bytes: valued.canonicalBytes, keepingParticipants: true), action, by: actor)
            valued = try step(valued, action, by: actor)
            #expect(kept.canonicalBytes == valued.canonicalBytes, "\(action)")
            #expect(kept.canonicalBytes == kept.json.canonicalBytes && kept == valued, "\(action)")
        }
        #expect(valued.participants == ["a": [other], "approve": [other, first], "recommend": [first], "submit": [first], "zz_last": [first, other]])
        // Spaces, an escape, names out of order: made into values, the step's person appended, written canonically.
        let text = String(decoding: valued.canonicalBytes, as: UTF8.self)
        let stored = #""participants":{"a":["\#(other)"],"approve":["\#(other)","\#(first)"],"recommend":["\#(first)"],"submit":["\#(first)"],"zz_last":["\#(first)","\#(other)"]}"#
        #expect(text.contains(stored))
        let approve = #""approve":["\#(other)","\#(first)"],"#
        for changed in [#""participants":{"a": ["\#(other)"],"# + approve, #""participants":{"\u0061":["\#(other)"],"# + approve,
                        #""participants":{"# + approve + #""a":["\#(other)"],"#] {
            let unusual = text.replacing(#""participants":{"a":["\#(other)"],"# + approve, with: changed)
            #expect(unusual != text)
            let kept = try step(RequestState(bytes: Array(unusual.utf8), keepingParticipants: true), "recommend", by: other)
            let expected = try step(valued, "recommend", by: other)
            #expect(kept.canonicalBytes == expected.canonicalBytes && kept.canonicalBytes == kept.json.canonicalBytes, "\(changed)")
        }
    }

    @Test("a stored state whose letter lacks a required member is refused naming the member; a member lintas does not write is stepped over and kept")
    func storedLetterMembers() throws {
        let state = try RequestState.evolve(nil, try Self.submitted().event)
        #expect(state.letters.count == 1)
        guard case .object(var members) = try JSONValue.parse(state.canonicalBytes), case .array(let letters) = members["letters"],
              case .object(let letter) = letters.first else { Issue.record("a state with one letter"); return }
        func stored(_ letter: [String: JSONValue]) -> [UInt8] {
            members["letters"] = .array([.object(letter)])
            return JSONValue.object(members).canonicalBytes
        }
        for name in ["type", "label", "number", "register", "sequence", "version"] {
            var lacking = letter
            #expect(lacking.removeValue(forKey: name) != nil)
            let error = #expect(throws: EventFormatError.self, "without \(name)") { try RequestState(bytes: stored(lacking)) }
            #expect(error?.message.contains("a letter has no \"\(name)\"") == true, "\(error?.message ?? "")")
        }
        // Not required: a letter issued without content has no date or seal (this one has no seal: the core does not seal).
        var without = letter
        #expect(without.removeValue(forKey: "date") != nil && without["content_hash"] == nil)
        let undated = try RequestState(bytes: stored(without))
        #expect(undated.letters.count == 1 && undated.letters[0].identity == state.letters[0].identity && undated.letters[0].version == 1)
        #expect(undated.letters[0].date == nil && state.letters[0].date != nil)
        var extra = letter
        extra["remark"] = "x"
        let bytes = stored(extra)
        let read = try RequestState(bytes: bytes)
        #expect(read.letters == state.letters, "the member is stepped over")
        #expect(read.canonicalBytes == bytes, "and the stored bytes are written back as they stood")
    }

    @Test("an event whose letter lacks a required member is refused naming the member (Pasal 11 ayat (4) huruf a's surat permohonan pelibatan)")
    func eventLetterMembers() throws {
        let event = try Self.submitted().event
        #expect(event.detail.letter != nil)
        guard case .object(var members) = try JSONValue.parse(event.detail.canonicalBytes),
              case .object(let letter) = members["letter"] else { Issue.record("a detail with a letter"); return }
        #expect(try Event.Detail(bytes: JSONValue.object(members).canonicalBytes) == event.detail)
        for name in ["type", "label", "number", "register", "sequence"] {
            var lacking = letter
            #expect(lacking.removeValue(forKey: name) != nil)
            members["letter"] = .object(lacking)
            let error = #expect(throws: EventFormatError.self, "without \(name)") { try Event.Detail(bytes: JSONValue.object(members).canonicalBytes) }
            #expect(error?.message.contains("a letter has no \"\(name)\"") == true, "\(error?.message ?? "")")
            // Replay's fold refuses it too (it keeps a letter read only with all five).
            var fold = RequestFold()
            #expect(throws: EventFormatError.self, "folded without \(name)") {
                try Self.fold(bytes: JSONValue.object(members).canonicalBytes, of: event, into: &fold)
            }
        }
    }

    /// A submission of Pasal 11 ayat (4) huruf a and its detail as stored.
    static func submitted() throws -> (event: Event, written: String) {
        var walk = try Walk()
        try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", Walk.contents)
        let event = try #require(walk.events.first)
        return (event, String(decoding: event.detail.canonicalBytes, as: UTF8.self))
    }

    @Test("replay's fold given a detail's rest and its opening apart reads them put together the first time it meets the opening's number, then the rest alone: the same states, and what it refuses refused with the same message")
    func foldedRest() throws {
        let (event, written) = try Self.submitted()
        let data = Array(written.utf8)
        // Apart as the store keeps them (`StoredOpenings.split`): the opening through the definition, the rest after it.
        let opened = try #require(data.firstRange(of: Array(#""definition":""#.utf8))).upperBound
        let end = try #require(data[opened...].firstIndex(of: UInt8(ascii: "\""))) + 1
        let body = Array(data[..<end]) + [UInt8(ascii: "}")]
        let rest = [UInt8(ascii: "{")] + data[(end + 1)...]
        let byStart = try #require(data.firstRange(of: Array(#""by":{"#.utf8))).upperBound - 1
        let by = byStart..<(try #require(data[byStart...].firstIndex(of: UInt8(ascii: "}"))) + 1)
        func joined(_ rest: [UInt8], _ body: [UInt8]) -> [UInt8] { Array(body.dropLast() + [UInt8(ascii: ",")] + rest.dropFirst()) }
        #expect(joined(rest, body) == data)
        var whole = RequestFold()
        try Self.fold(bytes: data, of: event, into: &whole, by: by, opening: 0)
        let expected = try whole.result()
        var expectedBytes: [UInt8] = []
        whole.writeCanonical(into: &expectedBytes)
        var apart = RequestFold()
        for _ in 0..<3 {
            apart.reset()
            try Self.fold(bytes: rest, of: event, into: &apart, by: by, opening: 0, openingBody: body)
            #expect(try apart.result() == expected)
            var bytes: [UInt8] = []
            apart.writeCanonical(into: &bytes)
            #expect(bytes == expectedBytes)
        }
        // Rests not as lintas writes them, after the opening was met: each folded (or refused, with the same message) as
        // the same bytes put together, folded by a fold that met the opening too.
        let fields = String(try #require(written.firstMatch(of: /"fields":\{[^}]*\}/)).output)
        let text = String(decoding: rest, as: UTF8.self)
        let rests = ["{}", "{ }", "{,", #"{"fields":{}"#, #"{"fields":1}"#, #"{ "fields":{}}"#, text + "x", text + " ", "{" + text,
                     text.replacing(fields, with: #""fields":{"a":"b"#), text.replacing(fields, with: "\"fields\":{\"a\":\"\u{1}\"}"),
                     text.replacing(fields, with: #""fields":{"a":1,}"#), text.replacing(#""letter":{"#, with: #""letter":{"type":1,"#),
                     text.replacing(fields, with: #""article":"x","fields":{}"#), text.replacing(fields, with: #""by":{},"fields":{}"#),
                     text.replacing(fields, with: #""definition":"x","fields":{}"#), #"{"fields":{}}"#]
        for text in rests {
            let changed = Array(text.utf8)
            whole.reset()
            apart.reset()
            let folded = Result { try Self.fold(bytes: joined(changed, body), of: event, into: &whole, by: by, opening: 0) }
            let read = Result { try Self.fold(bytes: changed, of: event, into: &apart, by: by, opening: 0, openingBody: body) }
            switch (folded, read) {
            case (.success, .success): #expect(try apart.result() == whole.result(), "\(text)")
            case (.failure(let error), .failure(let other)): #expect("\(other)" == "\(error)" && type(of: other) == type(of: error), "\(text)")
            default: Issue.record("\(text): \(folded) put together, \(read) apart")
            }
        }
        // Within a scan a number names one opening, so the fold trusts it once read: under the same number a body of the
        // same length is not read again (the store never gives one); under a number not met it is read strictly, as put together.
        var control = body
        control[try #require(data.firstRange(of: Array(#"","by":"#.utf8))).lowerBound - 1] = 0x01
        apart.reset()
        try Self.fold(bytes: rest, of: event, into: &apart, by: by, opening: 0, openingBody: control)
        #expect(try apart.result() == expected)
        apart.reset()
        let refused = Result { try Self.fold(bytes: rest, of: event, into: &apart, by: by, opening: 1, openingBody: control) }
        var fresh = RequestFold()
        let refusedWhole = Result { try Self.fold(bytes: joined(rest, control), of: event, into: &fresh, by: by, opening: 1) }
        guard case .failure(let error) = refused, case .failure(let other) = refusedWhole else {
            Issue.record("\(refused), \(refusedWhole)")
            return
        }
        #expect(error is EventFormatError && "\(error)" == "\(other)", "\(error)")
        // A rest or a body that is not an object is not put together: the rest is read as stored, as the store reads it.
        apart = RequestFold()
        let notJoined = Result { try Self.fold(bytes: Array("[1]".utf8), of: event, into: &apart, by: by, opening: 2, openingBody: body) }
        fresh = RequestFold()
        let asStored = Result { try Self.fold(bytes: Array("[1]".utf8), of: event, into: &fresh) }
        #expect("\(notJoined)" == "\(asStored)")
    }

    @Test("replay's fold reads an official's capacity as decoding does: as lintas writes it or with an escape; any other capacity is refused")
    func foldedCapacity() throws {
        let (event, written) = try Self.submitted()
        #expect(written.contains(#""capacity":"definitif""#))
        for (spelling, accepted) in [(#""defin\u0069tif""#, true), (#""Plt.""#, true), (#""acting""#, false), (#""Definitif""#, false)] {
            let data = Array(written.replacing(#""capacity":"definitif""#, with: #""capacity":"# + spelling).utf8)
            var fold = RequestFold()
            let folded = Result { try Self.fold(bytes: data, of: event, into: &fold) }
            let decoded = Result { try Event.Detail(bytes: data) }
            #expect(((try? folded.get()) != nil) == accepted, "\(spelling)")
            #expect(((try? decoded.get()) != nil) == accepted, "\(spelling)")
            if case .failure(let error) = folded { #expect("\(error)".contains("unknown capacity")) }
        }
    }

    @Test("replay's fold reads an opening (article, `by`, definition) strictly once: the same bytes again are stepped over, any other bytes are read strictly")
    func foldedActorOnce() throws {
        let (event, written) = try Self.submitted()
        // Where `by` stands, as the store puts an opening back (`StoredOpenings`): its object, which holds no object.
        func byRange(_ data: [UInt8]) throws -> Range<Int> {
            let start = try #require(data.firstRange(of: Array(#""by":{"#.utf8))).upperBound - 1
            return start..<(try #require(data[start...].firstIndex(of: UInt8(ascii: "}"))) + 1)
        }
        let data = Array(written.utf8)
        var plain = RequestFold()
        try Self.fold(bytes: data, of: event, into: &plain)
        let expected = try plain.result()
        var fold = RequestFold()
        for _ in 0..<3 {
            fold.reset()
            try Self.fold(bytes: data, of: event, into: &fold, by: try byRange(data))
            #expect(try fold.result() == expected)
        }
        // After the same actor was read: one with another capacity, or a broken `by`, fails as ever.
        for (altered, message) in [(written.replacing(#""capacity":"definitif""#, with: #""capacity":"acting""#), "unknown capacity"),
                                   (written.replacing(#""capacity":"definitif""#, with: #""capacity":definitif"#), "not what lintas writes"),
                                   (written.replacing(#""capacity":"definitif","#, with: ""), "lacks article, by or fields")] {
            let bytes = Array(altered.utf8)
            fold.reset()
            do {
                try Self.fold(bytes: bytes, of: event, into: &fold, by: try byRange(bytes))
                Issue.record("folded: \(altered)")
            } catch {
                #expect(error is EventFormatError && "\(error)".contains(message), "\(error)")
            }
        }
        // Under an opening's number, the `by` read before is stepped over; one of the same length whose last string ends
        // in a raw control byte (its last bytes differ, nothing else) is read strictly and refused.
        var numbered = RequestFold()
        try Self.fold(bytes: data, of: event, into: &numbered, by: try byRange(data), opening: 0)
        numbered.reset()
        try Self.fold(bytes: data, of: event, into: &numbered, by: try byRange(data), opening: 0)
        #expect(try numbered.result() == expected)
        var control = data
        control[try byRange(data).upperBound - 3] = 0x01
        numbered.reset()
        #expect(throws: EventFormatError.self) { try Self.fold(bytes: control, of: event, into: &numbered, by: try byRange(control), opening: 0) }
        // The whole opening is stepped over, the article and the definition too: an article with a raw control byte, or a
        // definition that differs in its last byte, under the same number is read strictly (refused, read as it stands).
        var article = data
        article[try #require(data.firstRange(of: Array(#"","by":"#.utf8))).lowerBound - 1] = 0x01
        numbered.reset()
        #expect(throws: EventFormatError.self) { try Self.fold(bytes: article, of: event, into: &numbered, by: try byRange(article), opening: 0) }
        let opened = try #require(data.firstRange(of: Array(#""definition":""#.utf8))).upperBound
        let definition = try #require(data[opened...].firstIndex(of: UInt8(ascii: "\""))) - 1
        var other = data
        other[definition] = other[definition] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        numbered.reset()
        try Self.fold(bytes: other, of: event, into: &numbered, by: try byRange(other), opening: 0)
        #expect(try numbered.result()?.definition.rawValue.utf8.last == other[definition])
        #expect(try numbered.result()?.definition != expected?.definition)
        numbered.reset()
        try Self.fold(bytes: data, of: event, into: &numbered, by: try byRange(data), opening: 0)
        #expect(try numbered.result() == expected)
        // The opening is compared with the one read before a run of words at a time, its last word where it ends: a raw
        // control byte at any one of its places (the first, one inside a run, one of the last word's) is read strictly and refused.
        for place in 0..<(definition + 2) {
            var changed = data
            changed[place] = 0x01
            numbered.reset()
            #expect(throws: EventFormatError.self, "place \(place)") {
                try Self.fold(bytes: changed, of: event, into: &numbered, by: try byRange(data), opening: 0)
            }
        }
        numbered.reset()
        try Self.fold(bytes: data, of: event, into: &numbered, by: try byRange(data), opening: 0)
        #expect(try numbered.result() == expected)
        // Bytes said to be `by` that are more than the object read there are never stepped over: what follows is still read.
        let range = try byRange(data)
        let longer = range.lowerBound..<data.firstRange(of: Array(#","fields":"#.utf8))!.lowerBound
        #expect(longer.upperBound > range.upperBound)
        var again = RequestFold()
        for _ in 0..<2 {
            again.reset()
            try Self.fold(bytes: data, of: event, into: &again, by: longer)
            #expect(try again.result() == expected)
        }
    }

    @Test("replay's fold reads a letter as decoding does: its members in another order, names of a letter member's length that are none, a sequence as decoding reads it; a letter missing one, or with a sequence that is no integer, is refused")
    func foldedLetter() throws {
        let (event, written) = try Self.submitted()
        // The letter's last two members, as lintas writes them.
        let end = try #require(written.firstMatch(of: /"sequence":[0-9]+,("type":"[^"\\]*")\}/))
        let (tail, type) = (String(end.output.0), String(end.output.1))
        #expect(written.contains(#""letter":{"content":{"#))
        func sequence(_ spelling: String) -> String { written.replacing(tail, with: spelling + "," + type + "}") }
        // The type first, before the content (its strings then stand on both sides of the content), and names of eight
        // bytes ending as "register" and "sequence" do, read past.
        let reordered = sequence(#""sequence":1"#).replacing("," + type + "}", with: "}").replacing(#""letter":{"#, with: #""letter":{"# + type + ",")
        let variants: [(String, Bool)] = [
            (reordered, true),
            (sequence(#""sequencr":"x","registee":[1],"sequence":2"#), true),
            (sequence(#""sequence":-7"#), true),
            (sequence(#""sequence":0"#), true),
            (sequence(#""sequence":123456789012345678"#), true),
            (sequence(#""sequence":1234567890123456789"#), true),
            (sequence(#""sequence":12345678901234567890"#), false),
            (sequence(#""sequence":01"#), false),
            (sequence(#""sequence":1.0"#), false),
            (sequence(#""sequence":1e0"#), false),
            (sequence(#""sequence":-"#), false),
            (sequence(#""sequence":"1""#), false),
            (sequence(#""sequencr":1"#), false),
            (written.replacing(tail, with: #""sequence":1,"typo":"x"}"#), false),
        ] + (try Self.dated(event))
        for (text, accepted) in variants {
            let data = Array(text.utf8)
            var fold = RequestFold()
            let folded = Result { try Self.fold(bytes: data, of: event, into: &fold) }
            let decoded = Result { try Event.Detail(bytes: data) }
            #expect(((try? folded.get()) != nil) == accepted, "\(text)")
            #expect(((try? decoded.get()) != nil) == accepted, "\(text)")
            guard accepted, let detail = try? decoded.get() else { continue }
            var stored = event
            stored.detail = detail
            let state = try RequestState.evolve(nil, stored)
            #expect(try fold.result() == state, "\(text)")
            var bytes: [UInt8] = []
            fold.writeCanonical(into: &bytes)
            #expect(bytes == state.canonicalBytes, "\(text)")
        }
    }

    @Test("replay's fold reads a letter as lintas writes it by comparing its names' bytes, any other member by member: with a byte changed, put in or taken out at each offset of the letter, it is folded (or refused, with the same message but for its line and column) as the same bytes with a space before the letter's closing brace, which only the member by member reading takes")
    func foldedWrittenLetter() throws {
        let (event, written) = try Self.submitted()
        let data = Array(written.utf8)
        let start = try #require(data.firstRange(of: Array(#""letter":{"#.utf8))).upperBound - 1
        let typeValue = try #require(data[start...].firstRange(of: Array(#","type":""#.utf8))).upperBound
        let close = try #require(data[typeValue...].firstIndex(of: UInt8(ascii: "\""))) + 1
        #expect(data[close] == UInt8(ascii: "}"))
        func folded(_ bytes: [UInt8]) -> (Result<Void, any Error>, RequestFold) {
            var fold = RequestFold()
            return (Result { try Self.fold(bytes: bytes, of: event, into: &fold) }, fold)
        }
        // A message without its numbers: the line and column moved by the space put in.
        func unplaced(_ error: any Error) -> String { String("\(type(of: error)) \(error)".unicodeScalars.filter { !("0"..."9").contains($0) }) }
        let others: [UInt8] = Array(#" "\}],:1"#.utf8) + [0x01, 0xFF]
        var variants: [(bytes: [UInt8], close: Int)] = [(data, close)]
        // Within a hash's hex digits one offset is as good as the next: only its first and last are changed.
        let hex = Set(Array("0123456789abcdef".utf8))
        for offset in start..<close where !(hex.contains(data[offset - 1]) && hex.contains(data[offset]) && hex.contains(data[offset + 1])) {
            variants.append((Array(data[..<offset] + data[(offset + 1)...]), close - 1))
            for other in others {
                var replaced = data
                replaced[offset] = other
                var inserted = data
                inserted.insert(other, at: offset)
                variants += [(replaced, close), (inserted, close + 1)]
            }
        }
        var accepted = 0
        for (bytes, close) in variants {
            var spaced = bytes
            spaced.insert(UInt8(ascii: " "), at: close)
            let (now, nowFold) = folded(bytes)
            let (before, beforeFold) = folded(spaced)
            let text = String(decoding: bytes, as: UTF8.self)
            switch (now, before) {
            case (.success, .success):
                accepted += 1
                var (fold, memberwise) = (nowFold, beforeFold)
                #expect(try fold.result() == memberwise.result(), "\(text)")
                var (written, expected): ([UInt8], [UInt8]) = ([], [])
                fold.writeCanonical(into: &written)
                memberwise.writeCanonical(into: &expected)
                #expect(written == expected, "\(text)")
            case (.failure(let error), .failure(let other)): #expect(unplaced(error) == unplaced(other), "\(text)")
            default: Issue.record("\(text): \(now), with the space \(before)")
            }
        }
        #expect(accepted > 500)
    }

    /// `event`'s detail with its letter's content replaced: a date that is no string (the letter then has none), one
    /// after other members, and one with a raw control byte, refused.
    static func dated(_ event: Event) throws -> [(String, Bool)] {
        let contents = [(#"{"date":20250303,"perihal":"x"}"#, true), (#"{"cites":{"date":"2025-03-01"},"date":"2025-03-03","z":[1,{"a":"b"}]}"#, true),
                        (#"{"date":null}"#, true), (#"{"date":"2025\t03-03"}"#, false)]
        return try contents.map { content, accepted in
            var detail = event.detail
            detail.letter?.content = try JSONValue.parse(content)
            // A raw control byte where the canonical form escapes it.
            return (String(decoding: detail.canonicalBytes, as: UTF8.self).replacing("\\t", with: "\t"), accepted)
        }
    }

    @Test("replay's fold reads a workflow's name as decoding does: the same with an escape, refused when it is not a string or has a raw control byte")
    func foldedWorkflow() throws {
        let (event, written) = try Self.submitted()
        let plain = try #require(written.firstMatch(of: /"workflow":"([^"\\]*)"/)).output
        let name = String(plain.1)
        #expect(name.first == "p")
        for (spelling, accepted) in [(#""\u0070"# + name.dropFirst() + "\"", true), ("\"" + name + "\u{01}\"", false), ("1", false)] {
            let data = Array(written.replacing(String(plain.0), with: #""workflow":"# + spelling).utf8)
            var fold = RequestFold()
            let folded = Result { try Self.fold(bytes: data, of: event, into: &fold) }
            #expect(((try? folded.get()) != nil) == accepted, "\(spelling)")
            if accepted { #expect(fold.columns.workflow.rawValue == name) }
        }
    }

    @Test("object keys are written in the order of their UTF-8 bytes: prefixes first, long keys compared whole, not ASCII last")
    func keyOrder() throws {
        let keys = ["pegawai", "Pegawai", "pegawai_ditugaskan_1", "pegawai_ditugaskan_2", "pe", "pé", "p", "", "z", "pegawai\u{0}x", "ñ"]
        let object = JSONValue.object(Dictionary(uniqueKeysWithValues: keys.map { ($0, JSONValue.string($0)) }))
        let expected = keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let written = try #require(JSONValue.parse(object.canonicalBytes).objectValue)
        #expect(written.count == keys.count)
        // Read the keys back in the order they were written.
        var order: [String] = []
        try JSONReader.read(object.canonicalBytes) { (reader) throws(JSONSyntaxError) in
            try reader.members { (reader, key) throws(JSONSyntaxError) in
                order.append(key)
                _ = try reader.value()
            }
        }
        #expect(order == expected)
    }

    @Test("strings read back as written, ASCII or not, and invalid UTF-8 is refused")
    func strings() throws {
        for text in ["plain", "", "ɓaru 日本 🇮🇩", "quote \" backslash \\ newline \n"] {
            #expect(try JSONValue.parse(JSONValue.string(text).canonicalBytes) == .string(text))
        }
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse([0x22, 0xC3, 0x28, 0x22]) }
    }
}
