import Foundation
import LintasCore
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

    @Test("Pasal 11 ayat (4) huruf c: the surat penugasan prints to a valid one-page A4 PDF without error")
    func printsToOnePageA4() throws {
        let lintas = try Lintas.prepared()
        try LetterCommandTests.issued(lintas, "PML-1")
        let html = try lintas.expectSuccess(["letter", "show", LetterCommandTests.number, "--format", "html"]).stdout
        #expect(html.contains("@page { size: A4; margin: 20mm 20mm 20mm 25mm; }"))
        let page = lintas.folder.appendingPathComponent("surat.html")
        try Data(html.utf8).write(to: page)
        let pdf = lintas.folder.appendingPathComponent("surat.pdf")
        guard let chromium = Self.chromium else {
            Issue.record("chromium is not on PATH: run .ci/setup, which installs Debian's chromium")
            return
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
        #expect(process.terminationStatus == 0, "chromium: \(log)")
        #expect(log.contains("written to file \(pdf.path)"), "chromium: \(log)")
        let bytes = try Data(contentsOf: pdf)
        #expect(bytes.starts(with: Array("%PDF-".utf8)))
        #expect(String(decoding: bytes.suffix(32), as: UTF8.self).contains("%%EOF"), "a complete file")
        let (count, boxes) = Self.pages(of: bytes)
        #expect(count == 1, "the letter fits one page: no overflow onto a second")
        #expect(!boxes.isEmpty)
        for box in boxes {
            #expect(box.count == 4 && abs(box[2] - box[0] - 595.3) < 2 && abs(box[3] - box[1] - 841.9) < 2, "A4 is 595.3 × 841.9 pt, found \(box)")
        }
    }
}
