import LintasCore

/// A letter's frozen content (`lintas.letter/1`) read for printing, as plain text or as a
/// printable A4 HTML document. Reads nothing but the content.
struct LetterView {
    struct Person {
        var name: String
        var nip: String
        var title: String
        var position: String?
        var unit: String?

        init(_ value: JSONValue) {
            name = value["name"]?.stringValue ?? ""
            nip = NIP(value["nip"]?.stringValue ?? "").grouped
            title = value["title"]?.stringValue ?? ""
            position = value["position"]?.stringValue
            unit = value["unit"]?.stringValue
        }
    }

    struct Copy {
        var number: Int
        var label: String
        var holders: [Person]

        /// `Pimpinan Unit Organisasi pemilik kinerja (Kepala Bidang P2P, Nama)`.
        var line: String {
            holders.isEmpty ? label : "\(label) (" + holders.map { "\($0.title), \($0.name)" }.joined(separator: "; ") + ")"
        }
    }

    /// What a letter without a number (one an employee writes) shows where the number would be.
    static let noNumber = "tanpa nomor"

    var agency: String?
    /// The kop's unit; empty for a letter an employee writes, which has no kop.
    var unit: String
    var label: String
    /// The number, or `noNumber`.
    var number: String
    var place: String
    var date: String
    var subject: String
    var legalBasis: String
    /// The line under *Dasar* naming the earlier letter: `Surat Permohonan Nomor … tanggal …` from the
    /// letter's `cites`, or, in letters composed before letters cited each other, the number the
    /// requester typed (`Surat permohonan Nomor …`).
    var citation: String?
    /// `Kepada Yth.` the office, `di` its place, when the letter names its addressee.
    var addressee: (office: String, place: String?)?
    var contents: [(label: String, text: String)]
    /// The words before the contents; letters issued before lintas froze them said `Memperhatikan permohonan pelibatan`.
    var contentsHeading: String
    /// What else the letter carries by regulation: a refusal's reasons, a disposisi's direction, a team's lead.
    var particulars: [(label: String, text: String)]
    var assigned: [Person]
    /// The words before the list of people: `MENUGASKAN` unless the letter says otherwise (a reply's list of names, a keputusan).
    var assignedHeading: String
    /// Whether the letter assigns the people it lists in the words of an assignment (no heading of its own).
    var assigns: Bool
    var period: String?
    var onBehalfOf: String?
    var signer: Person
    var copies: [Copy]
    var hash: String?

    init(content: JSONValue, hash: String?) {
        agency = content["kop"]?["agency"]?.stringValue
        unit = content["kop"]?["unit"]?.stringValue ?? ""
        label = content["label"]?.stringValue ?? ""
        number = content["number"]?.stringValue ?? Self.noNumber
        place = content["place"]?.stringValue ?? ""
        date = content["date_text"]?.stringValue ?? ""
        subject = content["subject"]?.stringValue ?? label
        legalBasis = content["legal_basis"]?["citation"]?.stringValue ?? ""
        if let regulation = content["legal_basis"]?["regulation"]?.stringValue, let article = content["legal_basis"]?["article"]?.stringValue {
            legalBasis = "\(regulation), \(article)"
        }
        citation = content["cites"].map(Self.citation) ?? content["reference"]?.stringValue.map { "Surat permohonan Nomor \($0)" }
        addressee = content["addressee"]?["office"]?.stringValue.map { ($0, content["addressee"]?["place"]?.stringValue) }
        contents = (content["contents"]?.arrayValue ?? []).map { ($0["label"]?.stringValue ?? "", $0["text"]?.stringValue ?? "") }
        contentsHeading = content["contents_heading"]?.stringValue ?? "Memperhatikan permohonan pelibatan"
        particulars = (content["particulars"]?.arrayValue ?? []).map { ($0["label"]?.stringValue ?? "", $0["text"]?.stringValue ?? "") }
        assigned = (content["assigned"]?.arrayValue ?? []).map(Person.init)
        assignedHeading = content["assigned_heading"]?.stringValue ?? "MENUGASKAN"
        assigns = content["assigned_heading"] == nil
        period = content["period"]?["text"]?.stringValue
        onBehalfOf = content["signature"]?["on_behalf_of"]?.stringValue
        signer = Person(content["signature"] ?? .null)
        copies = (content["cc"]?.arrayValue ?? []).map { copy in
            Copy(number: Int(copy["number"]?.intValue ?? 0), label: copy["label"]?.stringValue ?? "",
                 holders: (copy["holders"]?.arrayValue ?? []).map(Person.init))
        }
        self.hash = hash
    }

