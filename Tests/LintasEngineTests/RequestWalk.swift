import LintasCore
import LintasEngine
import LintasStore

/// One request walked step by step, each step through intake, the processor and the SQLite
/// file, so a test reads like the article: who acts, in which order, on which day.
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
        steps += 1
        let id = "\(request)-\(steps)"
        try harness.submit([Harness.line(id, request, action, actor, at: "\(date)T09:00:00+07:00", data, workflow: workflow)])
        try harness.drain()
        return try harness.refusal(CommandID(id))
    }

    /// The request's state id, `nil` before it is opened.
    var state: String? { get throws { try harness.state(RequestID(request))?.state } }

    /// The request's projection.
    var current: RequestState? { get throws { try harness.state(RequestID(request)) } }

    /// The request's events, in order.
    func events() throws -> [Event] { try harness.store.events(of: RequestID(request)).map { try $0.decode() } }
}

/// A period field value.
func period(_ start: String, _ end: String) -> JSONValue { .object(["start": .string(start), "end": .string(end)]) }

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
/// read from the content frozen in the issuing event, the only place it is stored.
func signerAndCopies(of walk: Walk) throws -> (signer: String?, copies: [[String]]) {
    let letter = try walk.events().last(where: { $0.detail.letter != nil })?.detail.letter?.content
    let copies = (letter?["cc"]?.arrayValue ?? []).map { copy in (copy["holders"]?.arrayValue ?? []).compactMap { $0["nip"]?.stringValue } }
    return (letter?["signature"]?["nip"]?.stringValue, copies)
}
