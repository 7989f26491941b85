import Glibc

/// The cores this process may run on, read as `ProcessInfo.activeProcessorCount` reads them on
/// Linux (the cgroup's CFS quota over its period, rounded up; else the cgroup's cpuset; else
/// the online processors), from the same files but without Foundation's `URL`, `Data` and
/// `String` (about 0.5 M instructions at the start of every replay, audit and status).
/// A cpuset of several ranges ("0-3,8-11") counts all of them, where Foundation counts the first.
enum ProcessorCount {
    static let active: Int = cgroupQuota() ?? cpuset() ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))

    static func cgroupQuota(quota quotaPath: String = "/sys/fs/cgroup/cpu/cpu.cfs_quota_us",
                            period periodPath: String = "/sys/fs/cgroup/cpu/cpu.cfs_period_us") -> Int? {
        guard let quota = integer(firstLineOf(quotaPath)), quota > 0,
              let period = integer(firstLineOf(periodPath)), period > 0 else { return nil }
        return (quota - 1 + period) / period
    }

    static func cpuset(_ path: String = "/sys/fs/cgroup/cpuset/cpuset.cpus") -> Int? {
        guard let line = firstLineOf(path), !line.isEmpty else { return nil }
        var count = 0
        for range in line.split(separator: UInt8(ascii: ",")) {
            let ends = range.split(separator: UInt8(ascii: "-"), maxSplits: 1)
            guard let first = integer(ends.first), let last = integer(ends.last), last >= first else { return nil }
            count += 1 + last - first
        }
        return count
    }

    /// The file's bytes before its first line feed; nil when it cannot be read.
    static func firstLineOf(_ path: String) -> ArraySlice<UInt8>? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 1024)
        let read = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
        guard read >= 0 else { return nil }
        return bytes[..<read].prefix { $0 != UInt8(ascii: "\n") }
    }

    /// A decimal integer, optionally signed, spelled by all of `digits`; nil when it is not one
    /// or does not fit.
    static func integer(_ digits: ArraySlice<UInt8>?) -> Int? {
        guard var rest = digits else { return nil }
        let negative = rest.first == UInt8(ascii: "-")
        if negative || rest.first == UInt8(ascii: "+") { rest = rest.dropFirst() }
        guard !rest.isEmpty else { return nil }
        var value = 0
        for byte in rest {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) = times.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            guard !overflowTimes, !overflowSum else { return nil }
            value = sum
        }
        return negative ? -value : value
    }
}