    /// `Surat Permohonan Nomor 800.1.11.1/3/DISKOMINFO/2026 tanggal 2 Maret 2026`; a letter an employee wrote has no number.
    static func citation(_ cites: JSONValue) -> String {
        let label = cites["label"]?.stringValue ?? ""
        return label + (cites["number"]?.stringValue.map { " Nomor \($0)" } ?? "") + (cites["date_text"]?.stringValue.map { " tanggal \($0)" } ?? "")
    }

    /// The closing sentence of an assignment; a letter that assigns nobody (a request, a refusal) or lists
    /// people under a heading of its own (a reply's names, a keputusan) has none.
    var closing: String? {
        guard !assigned.isEmpty, assigns else { return nil }
        return (period.map { "Penugasan dilaksanakan selama \($0) " } ?? "Penugasan dilaksanakan ") + "dengan penuh tanggung jawab."
    }

    // MARK: Text

    var text: String {
        var lines: [String] = []
        if let agency { lines.append(agency.uppercased()) }
        if !unit.isEmpty { lines += [unit.uppercased(), String(repeating: "=", count: 60), ""] }
        lines += [label.uppercased(), "Nomor: \(number)", ""]
        lines.append("Perihal : \(subject)")
        lines.append("Dasar   : \(legalBasis)")
        if let citation { lines.append("          \(citation)") }
        if let addressee { lines += ["", "Kepada Yth.", addressee.office] + (addressee.place.map { ["di \($0)"] } ?? []) }
        if !contents.isEmpty {
            lines += ["", "\(contentsHeading):"]
            for (offset, item) in contents.enumerated() { lines.append("  \(offset + 1). \(item.label): \(item.text)") }
        }
        if !particulars.isEmpty {
            lines.append("")
            for item in particulars { lines.append("\(item.label): \(item.text)") }
        }
        if !assigned.isEmpty {
            lines += ["", "\(assignedHeading):"]
            for (offset, person) in assigned.enumerated() {
                lines.append("  \(offset + 1). Nama    : \(person.name)")
                lines.append("     NIP     : \(person.nip)")
                if let position = person.position { lines.append("     Jabatan : \(position)") }
                if let unit = person.unit { lines.append("     Unit    : \(unit)") }
            }
        }
        if let closing { lines += ["", closing] }
        lines.append("")
        let indent = String(repeating: " ", count: 36)
        lines.append(indent + "\(place), \(date)")
        if let onBehalfOf { lines.append(indent + "a.n. \(onBehalfOf)") }
        lines += [indent + "\(signer.title),", "", "", indent + signer.name, indent + "NIP \(signer.nip)"]
        if !copies.isEmpty {
            lines += ["", "Tembusan:"]
            for copy in copies { lines.append("  \(copy.number). \(copy.line)") }
        }
        if let hash { lines += ["", "SHA-256 isi surat: \(hash)"] }
        return lines.joined(separator: "\n")
    }

    // MARK: HTML

