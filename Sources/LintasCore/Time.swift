/// An instant, in milliseconds since 1970-01-01T00:00:00Z.
///
/// The core never reads a clock: every instant it sees comes in as an argument.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.milliseconds < rhs.milliseconds }

    public func adding(milliseconds delta: Int64) -> Timestamp { Timestamp(milliseconds: milliseconds + delta) }

    /// ISO 8601 in UTC, e.g. `2025-03-03T02:15:00Z`.
    public var description: String { iso8601(in: .utc) }

    /// ISO 8601 with the zone's offset, e.g. `2025-03-03T09:15:00+07:00`; milliseconds only when present.
    public func iso8601(in zone: TimeZoneOffset) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(29)
        writeISO8601(in: zone, into: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// `iso8601(in:)` written into a byte buffer, digit by digit (no String per part: the daemon
    /// stamps every log line with one).
    public func writeISO8601(in zone: TimeZoneOffset, into output: inout [UInt8]) {
        let local = milliseconds + Int64(zone.seconds) * 1000
        let (days, dayMillis) = local.floorDivided(by: 86_400_000)
        CivilDate(daysSinceEpoch: Int(days)).write(into: &output)
        let seconds = Int(dayMillis / 1000)
        let millis = Int(dayMillis % 1000)
        output.append(UInt8(ascii: "T"))
        writePadded(seconds / 3600, into: &output)
        output.append(UInt8(ascii: ":"))
        writePadded(seconds / 60 % 60, into: &output)
        output.append(UInt8(ascii: ":"))
        writePadded(seconds % 60, into: &output)
        if millis != 0 {
            output.append(UInt8(ascii: "."))
            writeDroppingFirstDigit(millis + 1000, into: &output)
        }
        if zone.seconds == 0 { output.append(UInt8(ascii: "Z")) } else { zone.writeISOSuffix(into: &output) }
    }

    /// The calendar date of this instant in a zone.
    public func civilDate(in zone: TimeZoneOffset) -> CivilDate {
        let local = milliseconds + Int64(zone.seconds) * 1000
        return CivilDate(daysSinceEpoch: Int(local.floorDivided(by: 86_400_000).quotient))
    }

    /// Parses ISO 8601 date-times with an explicit zone: `2025-03-03T09:15:00+07:00`,
    /// `2025-03-03T02:15:00Z`, optional fractional seconds. Returns `nil` for anything else.
    public init?(iso8601 text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, let date = CivilDate(isoBytes: bytes[0..<10]),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let hour = digits(bytes[11..<13]), let minute = digits(bytes[14..<16]), let second = digits(bytes[17..<19]),
              hour < 24, minute < 60, second < 60
        else { return nil }
        var index = 19
        var millis = 0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 100
            let start = index
            while index < bytes.count, let digit = digits(bytes[index..<index + 1]) {
                millis += digit * scale
                scale /= 10
                index += 1
            }
            guard index > start, index - start <= 9 else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offsetSeconds = 0
        if bytes[index] == UInt8(ascii: "Z") {
            index += 1
        } else {
            guard bytes.count == index + 6, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-"),
                  bytes[index + 3] == UInt8(ascii: ":"),
                  let offsetHours = digits(bytes[index + 1..<index + 3]), let offsetMinutes = digits(bytes[index + 4..<index + 6]),
                  offsetHours < 24, offsetMinutes < 60
            else { return nil }
            offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        }
        guard index == bytes.count else { return nil }
        let seconds = Int64(date.daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        self.init(milliseconds: seconds * 1000 + Int64(millis))
    }
}

/// A calendar date without a time or zone: a regulation's date in force, a directory's
/// effective date, the start and end of an assignment.
public struct CivilDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    /// A valid Gregorian date, or `nil`.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...CivilDate.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    /// The string's own bytes are read in place (an array of them only for a string without contiguous UTF-8).
    public init?(iso text: String) {
        guard let date = text.utf8.withContiguousStorageIfAvailable({ CivilDate(isoBytes: $0) }) ?? CivilDate(isoBytes: Array(text.utf8)[...])
        else { return nil }
        self = date
    }

    /// Parses `YYYY-MM-DD` from its bytes: no `String` or array of them made.
    init?<Bytes: RandomAccessCollection<UInt8>>(isoBytes bytes: Bytes) where Bytes.Index == Int {
        let base = bytes.startIndex
        guard bytes.count == 10, bytes[base + 4] == UInt8(ascii: "-"), bytes[base + 7] == UInt8(ascii: "-"),
              let year = digits(bytes[base..<base + 4]), let month = digits(bytes[base + 5..<base + 7]),
              let day = digits(bytes[base + 8..<base + 10])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    public init(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    public func adding(days: Int) -> CivilDate { CivilDate(daysSinceEpoch: daysSinceEpoch + days) }

    /// The first instant of this date in a zone.
    public func start(in zone: TimeZoneOffset) -> Timestamp {
        Timestamp(milliseconds: (Int64(daysSinceEpoch) * 86_400 - Int64(zone.seconds)) * 1000)
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public var description: String {
        var text: [UInt8] = []
        text.reserveCapacity(10)
        write(into: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// `YYYY-MM-DD` written into a byte buffer.
    public func write(into output: inout [UInt8]) { write(to: &output) }

    /// `YYYY-MM-DD` written into an array or a run (`ByteRun`).
    func write(to output: inout some CanonicalOutput) {
        writeDroppingFirstDigit(year + 10000, into: &output)
        output.writeByte(UInt8(ascii: "-"))
        writePadded(month, into: &output)
        output.writeByte(UInt8(ascii: "-"))
        writePadded(day, into: &output)
    }

    /// Indonesian long form, e.g. `25 Oktober 2023`.
    public var indonesian: String {
        // Written as bytes, as `description` is: an interpolation makes a string of each number first.
        var text: [UInt8] = []
        text.reserveCapacity(21)
        writeIndonesian(into: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// `indonesian` written into a byte buffer (ASCII: digits, a month's name, spaces).
    func writeIndonesian(into output: inout some CanonicalOutput) {
        output.writeInteger(Int64(day))
        output.writeByte(UInt8(ascii: " "))
        var month = CivilDate.indonesianMonths[month - 1]
        month.withUTF8 { output.writeBytes(UnsafeRawBufferPointer($0)) }
        output.writeByte(UInt8(ascii: " "))
        output.writeInteger(Int64(year))
    }

    static let indonesianMonths = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
                                   "Agustus", "September", "Oktober", "November", "Desember"]

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// The fixed offset of an Indonesian time zone. Indonesia keeps no daylight saving time,
/// so a zone is fully described by its offset.
public struct TimeZoneOffset: Sendable, Hashable {
    public var seconds: Int
    public var name: String

    public static let utc = TimeZoneOffset(seconds: 0, name: "UTC")
    /// Waktu Indonesia Barat (UTC+7): Sumatra, Java, West and Central Kalimantan.
    public static let wib = TimeZoneOffset(seconds: 7 * 3600, name: "WIB")
    /// Waktu Indonesia Tengah (UTC+8): South, East and North Kalimantan, Bali, Sulawesi, Nusa Tenggara.
    public static let wita = TimeZoneOffset(seconds: 8 * 3600, name: "WITA")
    /// Waktu Indonesia Timur (UTC+9): Maluku and Papua.
    public static let wit = TimeZoneOffset(seconds: 9 * 3600, name: "WIT")

    /// `WIB`, `WITA` or `WIT`.
    public init?(name: String) {
        switch name {
        case "WIB": self = .wib
        case "WITA": self = .wita
        case "WIT": self = .wit
        default: return nil
        }
    }

    init(seconds: Int, name: String) {
        self.seconds = seconds
        self.name = name
    }

    /// `+07:00`: the offset as ISO 8601 writes it after a time.
    func writeISOSuffix(into output: inout [UInt8]) {
        let magnitude = abs(seconds)
        output.append(seconds < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        writePadded(magnitude / 3600, into: &output)
        output.append(UInt8(ascii: ":"))
        writePadded(magnitude / 60 % 60, into: &output)
    }
}

/// A number of at least two digits (`07`, `12`).
private func writePadded(_ number: Int, into output: inout some CanonicalOutput) {
    if number >= 0 && number < 10 { output.writeByte(UInt8(ascii: "0")) }
    output.writeInteger(Int64(number))
}

/// A number's digits but the first: `1007` as `007`, the zero-padding of a number added to a power of ten.
private func writeDroppingFirstDigit(_ number: Int, into output: inout some CanonicalOutput) {
    JSONWriter.withDigits(of: Int64(number)) { output.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: $0.dropFirst()))) }
}

private func digits<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Int? {
    var value = 0
    for byte in bytes {
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
        value = value * 10 + Int(byte - UInt8(ascii: "0"))
    }
    return bytes.isEmpty ? nil : value
}

extension Int64 {
    /// Division rounding toward negative infinity, with a non-negative remainder.
    func floorDivided(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        var quotient = self / divisor
        var remainder = self % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }
}
