import LintasCore
import LintasEngine
import LintasStore
import Testing

/// One step of a procedure: who takes which action, with which data.
struct Step {
    var action: String
    var actor: String
    var data: [String: JSONValue]

    init(_ action: String, by actor: String, _ data: [String: JSONValue] = [:]) {
        self.action = action
        self.actor = actor
        self.data = data
    }
}

/// One request walked step by step, each step through intake, the processor and the SQLite
/// file in a batch of its own, as other systems send them one at a time; a test reads like the
/// article: who acts, in which order, on which day. `takeInOneBatch` puts several steps in one
/// daemon batch where a test needs that (a quota reached inside one batch).
final class Walk {
    let harness: Harness
    let request: String
    let workflow: String
    private var steps = 0

    init(_ harness: Harness, request: String, workflow: String) {
        self.harness = harness
        self.request = request
        self.workflow = workflow
    }

    /// A request in a fresh store with one regency's sample directory (`workflows/directories/…`).
    convenience init(directory: String, request: String, workflow: String) throws {
        self.init(try Harness(directory: directory), request: request, workflow: workflow)
    }

    /// Takes one step at 09:00 WIB on `date` (YYYY-MM-DD).
    /// - Returns: the refusal, or `nil` when the step was applied.
    @discardableResult
    func take(_ action: String, by actor: String, on date: String, _ data: [String: JSONValue] = [:]) throws -> Refusal? {
        try takeInOneBatch([Step(action, by: actor, data)], on: date)[0]
    }

    /// Takes the steps one day apart from `date`, each in its own batch.
    /// - Returns: for each step, its refusal, or `nil` when it was applied.
    @discardableResult
    func take(from date: String, _ steps: [Step]) throws -> [Refusal?] {
        let first = CivilDate(iso: date)!
        return try steps.enumerated().map { offset, step in
            try take(step.action, by: step.actor, on: first.adding(days: offset).description, step.data)
        }
    }

    /// Queues the steps, all at 09:00 WIB on `date`, and runs the daemon's batches once they are all queued.
    @discardableResult
    func takeInOneBatch(_ steps: [Step], on date: String) throws -> [Refusal?] {
        let ids = steps.map { _ in
            self.steps += 1
            return "\(request)-\(self.steps)"
        }
        try harness.submit(zip(ids, steps).map { id, step in
            Harness.line(id, request, step.action, step.actor, at: "\(date)T09:00:00+07:00", step.data, workflow: workflow)
        })
        try harness.drain()
        try harness.expectFoldIsEvolve(RequestID(request))
        return try ids.map { try harness.refusal(CommandID($0)) }
    }

    /// The request's state id, `nil` before it is opened.
    var state: String? { get throws { try harness.state(RequestID(request))?.state } }

    /// The request's projection.
    var current: RequestState? { get throws { try harness.state(RequestID(request)) } }

    /// The request's events, in order.
    func events() throws -> [Event] { try harness.events(RequestID(request)) }
    /// The letters the request's events issued, whole (the event's members and its parts), in order.
    func letters() throws -> [LetterRecord] { try harness.letters(RequestID(request)) }
}

extension Harness {
    /// Folding the request's stored bytes (`RequestFold`, what replay and audit do) gives the
    /// state `evolve` gives from its decoded events, and the fold's canonical bytes are that
    /// state's: checked after every step of every procedure walked.
    func expectFoldIsEvolve(_ request: RequestID, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let rows = try store.events(of: request)
        let evolved = try RequestState.replay(rows.map { try $0.decode() })
        #expect(try RequestState.folding(rows) == evolved, sourceLocation: sourceLocation)
        var fold = RequestFold()
        for row in rows { try row.withBytes { try $0.fold(into: &fold) } }
        var bytes: [UInt8] = []
        fold.writeCanonical(into: &bytes)
        #expect(bytes == (evolved?.canonicalBytes ?? []), sourceLocation: sourceLocation)
    }

    /// The events of a request, decoded.
    func events(_ request: RequestID) throws -> [Event] {
        try store.events(of: request).map { try $0.decode() }
    }

    /// The letters a request's events issued, each read whole as `letter show` reads it.
    func letters(_ request: RequestID) throws -> [LetterRecord] {
        try store.events(of: request).compactMap { row in try row.decode().detail.letter.map { try LetterSeal.whole($0, of: row, in: store) } }
    }
}

/// A period field value.
func period(_ start: String, _ end: String) -> JSONValue { .object(["start": .string(start), "end": .string(end)]) }