    var html: String {
        func e(_ text: String) -> String { LetterView.escape(text) }
        var body: [String] = []
        if !unit.isEmpty {
            body.append("<header class=\"kop\">" + (agency.map { "<div class=\"agency\">\(e($0))</div>" } ?? "") + "<div class=\"unit\">\(e(unit))</div></header>")
        }
        body.append("<h1>\(e(label))</h1>")
        body.append("<p class=\"number\">Nomor: \(e(number))</p>")
        body.append("<table class=\"meta\"><tr><th>Perihal</th><td>\(e(subject))</td></tr><tr><th>Dasar</th><td>\(e(legalBasis))"
                    + (citation.map { "<br>\(e($0))" } ?? "") + "</td></tr></table>")
        if let addressee {
            body.append("<div class=\"addressee\"><p>Kepada Yth.</p><p>\(e(addressee.office))</p>" + (addressee.place.map { "<p>di \(e($0))</p>" } ?? "") + "</div>")
        }
        if !contents.isEmpty {
            body.append("<p>\(e(contentsHeading)):</p><ol class=\"contents\">"
                        + contents.map { "<li><strong>\(e($0.label))</strong>: \(e($0.text))</li>" }.joined() + "</ol>")
        }
        if !particulars.isEmpty {
            body.append("<table class=\"meta\">" + particulars.map { "<tr><th>\(e($0.label))</th><td>\(e($0.text))</td></tr>" }.joined() + "</table>")
        }
        if !assigned.isEmpty {
            body.append("<p class=\"verb\">\(e(assignedHeading)):</p><table class=\"assigned\"><thead><tr><th>No.</th><th>Nama</th><th>NIP</th><th>Jabatan</th><th>Unit</th></tr></thead><tbody>"
                        + assigned.enumerated().map { offset, person in
                            "<tr><td>\(offset + 1)</td><td>\(e(person.name))</td><td>\(e(person.nip))</td><td>\(e(person.position ?? ""))</td><td>\(e(person.unit ?? ""))</td></tr>"
                        }.joined() + "</tbody></table>")
        }
        if let closing { body.append("<p class=\"closing\">\(e(closing))</p>") }
        body.append("<div class=\"signature\"><p>\(e(place)), \(e(date))</p>" + (onBehalfOf.map { "<p>a.n. \(e($0))</p>" } ?? "")
                    + "<p>\(e(signer.title)),</p><p class=\"name\">\(e(signer.name))</p><p>NIP \(e(signer.nip))</p></div>")
        if !copies.isEmpty {
            body.append("<div class=\"cc\"><p>Tembusan:</p><ol>" + copies.map { "<li>\(e($0.line))</li>" }.joined() + "</ol></div>")
        }
        if let hash { body.append("<footer>SHA-256 isi surat: \(e(hash))</footer>") }
        return """
        <!DOCTYPE html>
        <html lang="id">
        <head>
        <meta charset="utf-8">
        <title>\(e(label)) \(e(number))</title>
        <style>
        @page { size: A4; margin: 20mm 20mm 20mm 25mm; }
        body { font-family: "Times New Roman", serif; font-size: 12pt; line-height: 1.3; max-width: 165mm; margin: 0 auto; }
        p, ol { margin: 2mm 0; }
        .kop { text-align: center; border-bottom: 3px double #000; padding-bottom: 4mm; margin-bottom: 6mm; text-transform: uppercase; }
        .kop .agency { font-size: 14pt; } .kop .unit { font-size: 16pt; font-weight: bold; }
        h1 { text-align: center; font-size: 13pt; text-decoration: underline; text-transform: uppercase; margin: 0; }
        .number { text-align: center; margin-top: 0; }
        table { border-collapse: collapse; } .meta th { text-align: left; vertical-align: top; padding-right: 4mm; font-weight: normal; }
        .assigned { width: 100%; font-size: 11pt; } .assigned th, .assigned td { border: 1px solid #000; padding: 1mm 2mm; text-align: left; }
        .assigned td:nth-child(3) { white-space: nowrap; }
        .assigned th:nth-child(1) { width: 7mm; } .assigned th:nth-child(2), .assigned th:nth-child(4), .assigned th:nth-child(5) { width: 22%; }
        .assigned thead { display: table-header-group; } .assigned tr { break-inside: avoid; page-break-inside: avoid; }
        .closing { break-after: avoid; page-break-after: avoid; }
        .verb { text-align: center; font-weight: bold; }
        .signature { margin-left: 55%; margin-top: 8mm; page-break-inside: avoid; } .signature p { margin: 0; }
        .signature .name { margin-top: 16mm; font-weight: bold; text-decoration: underline; }
        .cc { margin-top: 6mm; font-size: 11pt; page-break-inside: avoid; }
        footer { margin-top: 6mm; font-size: 8pt; color: #555; word-break: break-all; }
        </style>
        </head>
        <body>
        \(body.joined(separator: "\n"))
        </body>
        </html>
        """
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
