import Foundation
import LintasCore
import TestSupport
import Testing

@Suite("the letter's HTML printed by a real headless browser (Debian's chromium, installed by .ci/setup)")
struct BrowserRenderingTests {
    /// Chromium on PATH, as Debian installs it.
    static var chromium: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/chromium" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Page count and page sizes (points) of a PDF as Chromium writes it (page objects uncompressed).
    static func pages(of pdf: Data) -> (count: Int, mediaBoxes: [[Double]]) {
        let text = String(decoding: pdf, as: Unicode.ASCII.self)
        let count = text.components(separatedBy: "/Type /Page").count - 1 - (text.components(separatedBy: "/Type /Pages").count - 1)
        var boxes: [[Double]] = []
        var rest = Substring(text)
        while let range = rest.range(of: "/MediaBox [") {
            rest = rest[range.upperBound...]
            guard let end = rest.firstIndex(of: "]") else { break }
            boxes.append(rest[..<end].split(separator: " ").compactMap { Double($0) })
        }
        return (count, boxes)
    }

    /// Prints `html` with Chromium to a PDF in the folder of `lintas`; the exit status and the log are checked.
    /// - Returns: the PDF's bytes, `nil` (with an issue recorded) when Chromium is missing.
    static func printed(_ html: String, name: String, in lintas: Lintas, sourceLocation: SourceLocation = #_sourceLocation) throws -> Data? {
        let page = lintas.folder.appendingPathComponent("\(name).html")
        try Data(html.utf8).write(to: page)
        let pdf = lintas.folder.appendingPathComponent("\(name).pdf")
        guard let chromium = Self.chromium else {
            Issue.record("chromium is not on PATH: run .ci/setup, which installs Debian's chromium", sourceLocation: sourceLocation)
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                             "--user-data-dir=\(lintas.folder.appendingPathComponent("chromium").path)",
                             "--print-to-pdf=\(pdf.path)", page.absoluteString]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // A safety net, not a measurement: a browser that hangs must not hang the suite.
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 180, execute: watchdog)
        let log = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        watchdog.cancel()
        #expect(process.terminationStatus == 0, "chromium: \(log)", sourceLocation: sourceLocation)
        #expect(log.contains("written to file \(pdf.path)"), "chromium: \(log)", sourceLocation: sourceLocation)
        let bytes = try Data(contentsOf: pdf)
        #expect(bytes.starts(with: Array("%PDF-".utf8)), sourceLocation: sourceLocation)
        #expect(String(decoding: bytes.suffix(32), as: UTF8.self).contains("%%EOF"), "a complete file", sourceLocation: sourceLocation)
        let boxes = Self.pages(of: bytes).mediaBoxes
        #expect(!boxes.isEmpty, sourceLocation: sourceLocation)
        for box in boxes {
            #expect(box.count == 4 && abs(box[2] - box[0] - 595.3) < 2 && abs(box[3] - box[1] - 841.9) < 2, "A4 is 595.3 × 841.9 pt, found \(box)",
                    sourceLocation: sourceLocation)
        }
        return bytes
    }

    @Test("Pasal 11 ayat (4) huruf c: the surat penugasan prints to a valid one-page A4 PDF without error")
    func printsToOnePageA4() throws {
        let lintas = try Lintas.prepared()
        try LetterCommandTests.issued(lintas, "PML-1")
        let html = try lintas.expectSuccess(["letter", "show", LetterCommandTests.number, "--format", "html"]).stdout
        #expect(html.contains("@page { size: A4; margin: 20mm 20mm 20mm 25mm; }"))
        guard let bytes = try Self.printed(html, name: "surat", in: lintas) else { return }
        #expect(Self.pages(of: bytes).count == 1, "the letter fits one page: no overflow onto a second")
    }

    /// Marks where the signature block and the tembusan begin and end, and links to the marks so
    /// that Chromium writes them as named destinations: `/name [PAGE 0 R /XYZ x y 0]`. Empty spans
    /// take no room, so the layout is the letter's own.
    static func marked(_ html: String) -> String {
        var text = html
        for block in ["signature", "cc"] {
            guard let open = text.range(of: "<div class=\"\(block)\">"), let close = text.range(of: "</div>", range: open.upperBound..<text.endIndex) else { continue }
            text.replaceSubrange(close, with: "<span id=\"\(block)-end\"></span></div>")
            text.replaceSubrange(open, with: "<div class=\"\(block)\"><span id=\"\(block)-start\"></span>")
        }
        let links = ["signature-start", "signature-end", "cc-start", "cc-end"].map { "<a href=\"#\($0)\"></a>" }.joined()
        return text.replacingOccurrences(of: "</body>", with: links + "</body>")
    }

    /// The page (1, 2, …) of each named destination, from the page objects' order in `/Kids`.
    static func destinationPages(of pdf: Data) -> [String: Int] {
        let text = String(decoding: pdf, as: Unicode.ASCII.self)
        guard let kids = text.range(of: "/Kids ["), let end = text[kids.upperBound...].firstIndex(of: "]") else { return [:] }
        let order = text[kids.upperBound..<end].components(separatedBy: " R").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var pages: [String: Int] = [:]
        for name in ["signature-start", "signature-end", "cc-start", "cc-end"] {
            guard let found = text.range(of: "/\(name) ["), let close = text[found.upperBound...].range(of: " R") else { continue }
            let reference = text[found.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if let index = order.firstIndex(of: reference) { pages[name] = index + 1 }
        }
        return pages
    }

    @Test("Bungo Pasal 6 ayat (4) huruf e angka 2 dan 3: a surat penugasan naming twelve employees prints on two A4 pages; the signature block and the tembusan are not split and end the letter")
    func manyPeopleOnTwoPages() throws {
        let lintas = try Lintas()
        try lintas.expectSuccess(["workflows", "load", Lintas.workflows])
        // Ten more Epidemiolog Kesehatan of the Seksi Surveilans of Tebo, besides the two of the sample directory.
        let names = ["Rahmat Hidayat, S.KM.", "Siti Nurhaliza, S.KM.", "Andi Saputra, S.KM.", "Dewi Lestari, S.KM.", "Fajar Nugroho, S.KM.",
                     "Indah Permatasari, S.KM.", "Yoga Pratama, S.KM.", "Rina Wulandari, S.KM.", "Hendra Wijaya, S.KM.", "Maya Sari, S.KM."]
        let nips = names.indices.map { String(format: "1993%02d152019031%03d", $0 + 1, $0 + 10) }
        let csv = lintas.folder.appendingPathComponent("pegawai-tebo.csv")
        try (["nip,name,status,position"] + zip(nips, names).map { "\($0),\"\($1)\",PNS,epidemiolog-ahli-pertama-tebo" })
            .joined(separator: "\n").write(to: csv, atomically: true, encoding: .utf8)
        try lintas.expectSuccess(["org", "import", Lintas.repository.appendingPathComponent("workflows/directories/bungo.json").path, "--employees", csv.path])
        try lintas.process(LetterGoldenTests.walk("BGO-64", "bungo.penunjukan.lintas-instansi", [
            ("submit", Bungo.kabidP2P, LetterGoldenTests.contents("Dasbor surveilans penyakit menular", "Epidemiologi lapangan dan analisis data",
                                                               "Laporan mingguan dari 19 Puskesmas").merging(["target_agency": "tebo"]) { $1 }),
            ("forward", Bungo.sekda, [:]), ("instruct", Bungo.sekdaTebo, ["target_unit": "tebo-dinkes-p2p-surveilans"]), ("recommend", Bungo.kabidP2PTebo, [:]),
            ("answer_available", Bungo.kasiSurveilansTebo, ["nominees": .array(([Bungo.epidemiologTebo, Bungo.epidemiologTeboPPPK] + nips).map(JSONValue.string))]),
            ("approve_answer", Bungo.sekdaTebo, [:]), ("issue_letter", Bungo.kabidP2PTebo, [:]),
        ]))
        #expect(try lintas.refusals() == [:])
        let letter = try #require(try LetterGoldenTests.letters(lintas, "BGO-64")["surat_penugasan"])
        #expect(letter["assigned"]?.arrayValue?.count == 12)
        #expect(letter["cc"]?.arrayValue?.count == 3)
        let html = try lintas.expectSuccess(["letter", "show", letter["id"]?.stringValue ?? "", "--format", "html"]).stdout
        guard let bytes = try Self.printed(Self.marked(html), name: "surat-12", in: lintas) else { return }
        #expect(Self.pages(of: bytes).count == 2, "twelve rows run onto a second page, and no further")
        let pages = Self.destinationPages(of: bytes)
        #expect(pages.count == 4, "each mark is a named destination: \(pages)")
        #expect(pages["signature-start"] == pages["signature-end"], "the signature block is on one page: \(pages)")
        #expect(pages["cc-start"] == pages["cc-end"], "the tembusan are on one page: \(pages)")
        #expect(pages["signature-start"] == 2 && pages["cc-end"] == 2, "the letter ends on its last page: \(pages)")
    }
}
