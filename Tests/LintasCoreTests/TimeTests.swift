import LintasCore
import TestSupport
import Testing

@Suite("Time: instants, civil dates and Indonesian zones")
struct TimeTests {
    @Test("ISO 8601 with an offset reads to the same instant as its UTC form")
    func parsing() throws {
        let wib = try #require(Timestamp(iso8601: "2025-03-03T09:15:00+07:00"))
        let utc = try #require(Timestamp(iso8601: "2025-03-03T02:15:00Z"))
        #expect(wib == utc)
        #expect(Timestamp(iso8601: "2025-03-03T09:15:00.250+07:00") == wib.adding(milliseconds: 250))
        #expect(Timestamp(iso8601: "2025-03-03T09:15:00") == nil, "a time without a zone is ambiguous")
        #expect(Timestamp(iso8601: "2025-02-30T09:15:00Z") == nil)
        #expect(Timestamp(iso8601: "2025-03-03T24:00:00Z") == nil)
    }

    @Test("an instant is written in the regency's zone, and its date is that zone's date")
    func zones() throws {
        let instant = try #require(Timestamp(iso8601: "2025-03-03T20:30:00Z"))
        #expect(instant.iso8601(in: .wib) == "2025-03-04T03:30:00+07:00")
        #expect(instant.iso8601(in: .wit) == "2025-03-04T05:30:00+09:00")
        #expect(instant.description == "2025-03-03T20:30:00Z")
        #expect(instant.adding(milliseconds: 7).iso8601(in: .wita) == "2025-03-04T04:30:00.007+08:00", "milliseconds only when present, three digits")
        #expect(Timestamp(iso8601: "0987-01-09T01:02:03.450Z")!.description == "0987-01-09T01:02:03.450Z", "years of four digits")
        #expect(instant.civilDate(in: .utc) == CivilDate(year: 2025, month: 3, day: 3))
        #expect(instant.civilDate(in: .wib) == CivilDate(year: 2025, month: 3, day: 4))
        #expect(TimeZoneOffset(name: "WITA") == .wita)
        #expect(TimeZoneOffset(name: "CET") == nil)
    }

    @Test("civil dates: leap years, day arithmetic and the Indonesian long form")
    func civilDates() throws {
        #expect(CivilDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 2025, month: 2, day: 29) == nil)
        let date = try #require(CivilDate(iso: "2023-10-25"))
        #expect(date.indonesian == "25 Oktober 2023")
        #expect(date.adding(days: 7) == CivilDate(iso: "2023-11-01"))
        #expect(CivilDate(daysSinceEpoch: date.daysSinceEpoch) == date)
        #expect(date.start(in: .wib) == Timestamp(iso8601: "2023-10-25T00:00:00+07:00"))
    }

    @Test("an ISO date is read from a string's own bytes, small or not: exactly YYYY-MM-DD, a real day")
    func civilDateFromISOText() {
        // A string of ten ASCII bytes is stored inline; a longer one (or one cut from it) on the heap.
        let long = "tanggal 2026-09-28, berakhir"
        let cut = String(long.dropFirst(8).prefix(10))
        #expect(CivilDate(iso: cut) == CivilDate(year: 2026, month: 9, day: 28))
        #expect(CivilDate(iso: "2026-09-28") == CivilDate(year: 2026, month: 9, day: 28))
        for text in ["", "2026-09-2", "2026-09-280", "2026-02-30", "2026/09/28", "2026-09-28 ", "２026-09-28", long] {
            #expect(CivilDate(iso: text) == nil, "\(text)")
        }
    }

    @Test("NIP: 18 digits starting with a date of birth, the 15th digit 1 or 2; PPPK numbers too")
    func nip() {
        #expect(NIP.problem(with: Pemalang.prakomMuda) == nil)
        #expect(NIP.problem(with: Pemalang.pppkPelaksana) == nil, "a PPPK number")
        #expect(NIP.problem(with: "19890326201503100")?.contains("18 digits") == true)
        #expect(NIP.problem(with: "198913262015031002")?.contains("date of birth") == true)
        #expect(NIP.problem(with: "198903262015033002")?.contains("15th digit") == true)
        #expect(NIP(Pemalang.prakomMuda).grouped == "19890326 201503 1 002")
    }
}
