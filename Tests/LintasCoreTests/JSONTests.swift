import LintasCore
import Testing

@Suite("JSON: strict parsing and the canonical form the hash chain depends on")
struct JSONTests {
    @Test("canonical form sorts keys and drops whitespace, so equal values give equal bytes")
    func canonicalForm() throws {
        let first = try JSONValue.parse(#"{ "b": [1, 2, {"z": null, "a": true}], "a": "x" }"#)
        let second = try JSONValue.parse(#"{"a":"x","b":[1,2,{"a":true,"z":null}]}"#)
        #expect(first == second)
        #expect(first.canonicalText == #"{"a":"x","b":[1,2,{"a":true,"z":null}]}"#)
        #expect(first.canonicalBytes == second.canonicalBytes)
    }

    @Test("strings survive a round trip: escapes, control characters, Indonesian text and emoji")
    func stringRoundTrip() throws {
        let text = "Kepala \"Bidang\"\\ \n\t\u{1} Perangkat Daerah — ✓ 😀"
        let encoded = JSONValue.string(text).canonicalText
        #expect(try JSONValue.parse(encoded) == .string(text))
        #expect(encoded.contains("\\u0001"))
        #expect(try JSONValue.parse(#""\ud83d\ude00 \u00e9""#) == .string("😀 é"))
        // Without escapes, short (one run) and long (three appends): the text between its quotes.
        for count in [0, 1, 256, 257, 1_000] {
            let plain = String(repeating: "Pemalang ", count: count / 9) + String(repeating: "a", count: count % 9)
            var bytes: [UInt8] = []
            JSONWriter.writeString(plain, into: &bytes)
            #expect(bytes == Array("\"\(plain)\"".utf8))
        }
        // Long enough to be checked eight bytes at a time, with what needs an escape at each offset in a word.
        for offset in 0..<17 {
            let pad = String(repeating: "a", count: offset)
            for (text, escaped) in [("\(pad)Kabupaten Pemalang é", false), ("\(pad)\"kutip\" di tengah", true), ("\(pad)garis\\miring", true),
                                    ("\(pad)kontrol\u{1F} dan DEL \u{7F}", true), ("\(pad) !#[]\u{7F}~ tanda baca", false)] {
                var bytes: [UInt8] = []
                JSONWriter.writeString(text, into: &bytes)
                #expect(try JSONValue.parse(bytes) == .string(text), "\(text)")
                #expect((bytes.count != text.utf8.count + 2) == escaped, "\(text)")
            }
        }
    }

    @Test("numbers: integers stay exact, fractions and exponents become doubles")
    func numbers() throws {
        #expect(try JSONValue.parse("9007199254740993") == .int(9_007_199_254_740_993))
        #expect(try JSONValue.parse("-0") == .int(0))
        // Up to 18 digits are summed in place, more go through the text: both exact, to the edges of Int64.
        #expect(try JSONValue.parse("-999999999999999999") == .int(-999_999_999_999_999_999))
        #expect(try JSONValue.parse("[9223372036854775807,-9223372036854775808]") == .array([.int(.max), .int(.min)]))
        #expect(try JSONValue.parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try JSONValue.parse("1.5e3") == .double(1500))
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse("01") }
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse("1.") }
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse("+1") }
        // A number JSON cannot spell is written as null, so what is written always parses again.
        for number in [Double.nan, .infinity, -.infinity] {
            #expect(try JSONValue.parse(Array(JSONValue.object(["median": .double(number)]).canonicalText.utf8)) == .object(["median": .null]))
        }
        // Written as their decimal text, to the edges of Int64 (the sign and 19 digits fill the writer's 20 bytes).
        for number: Int64 in [0, 7, 10, -1, -10, 1_767_225_600_000, .max, .min] {
            var bytes: [UInt8] = [UInt8(ascii: "[")]
            JSONWriter.writeInteger(number, into: &bytes)
            #expect(bytes == Array("[\(number)".utf8))
            #expect(JSONValue.int(number).canonicalText == "\(number)")
        }
    }

    @Test("reading past a value (a letter's content in replay) refuses what parsing it refuses")
    func skipIsStrict() throws {
        let documents = [
            #"{"a":[1,-2.5e3,true,false,null,{"b":"x\"y\u00e9"}],"c":{},"d":[]}"#, #"  "Surat Penugasan"  "#, "12", #"{"nama":"Dr. Hj. Siti Aisyah, M.Kes."}"#,
            #"{"a":1,}"#, #"{"a" 1}"#, "[1,2", #"{"a":tru}"#, "\"tab\there\"", #"{"a":"\x"}"#, "[01]", "{1:2}", "[1]]", "-", #"{"a":[}"#,
        ]
        #expect(documents.prefix(4).allSatisfy { (try? JSONValue.parse($0)) != nil }, "the first four are valid")
        for text in documents + [String(repeating: "[", count: 600) + String(repeating: "]", count: 600)] {
            let parsed = (try? JSONValue.parse(text)) != nil
            let skipped = (try? JSONReader.read(Array(text.utf8)) { (reader) throws(JSONSyntaxError) in try reader.skip() }) != nil
            #expect(parsed == skipped, "\(text.prefix(40))")
        }
        let invalidUTF8: [UInt8] = [0x22, 0xC3, 0x28, 0x22]
        #expect((try? JSONReader.read(invalidUTF8) { (reader) throws(JSONSyntaxError) in try reader.skip() }) == nil)
        // Strings long enough to be scanned sixteen and eight bytes at a time, with what ends the fast scan at each
        // offset in a block of sixteen, in the first block and in the second.
        for offset in 0..<33 {
            let pad = String(repeating: "a", count: offset)
            for (text, valid) in [("\(pad)Kabupaten Pemalang", true), ("\(pad)\\\"kutip\\\" di tengah", true), ("\(pad)Kepala Dinas é Kesehatan", true),
                                  ("\(pad)baris\tdengan tab mentah", false), ("\(pad)akhir\\", false),
                                  // The bytes next to the ones the scan looks for: space, '!', '#', '[', ']', DEL; then 0x1F, a control byte.
                                  ("\(pad) !#[]\u{7F}~ batas tanda baca", true), ("\(pad)kontrol\u{1F} sebelum akhir", false)] {
                // A member's value, and an item of a list (a letter's parts' hashes): read past in place, not by a call.
                for document in ["{\"k\":\"\(text)\"}", "[1,\"\(text)\",\"x\"]"] {
                    #expect(((try? JSONValue.parse(document)) != nil) == valid, "\(document)")
                    let skipped = (try? JSONReader.read(Array(document.utf8)) { (reader) throws(JSONSyntaxError) in try reader.skip() }) != nil
                    #expect(skipped == valid, "\(document)")
                }
            }
        }
        let invalidItem: [UInt8] = [0x5B, 0x22, 0x61, 0x22, 0x2C] + invalidUTF8 + [0x5D]
        #expect((try? JSONReader.read(invalidItem) { (reader) throws(JSONSyntaxError) in try reader.skip() }) == nil)
    }

    @Test("reading past a letter's content by its brackets ends where strict reading ends, whatever its strings hold")
    func skipMatchingEndsWhereSkipEnds() throws {
        let documents = [
            #"{"isi":"kurung } dan ] di dalam teks","daftar":[{"a":"\"}\""},["\\",{}]],"n":12}"#,
            #"[{"nama":"Siti \"Ais\" Aisyah, M.Kes.\\"},"tanda { [ di teks panjang sekali, lebih dari delapan byte"]"#,
            #"{"kosong":{},"larik":[],"é":"Kecamatan Comal é","angka":[1,-2.5e3,true,null]}"#,
        ]
        for text in documents {
            let bytes = Array(text.utf8)
            let (strict, matched) = try JSONReader.read(bytes) { (reader) throws(JSONSyntaxError) in
                var copy = reader
                return (try copy.rawRange(), try reader.skipMatching())
            }
            #expect(strict == 0..<bytes.count && matched == strict, "\(text)")
        }
        // An escaped quote or backslash at each offset in a block of sixteen, in the first block and in the second.
        for offset in 0..<33 {
            let pad = String(repeating: "a", count: offset)
            for text in [#"["\#(pad)kutip \" di tengah","lalu ]"]"#, #"{"a":"\#(pad)garis \\","b":"}"}"#, #"["\#(pad)tanpa tanda apa pun di dalamnya",1]"#] {
                let bytes = Array(text.utf8)
                let (strict, matched) = try JSONReader.read(bytes) { (reader) throws(JSONSyntaxError) in
                    var copy = reader
                    return (try copy.rawRange(), try reader.skipMatching())
                }
                #expect(strict == 0..<bytes.count && matched == strict, "\(text)")
            }
        }
        let unterminated = Array(#"{"a":"} tanpa akhir"#.utf8)
        #expect((try? JSONReader.read(unterminated) { (reader) throws(JSONSyntaxError) in try reader.skipMatching() }) == nil)
    }

    /// `bytes` as they are, and with each byte that matters to a reader put in place of each of
    /// theirs, put before each of theirs, and cut at each offset.
    static func mended(_ text: String) -> [[UInt8]] {
        let bytes = Array(text.utf8)
        let others: [UInt8] = Array(#" "\{}[],:1x-"#.utf8) + [0x01, 0xC3, 0xFF]
        var variants = [bytes]
        for offset in bytes.indices {
            variants.append(Array(bytes[..<offset]))
            for other in others {
                var replaced = bytes
                replaced[offset] = other
                var inserted = bytes
                inserted.insert(other, at: offset)
                variants += [replaced, inserted]
            }
        }
        return variants
    }

    /// What `body` reads from `bytes`, or the error it reads them with.
    static func reading<Value>(_ bytes: [UInt8], _ body: (inout JSONReader) throws(JSONSyntaxError) -> Value) -> Result<Value, JSONSyntaxError> {
        Result { () throws(JSONSyntaxError) in try JSONReader.read(bytes, body) }
    }

    @Test("an object read past in one scan (matchedObject, a letter's content in replay) ends where members(matching:) with skipMatching ends and keeps the same date; any object it does not take is left where it stood, for that reading to take or refuse as before: malformed bytes at every offset")
    func matchedObjectEndsWhereMembersEnd() {
        // The member by member reading replay did before: the date read strictly when it is a string.
        func members(_ reader: inout JSONReader) throws(JSONSyntaxError) -> [Range<Int>?] {
            let start = reader.position
            var date: Range<Int>?
            try reader.members(matching: { (reader, key) throws(JSONSyntaxError) in
                if !JSONReader.equal(key, "date") {
                    _ = try reader.skipMatching()
                } else if reader.position < reader.bytes.count && reader.bytes[reader.position] == UInt8(ascii: "\"") {
                    date = try reader.stringRange()
                } else {
                    _ = try reader.rawRange()
                }
            })
            return [start..<reader.position, date]
        }
        let contents = [
            #"{"assigned":[{"name":"Siti \"Ais\", M.Kes.\\","nip":"1"}],"cites":{"date":"x","n":[1,{}]},"date":"2026-03-02","date_text":"2 Maret 2026"}"#,
            #"{"date":"2026-03-02","date_text":"2 Maret 2026"}"#,
            #"{"date":"é 2026","date":"\u0041"}"#,
            #"{}"#,
        ]
        var taken = 0
        for text in contents {
            for bytes in Self.mended(text) {
                let before = Self.reading(bytes, members)
                let now = Self.reading(bytes) { (reader) throws(JSONSyntaxError) in
                    let start = reader.position
                    guard let (object, date) = reader.matchedObject(keeping: "date") else {
                        #expect(reader.position == start)
                        return try members(&reader)
                    }
                    taken += 1
                    return [object, date]
                }
                #expect(now == before, "\(String(decoding: bytes, as: UTF8.self))")
            }
        }
        // Most variants are still objects as lintas writes them (a byte changed within a string).
        #expect(taken > 1_000)
    }

    @Test("an integer as lintas writes it read in place (int) as parseNumber reads it; any other number or value read or refused as before: signs, leading zeros, fractions, exponents, 18 and 19 digits, at the end of the document or not")
    func intReadsAsValue() {
        let spellings = ["0", "7", "-7", "01", "10", "1.0", "1.", "1e0", "1E5", "1e", "123456789012345678", "1234567890123456789",
                         "99999999999999999999", "-", "\"1\"", "null", "12x", "5 ", "9]", ""]
        for spelling in spellings {
            for text in [spelling, "[" + spelling + "]"] {
                let bytes = Array(text.utf8)
                func read(_ reader: inout JSONReader, _ item: (inout JSONReader) throws(JSONSyntaxError) -> Int64) throws(JSONSyntaxError) -> Int64 {
                    guard text.hasPrefix("[") else { return try item(&reader) }
                    var integer: Int64 = 0
                    try reader.elements { (reader) throws(JSONSyntaxError) in integer = try item(&reader) }
                    return integer
                }
                let before = Self.reading(bytes) { (reader) throws(JSONSyntaxError) in
                    try read(&reader) { (reader) throws(JSONSyntaxError) in
                        guard case .int(let integer) = try reader.value() else { throw reader.expected("an integer") }
                        return integer
                    }
                }
                let now = Self.reading(bytes) { (reader) throws(JSONSyntaxError) in try read(&reader) { (reader) throws(JSONSyntaxError) in try reader.int() } }
                #expect(now == before, "\(text)")
            }
        }
    }

    @Test("a list of strings read string by string (stringListRange, a letter's parts' hashes in replay) ends where rawRange ends; any other value read or refused as before: malformed bytes at every offset")
    func stringListEndsWhereRawRangeEnds() {
        // Two hashes as lintas writes a letter's parts' (read by skipHash), and strings of 64 bytes that are no hash.
        let hashes = #"["5978fab285ba01d661f7d46ed094706135cd615412712028a5e4549facb7a663","0e5c7a64d2b1f3980aa1c6e77f2d4b3c9581e06d2a4f7bc3e1d9058a6b2c47f1"]"#
        let lists = [#"["5978fab285ba01d661f7d46ed094706135cd615412712028a5e4549facb7a663","81","é\"\\"]"#, hashes, #"[""]"#, #"[]"#, #"["a",1]"#,
                     #"["5978fab285ba01d661f7d46ed094706135cd615412712028a5e4549facb7a6é"]"#, #"["5978fab285ba01d661f7d46ed094706135cd615412712028a5e4549facb7a\""]"#]
        Self.expectReadsAsBefore(lists, before: { (reader) throws(JSONSyntaxError) in try reader.rawRange() },
                                 now: { (reader) throws(JSONSyntaxError) in try reader.stringListRange() })
    }

    /// Every malformed variant of each text (`mended`) read by `now` as by `before`, most of them taken.
    static func expectReadsAsBefore(_ texts: [String], before: (inout JSONReader) throws(JSONSyntaxError) -> Range<Int>,
                                    now: (inout JSONReader) throws(JSONSyntaxError) -> Range<Int>) {
        var taken = 0
        for text in texts {
            for bytes in mended(text) {
                let read = reading(bytes, now)
                #expect(read == reading(bytes, before), "\(String(decoding: bytes, as: UTF8.self))")
                if case .success = read { taken += 1 }
            }
        }
        #expect(taken > 1_000)
    }

    @Test("a string read as a hash (hashRange, a letter's content hash in replay) ends where stringRange ends; any other string or value read or refused as before: malformed bytes at every offset")
    func hashRangeEndsWhereStringRangeEnds() {
        let strings = [#""0e3b9411ba1d29762ecb65e2c5c0bce357e4f1eafbae331a1a82871bd1eca49f""#, #""0e3b9411ba1d29762ecb65e2c5c0bce357e4f1eafbae331a1a82871bd1eca49f","#,
                       #""0e3b9411ba1d29762ecb65e2c5c0bce357e4f1eafbae331a1a82871bd1eca4é""#, #""""#, #"1"#]
        Self.expectReadsAsBefore(strings, before: { (reader) throws(JSONSyntaxError) in try reader.stringRange() },
                                 now: { (reader) throws(JSONSyntaxError) in try reader.hashRange() })
    }

    @Test("a member's punctuation and name compared as bytes (follows): read past only when every byte is the same, names shorter and longer than a word, at the end of the document")
    func followsComparesEveryByte() {
        let names: [StaticString] = ["\"type\":", "\"content_parts\":", "\"a\":", ""]
        for name in names {
            let written = [UInt8(ascii: ",")] + Array(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            var variants = [(written, true), (written + [UInt8(ascii: "1")], true), (Array(written.dropLast()), false), ([UInt8(ascii: "{")] + written.dropFirst(), false)]
            for offset in written.indices {
                var changed = written
                changed[offset] ^= 0x20
                variants.append((changed, false))
            }
            for (bytes, follows) in variants {
                _ = try? JSONReader.read(bytes) { (reader) throws(JSONSyntaxError) in
                    let start = reader.position
                    #expect(reader.follows(UInt8(ascii: ","), name) == follows && reader.position == (follows ? written.count : start), "\(bytes)")
                    throw reader.expected("nothing")
                }
            }
        }
    }

    @Test("errors name the line and column of the first problem")
    func errorPosition() {
        do {
            _ = try JSONValue.parse("{\n  \"a\": 1,\n  \"b\" 2\n}")
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.line == 3)
            #expect(error.column == 7)
            #expect(error.message.contains("expected ':'"))
        }
    }

    @Test("a member named twice is refused rather than silently overwritten")
    func duplicateMember() {
        #expect { try JSONValue.parse(#"{"reason": "a", "reason": "b"}"#) } throws: { error in
            (error as? JSONSyntaxError)?.message.contains("appears twice") == true
        }
    }

    @Test("invalid UTF-8, raw control characters, lone surrogates and trailing data are refused")
    func malformedInput() {
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse([0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse("\"a\u{0}b\"") }
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(#""\ud800""#) }
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse("{} {}") }
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse("") }
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse("[1,]") }
    }

    @Test("nesting deeper than the limit is refused, not recursed into")
    func depthLimit() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect { try JSONValue.parse(deep) } throws: { error in
            (error as? JSONSyntaxError)?.message.contains("nesting deeper") == true
        }
        let fine = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        #expect(throws: Never.self) { try JSONValue.parse(fine) }
    }
}
