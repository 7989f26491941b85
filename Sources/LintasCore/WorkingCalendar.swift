/// Working days of the Indonesian civil service: Monday to Friday, except national holidays
/// (*hari libur nasional*) and collective leave (*cuti bersama*), as the joint decree (SKB) of
/// the Minister of Religious Affairs, the Minister of Manpower and the Minister of PANRB sets
/// them each year.
///
/// Read from a calendar file (`lintas.calendar/1`, see docs/workflow-format.md). A calendar
/// knows the years it lists; it refuses to count across a year it does not know rather than
/// treat that year's holidays as working days.
public struct WorkingCalendar: Sendable, Hashable {
    public static let format = "lintas.calendar/1"

    public var id: String
    /// The years whose days off the calendar lists completely.
    public var years: Set<Int>
    public var daysOff: [CivilDate: DayOff]

    public struct DayOff: Sendable, Hashable {
        public var kind: Kind
        public var name: String

        public enum Kind: String, Sendable, Hashable, CaseIterable {
            case liburNasional = "libur_nasional"
            case cutiBersama = "cuti_bersama"
        }
    }

    public init(id: String, years: Set<Int>, daysOff: [CivilDate: DayOff]) {
        self.id = id
        self.years = years
        self.daysOff = daysOff
    }

    /// Several calendar files as one (e.g. one file a year).
    public func merging(_ other: WorkingCalendar) -> WorkingCalendar {
        WorkingCalendar(id: id + "+" + other.id, years: years.union(other.years), daysOff: daysOff.merging(other.daysOff) { first, _ in first })
    }

    /// The last day the calendar lists: 31 December of its last year (`nil` when it lists none).
    public var lastDay: CivilDate? { years.max().flatMap { CivilDate(year: $0, month: 12, day: 31) } }

    /// How many days before its end an operator is warned that the calendar runs out.
    public static let endWarningDays = 60

    /// A warning for the operator when the calendar ends within `days` days of `today` or has
    /// ended: from then on a deadline that would be counted into the next year is not counted
    /// (`deadline_uncounted`) until that year's file is added. `nil` while the end is further away.
    public func endWarning(on today: CivilDate, within days: Int = WorkingCalendar.endWarningDays) -> String? {
        guard let lastDay, today.adding(days: days) >= lastDay else { return nil }
        let left = lastDay.daysSinceEpoch - today.daysSinceEpoch
        let when = left < 0 ? "ended on \(lastDay) (\(-left) days ago)" : left == 0 ? "ends today (\(lastDay))" : "ends on \(lastDay), in \(left) days"
        return "The working-day calendar \(id) \(when): deadlines that reach \(lastDay.year + 1) are not counted (deadline_uncounted) "
            + "until a calendar file for \(lastDay.year + 1) is added from the SKB on hari libur nasional and cuti bersama (see docs/operations.md)."
    }

    /// 1 for Monday … 7 for Sunday.
    public static func weekday(_ date: CivilDate) -> Int {
        // 1970-01-01 was a Thursday.
        ((date.daysSinceEpoch + 3) % 7 + 7) % 7 + 1
    }

    /// Whether civil servants work that day; `nil` for a year the calendar does not list.
    public func isWorkingDay(_ date: CivilDate) -> Bool? {
        guard years.contains(date.year) else { return nil }
        return WorkingCalendar.weekday(date) <= 5 && daysOff[date] == nil
    }

    /// The date of the n-th working day after `start` (the day of `start` itself does not count).
    /// - Returns: `nil` when the count runs into a year the calendar does not list.
    public func addingWorkingDays(_ count: Int, to start: CivilDate) -> CivilDate? {
        var date = start
        var remaining = count
        while remaining > 0 {
            date = date.adding(days: 1)
            guard let working = isWorkingDay(date) else { return nil }
            if working { remaining -= 1 }
        }
        return date
    }

    /// When a step started at `start` is overdue if it must be taken within `count` working
    /// days: the end of the `count`-th working day after the day it started, in the regency's zone.
    /// - Returns: `nil` when the count runs into a year the calendar does not list.
    public func deadline(from start: Timestamp, workingDays count: Int, in zone: TimeZoneOffset) -> Timestamp? {
        addingWorkingDays(count, to: start.civilDate(in: zone)).map { $0.adding(days: 1).start(in: zone) }
    }

    /// Reads a calendar file, reporting every problem.
    /// - Throws: `InvalidDocument` with every problem found.
    public static func decode(_ document: JSONValue, source: String) throws(InvalidDocument) -> WorkingCalendar {
        var reader = DocumentReader()
        guard let root = reader.object(document, "") else { throw InvalidDocument(source: source, problems: reader.problems) }
        reader.rejectUnknown(root, allowed: ["format", "id", "title", "years", "sources", "days"], "")
        if let format = reader.string(root, "format", ""), format != WorkingCalendar.format {
            reader.report("format", "expected \"\(WorkingCalendar.format)\", found \"\(format)\"")
        }
        let id = reader.string(root, "id", "") ?? ""
        var years: Set<Int> = []
        for (offset, value) in reader.array(root, "years", "").enumerated() {
            guard let year = value.intValue, (1...9999).contains(year) else {
                reader.report("years[\(offset)]", "expected a year such as 2026, found \(value.canonicalText.prefix(40))")
                continue
            }
            years.insert(Int(year))
        }
        var daysOff: [CivilDate: DayOff] = [:]
        for (offset, item) in reader.array(root, "days", "").enumerated() {
            let path = "days[\(offset)]"
            guard let members = reader.object(item, path) else { continue }
            reader.rejectUnknown(members, allowed: ["date", "kind", "name"], path)
            let date = reader.date(members, "date", path)
            let kind = reader.enumValue(members, "kind", path, as: DayOff.Kind.self)
            let name = reader.string(members, "name", path)
            guard let date, let kind, let name else { continue }
            if !years.contains(date.year) { reader.report("\(path).date", "\(date) is not in a year the calendar lists (\(years.sorted()))") }
            if daysOff[date] != nil { reader.report("\(path).date", "\(date) is listed twice") }
            daysOff[date] = DayOff(kind: kind, name: name)
        }
        guard reader.problems.isEmpty else { throw InvalidDocument(source: source, problems: reader.problems) }
        return WorkingCalendar(id: id, years: years, daysOff: daysOff)
    }
}