/// The four contents every request letter carries (purpose, competence, performance target,
/// duration: the same four in each regulation), by default for the second half of 2025.
func requestContents(purpose: String, competence: String, target: String,
                     duration: JSONValue = period("2025-07-01", "2025-12-31")) -> [String: JSONValue] {
    ["purpose": .string(purpose), "competence": .string(competence), "performance_target": .string(target), "duration": duration]
}

/// A list of NIPs as a field value.
func nips(_ values: String...) -> JSONValue { .array(values.map(JSONValue.string)) }

extension Dictionary where Key == String, Value == JSONValue {
    /// The fields with some replaced or added.
    func merging(_ other: [String: JSONValue]) -> [String: JSONValue] { merging(other) { _, new in new } }
}

/// The NIPs of an employee's Pejabat Penilai Kinerja on a date, as a regency's shipped
/// regulation (`workflows/<regency>/regulation.json`) derives them from its sample directory
/// (`workflows/directories/<regency>.json`).
func appraisers(of employee: String, regency: String, on date: String = "2025-03-03") throws -> [String] {
    let root = Harness.repository.appendingPathComponent("workflows").path
    let regulation = try Regulation.decode(try DocumentFile.read("\(root)/\(regency)/regulation.json"), source: "regulation.json")
    let directory = try Directory.decode(try DocumentFile.read("\(root)/directories/\(regency).json"), source: "\(regency).json")
    return directory.appraisers(of: NIP(employee), rules: regulation.appraisers, on: CivilDate(iso: date)!).map(\.nip.rawValue)
}

/// Who signed the request's last letter and who is copied (tembusan), by NIP in the letter's order:
/// read from the content frozen when it was issued (its event and its parts).
func signerAndCopies(of walk: Walk) throws -> (signer: String?, copies: [[String]]) {
    let letter = try walk.letters().last?.content
    let copies = (letter?["cc"]?.arrayValue ?? []).map { copy in (copy["holders"]?.arrayValue ?? []).compactMap { $0["nip"]?.stringValue } }
    return (letter?["signature"]?["nip"]?.stringValue, copies)
}

/// The request's first letter is the employee's own surat permohonan of a pengajuan sukarela across
/// organisational units (Pemalang 12(4)(a), Bungo 7(3)(a)): unnumbered, no kop, signed by `applicant`,
/// addressed by `office` to the Pimpinan Unit Organisasi dituju, carrying the unit and the kinerja asked
/// for, under `article`; the request's last letter, the surat penugasan, cites it by its date.
func expectEmployeeApplication(of walk: Walk, signedBy applicant: String, addressedTo office: String, article: String,
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
    let letters = try walk.letters()
    #expect(letters.map(\.identity.type) == ["surat_permohonan", "surat_penugasan"], sourceLocation: sourceLocation)
    #expect(letters.map(\.identity.numbering) == [.none, .register], sourceLocation: sourceLocation)
    let application = try #require(letters.first?.content, sourceLocation: sourceLocation)
    #expect(application["number"] == nil && application["kop"] == nil && application["numbering"] == "none",
            "an employee's letter has no office number and no kop", sourceLocation: sourceLocation)
    #expect(application["label"] == "Surat Permohonan", sourceLocation: sourceLocation)
    #expect(application["signature"]?["nip"]?.stringValue == applicant, "the Pejabat Fungsional/Pelaksana signs it", sourceLocation: sourceLocation)
    #expect(application["addressee"]?["label"] == "Pimpinan Unit Organisasi dituju", sourceLocation: sourceLocation)
    #expect(application["addressee"]?["office"]?.stringValue == office, sourceLocation: sourceLocation)
    #expect(application["legal_basis"]?["article"]?.stringValue == article, sourceLocation: sourceLocation)
    #expect(application["particulars"]?.arrayValue?.map { $0["field"] } == ["target_unit"], "the unit dituju", sourceLocation: sourceLocation)
    #expect(application["contents"]?.arrayValue?.map { $0["field"] } == ["purpose", "duration"],
            "the kinerja asked for, and for how long", sourceLocation: sourceLocation)
    let cited = letters.last?.content?["cites"]
    #expect(cited?["type"] == "surat_permohonan" && cited?["number"] == .null, "apabila permohonan disetujui: the surat penugasan cites it",
            sourceLocation: sourceLocation)
    #expect(cited?["date"] == application["date"], sourceLocation: sourceLocation)
}
