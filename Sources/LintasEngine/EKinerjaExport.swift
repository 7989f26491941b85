import LintasCore
import LintasStore

/// Accepted assignments in the shape e-Kinerja (BKN) records additional work (*hasil kerja
/// tambahan*): one row per assigned employee, with what the assignment is, who assigned it
/// ("penugasan dari"), the letter that did, and its period.
///
/// Read from the stored states (which request is accepted, its fields, its letters by
/// reference) and the issuing events (the assigning letter's frozen content: the people it
/// assigns, its signer and kop), never from today's directory.
public enum EKinerjaExport {
    /// The columns, in order: the JSON keys and the CSV header. Stable; documented in docs/letters.md.
    public static let columns = [
        "nip", "nama", "jabatan", "unit_kerja",
        "jenis_hasil_kerja", "rencana_hasil_kerja", "uraian_penugasan",
        "penugasan_dari", "penugasan_dari_unit", "penugasan_dari_pejabat", "penugasan_dari_nip", "penugasan_dari_jabatan",
        "jenis_surat", "nomor_surat", "tanggal_surat",
        "periode_mulai", "periode_selesai", "periode_terbuka",
        "permohonan", "workflow",
    ]

    /// Which requests hold an accepted assignment: in a state its workflow version marks
    /// `assignment_accepted` (every assigned employee accepted), or `ended` (its period ran out).
    /// The flag is read from the definition each request is pinned to, not from a state's id; a
    /// definition that marks no state (stored before the flag existed) keeps the old rule, its state `accepted`.
    public struct AcceptedStates {
        private var byDefinition: [DefinitionHash: Set<String>] = [:]
        private var finalByDefinition: [DefinitionHash: Set<String>] = [:]
        /// Every state id some definition marks, to pass over other requests without decoding them.
        private var anyDefinition: Set<String> = [Timers.endedState.id]

        public init(store: any EventStore) throws {
            for definition in try DefinitionCatalog(store: store).all() {
                let marked = definition.states.contains(where: \.assignmentAccepted)
                byDefinition[definition.hash] = marked ? definition.acceptedStates : definition.acceptedStates.union(["accepted"])
                anyDefinition.formUnion(byDefinition[definition.hash] ?? [])
                finalByDefinition[definition.hash] = Set(definition.states.filter(\.isFinal).map(\.id))
            }
        }

        public func contains(_ state: RequestState) -> Bool {
            byDefinition[state.definition]?.contains(state.state) ?? (state.state == Timers.endedState.id)
        }

        func mayContain(_ state: String) -> Bool { anyDefinition.contains(state) }

        /// Whether `events` (a request's, in order) end with a step from an accepted state into a
        /// final one: a standing team dissolved (Jepara's squad, `formed` → `dissolved`).
        func endedByStep(_ events: [Event], definition: DefinitionHash) -> Bool {
            guard events.count >= 2, let last = events.last, finalByDefinition[definition]?.contains(last.envelope.state) == true else { return false }
            return byDefinition[definition]?.contains(events[events.count - 2].envelope.state) == true
        }
    }

    /// One row: a value (or `nil`, empty in CSV) for each of `columns`.
    public struct Row: Sendable, Hashable {
        public var values: [String: String]
        public subscript(column: String) -> String? { values[column] }
    }

    /// The rows of every accepted request (or of `request` alone) whose period overlaps
    /// `from`…`to` when given, ordered by request, then by the letter's order of the employees.
    /// A request with no period is left out when a range is given.
    /// - Parameter zone: the regency's time zone, for the date of the step that dissolved a standing team.
    public static func rows(in store: any EventStore, request: RequestID? = nil, from: CivilDate? = nil, to: CivilDate? = nil,
                            zone: TimeZoneOffset = .wib) throws -> [Row] {
        try store.readSnapshot {
            let accepted = try AcceptedStates(store: store)
            var states: [RequestState] = []
            if let request {
                if let state = try store.request(request)?.decode() { states.append(state) }
            } else {
                try store.forEachRequest { stored in
                    guard accepted.mayContain(stored.columns.state) else { return }
                    states.append(try stored.decode())
                }
            }
            var rows: [Row] = []
            for state in states where accepted.contains(state) {
                rows += try self.rows(of: state, accepted: accepted, store: store, from: from, to: to, zone: zone)
            }
            return rows
        }
    }

