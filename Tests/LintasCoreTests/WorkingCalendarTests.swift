import Foundation
import LintasCore
import Testing

@Suite("Working days: weekends, hari libur nasional and cuti bersama, in the regency's zone")
struct WorkingCalendarTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("workflows/calendars/indonesia-2025-2026.json")

    static func shipped() throws -> WorkingCalendar {
        try WorkingCalendar.decode(try JSONValue.parse([UInt8](Data(contentsOf: file))), source: file.path)
    }

    static func date(_ text: String) -> CivilDate { CivilDate(iso: text)! }

    @Test("the shipped calendar lists the SKB's 17 + 10 days of 2025 and 17 + 8 of 2026")
    func shippedCalendar() throws {
        let calendar = try WorkingCalendarTests.shipped()
        #expect(calendar.years == [2025, 2026])
        for (year, holidays, leave) in [(2025, 17, 10), (2026, 17, 8)] {
            let days = calendar.daysOff.filter { $0.key.year == year }.map(\.value.kind)
            #expect(days.filter { $0 == .liburNasional }.count == holidays, "\(year)")
            #expect(days.filter { $0 == .cutiBersama }.count == leave, "\(year)")
        }
        #expect(calendar.daysOff[Self.date("2026-03-18")]?.name.contains("Nyepi") == true)
        #expect(WorkingCalendar.weekday(Self.date("2026-01-01")) == 4) // a Thursday
        #expect(calendar.isWorkingDay(Self.date("2026-03-25")) == true)
        #expect(calendar.isWorkingDay(Self.date("2026-03-23")) == false) // cuti bersama Idulfitri, a Monday
        #expect(calendar.isWorkingDay(Self.date("2026-03-28")) == false) // a Saturday
        #expect(calendar.isWorkingDay(Self.date("2027-01-04")) == nil)   // a year the file does not list
    }

    @Test("five working days from Thursday 12 March 2026 skip the weekend, Nyepi and the Idulfitri leave: Thursday 26 March")
    func countsAcrossLebaran() throws {
        let calendar = try WorkingCalendarTests.shipped()
        #expect(calendar.addingWorkingDays(5, to: Self.date("2026-03-12")) == Self.date("2026-03-26"))
        #expect(calendar.addingWorkingDays(1, to: Self.date("2025-12-24")) == Self.date("2025-12-29"))
        // Into a year the calendar does not know: refused, not guessed.
        #expect(calendar.addingWorkingDays(5, to: Self.date("2026-12-28")) == nil)
    }

    @Test("the deadline falls at the end of the day in the regency's zone: WIB, WITA and WIT differ", arguments: [
        (TimeZoneOffset.wib, "2026-03-14T00:00:00+07:00"),  // entered Thursday 12th 23:30 WIB: due end of Friday 13th
        (TimeZoneOffset.wita, "2026-03-17T00:00:00+08:00"), // already Friday 13th 00:30 WITA: due end of Monday 16th
        (TimeZoneOffset.wit, "2026-03-17T00:00:00+09:00"),
    ])
    func deadlineInZone(zone: TimeZoneOffset, expected: String) throws {
        let calendar = try WorkingCalendarTests.shipped()
        let entered = Timestamp(iso8601: "2026-03-12T23:30:00+07:00")!
        #expect(calendar.deadline(from: entered, workingDays: 1, in: zone) == Timestamp(iso8601: expected))
    }

    @Test("a bad calendar file lists every problem")
    func invalidCalendar() {
        let document = try! JSONValue.parse(#"""
            {"format": "lintas.calendar/1", "id": "x", "years": [2026, "2027"], "colour": "red",
             "days": [{"date": "2026-02-30", "kind": "libur_nasional", "name": "?"},
                      {"date": "2026-05-01", "kind": "libur", "name": "Hari Buruh"},
                      {"date": "2025-12-25", "kind": "libur_nasional", "name": "Natal"},
                      {"date": "2026-08-17", "kind": "libur_nasional", "name": "Proklamasi"},
                      {"date": "2026-08-17", "kind": "cuti_bersama", "name": "Proklamasi"}]}
            """#)
        do {
            _ = try WorkingCalendar.decode(document, source: "bad.json")
            Issue.record("accepted a bad calendar")
        } catch {
            let paths = error.problems.map(\.path)
            #expect(paths == ["colour", "years[1]", "days[0].date", "days[1].kind", "days[2].date", "days[4].date"], "\(error)")
        }
    }
}
