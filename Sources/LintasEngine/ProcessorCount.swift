import Glibc

/// The cores this process may run on, read as `ProcessInfo.activeProcessorCount` reads them on
/// Linux (the cgroup's CFS quota over its period, rounded up; else the cgroup's cpuset; else
/// the online processors), from the same files but without Foundation's `URL`, `Data` and
/// `String` (about 0.5 M instructions at the start of every replay, audit and status).
/// A cpuset of several ranges ("0-3,8-11") counts all of them, where Foundation counts the first.
/// Under cgroup v2 (the unified hierarchy, where Foundation reads nothing), the same two limits
/// from the process's own cgroup: `cpu.max` and `cpuset.cpus.effective`.
enum ProcessorCount {
    static let active: Int = cgroupQuota() ?? unifiedQuota() ?? cpuset() ?? unifiedCpuset()
        ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))

    static func cgroupQuota(quota quotaPath: String = "/sys/fs/cgroup/cpu/cpu.cfs_quota_us",
                            period periodPath: String = "/sys/fs/cgroup/cpu/cpu.cfs_period_us") -> Int? {
        cores(quota: integer(firstLineOf(quotaPath)), period: integer(firstLineOf(periodPath)))
    }

    /// A CPU quota over its period, rounded up; nil unless both are positive.
    static func cores(quota: Int?, period: Int?) -> Int? {
        guard let quota, quota > 0, let period, period > 0 else { return nil }
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

    /// cgroup v2: the tightest `cpu.max` ("150000 100000", a quota over its period, rounded up;
    /// "max 100000", none) of the process's cgroup and of each cgroup above it, since a parent's
    /// limit holds for its children; nil when none is set or the hierarchy is not mounted.
    static func unifiedQuota(membership: String = "/proc/self/cgroup", root: String = "/sys/fs/cgroup") -> Int? {
        guard var group = unifiedGroup(membership: membership) else { return nil }
        var tightest: Int?
        while true {
            if let line = firstLineOf(root + group + "/cpu.max") {
                let values = line.split(separator: UInt8(ascii: " "))
                if values.count == 2, let cores = cores(quota: integer(values[0]), period: integer(values[1])) {
                    tightest = min(tightest ?? Int.max, cores)
                }
            }
            guard let slash = group.utf8.lastIndex(of: UInt8(ascii: "/")) else { break }
            group = String(group[..<slash])
        }
        return tightest
    }

    /// cgroup v2: the processors of the process's own cgroup's effective cpuset.
    static func unifiedCpuset(membership: String = "/proc/self/cgroup", root: String = "/sys/fs/cgroup") -> Int? {
        guard let group = unifiedGroup(membership: membership) else { return nil }
        return cpuset(root + group + "/cpuset.cpus.effective")
    }

    /// The process's cgroup in the unified hierarchy, from its "0::/path" line, without the
    /// trailing slash (the root is ""); nil when there is no such line.
    static func unifiedGroup(membership: String) -> String? {
        guard let contents = contentsOf(membership) else { return nil }
        for line in contents.split(separator: UInt8(ascii: "\n")) where line.starts(with: "0::/".utf8) {
            var path = line.dropFirst(3)
            while path.last == UInt8(ascii: "/") { path = path.dropLast() }
            return String(decoding: path, as: UTF8.self)
        }
        return nil
    }

    /// The file's bytes before its first line feed; nil when it cannot be read.
    static func firstLineOf(_ path: String) -> ArraySlice<UInt8>? {
        contentsOf(path)?.prefix { $0 != UInt8(ascii: "\n") }
    }

    /// The file's first 4 KB; nil when it cannot be read.
    static func contentsOf(_ path: String) -> ArraySlice<UInt8>? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let read = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
        guard read >= 0 else { return nil }
        return bytes[..<read]
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