    private static func rows(of state: RequestState, accepted: AcceptedStates, store: any EventStore, from: CivilDate?, to: CivilDate?,
                             zone: TimeZoneOffset) throws -> [Row] {
        // The assigning letter: the last one that lists assigned people, else the last letter.
        let rows = try store.events(of: state.request)
        let events = try rows.map { try $0.decode() }
        let letters = try zip(rows, events).compactMap { row, event in
            try event.detail.letter.map { letter in try LetterSeal.whole(letter, of: row, in: store) }
        }
        let letter = letters.last { ($0.content?["assigned"]?.arrayValue?.isEmpty ?? true) == false } ?? letters.last
        let content = letter?.content
        var start: String?, end: String?
        if let period = content?["period"] ?? state.fields["duration"] {
            start = period["start"]?.stringValue
            end = period["end"]?.stringValue
        } else if content != nil {
            // No period given: a standing team (Jepara's Satuan Kerja/Squad, Pasal 12 ayat (5) huruf a and
            // Lampiran B.4 give it none) works from its Surat Perintah Tugas until it is dissolved; open while it stands.
            start = content?["date"]?.stringValue
            if accepted.endedByStep(events, definition: state.definition) { end = events.last?.envelope.at.civilDate(in: zone).description }
        }
        if from != nil || to != nil {
            // An open period (a squad that still stands) overlaps every range from its start on.
            let last = end.flatMap(CivilDate.init(iso:))
            guard let start = start.flatMap(CivilDate.init(iso:)), end == nil || last != nil else { return [] }
            if let from, let last, last < from { return [] }
            if let to, start > to { return [] }
        }
        var people: [(nip: String, name: String?, position: String?, unit: String?)] =
            (content?["assigned"]?.arrayValue ?? []).map { ($0["nip"]?.stringValue ?? "", $0["name"]?.stringValue, $0["position"]?.stringValue, $0["unit"]?.stringValue) }
        if people.isEmpty {
            // No letter lists them: those who accepted the assignment, as their events name them.
            var seen: Set<NIP> = []
            for event in events where event.action == "accept" && seen.insert(event.actor).inserted {
                people.append((event.actor.rawValue, event.detail.actorName, event.detail.actorTitle, nil))
            }
        }
        let signature = content?["signature"]
        let signerTitle = signature?["title"]?.stringValue
        let signerName = signature?["name"]?.stringValue
        let office = content?["kop"]?["unit"]?.stringValue
        var assigningOffice = signerTitle.map { title in signerName.map { "\(title) (\($0))" } ?? title }
        if let onBehalfOf = signature?["on_behalf_of"]?.stringValue, let named = assigningOffice { assigningOffice = "a.n. \(onBehalfOf), \(named)" }
        let common: [String: String?] = [
            "jenis_hasil_kerja": "tambahan",
            "rencana_hasil_kerja": (["performance_target", "purpose", "service"].lazy.compactMap { state.fields[$0]?.stringValue }).first,
            "uraian_penugasan": state.fields["purpose"]?.stringValue ?? state.fields["squad_name"]?.stringValue,
            "penugasan_dari": assigningOffice,
            "penugasan_dari_unit": office,
            "penugasan_dari_pejabat": signerName,
            "penugasan_dari_nip": signature?["nip"]?.stringValue,
            "penugasan_dari_jabatan": signerTitle,
            "jenis_surat": letter?.label,
            "nomor_surat": letter?.number,
            "tanggal_surat": content?["date"]?.stringValue,
            "periode_mulai": start,
            "periode_selesai": end,
            "periode_terbuka": start == nil ? nil : (end == nil ? "ya" : "tidak"),
            "permohonan": state.request.rawValue,
            "workflow": state.workflow.rawValue,
        ]
        return people.map { person in
            var values = common.compactMapValues { $0 }
            values["nip"] = person.nip
            values["nama"] = person.name
            values["jabatan"] = person.position
            values["unit_kerja"] = person.unit
            return Row(values: values)
        }
    }

    /// The rows as CSV (RFC 4180: comma-separated, fields quoted when they hold a comma, quote or
    /// line break, CRLF line ends), with a header of `columns`.
    public static func csv(_ rows: [Row]) -> String {
        func field(_ text: String) -> String {
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
            return "\"" + text.replacing("\"", with: "\"\"") + "\""
        }
        var lines = [columns.joined(separator: ",")]
        for row in rows { lines.append(columns.map { field(row[$0] ?? "") }.joined(separator: ",")) }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// The rows as JSON objects with every column (`null` where there is no value).
    public static func json(_ rows: [Row]) -> JSONValue {
        .array(rows.map { row in .object(Dictionary(uniqueKeysWithValues: columns.map { ($0, row[$0].map(JSONValue.string) ?? .null) })) })
    }
}
