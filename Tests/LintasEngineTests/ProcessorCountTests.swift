import Foundation
@testable import LintasEngine
import TestSupport
import Testing

@Suite("The cores a process may run on, read without Foundation as Foundation reads them")
struct ProcessorCountTests {
    func written(_ contents: String) throws -> String {
        let file = Scratch.file("cgroup", extension: "txt")
        try contents.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    @Test("the same count as ProcessInfo.activeProcessorCount on this machine")
    func sameAsFoundation() {
        #expect(ProcessorCount.active == ProcessInfo.processInfo.activeProcessorCount)
        #expect(SnapshotReaders.defaultWorkers == max(1, ProcessInfo.processInfo.activeProcessorCount))
    }

    @Test("a CFS quota over its period, rounded up; none when unlimited, missing or not a number")
    func quota() throws {
        let period = try written("100000\n")
        #expect(ProcessorCount.cgroupQuota(quota: try written("150000\n"), period: period) == 2)
        #expect(ProcessorCount.cgroupQuota(quota: try written("300000\n"), period: period) == 3)
        #expect(ProcessorCount.cgroupQuota(quota: try written("-1\n"), period: period) == nil)
        #expect(ProcessorCount.cgroupQuota(quota: try written("12x\n"), period: period) == nil)
        #expect(ProcessorCount.cgroupQuota(quota: try written("150000\n"), period: try written("0\n")) == nil)
        #expect(ProcessorCount.cgroupQuota(quota: Scratch.file("missing", extension: "txt").path, period: period) == nil)
    }

    @Test("a cpuset's ranges and single processors counted; none when empty or malformed")
    func cpuset() throws {
        #expect(ProcessorCount.cpuset(try written("0-1\n")) == 2)
        #expect(ProcessorCount.cpuset(try written("0-3,8,10-11\n")) == 7)
        #expect(ProcessorCount.cpuset(try written("5")) == 1)
        #expect(ProcessorCount.cpuset(try written("\n")) == nil)
        #expect(ProcessorCount.cpuset(try written("3-1\n")) == nil)
        #expect(ProcessorCount.cpuset(Scratch.file("missing", extension: "txt").path) == nil)
    }

    /// A unified (v2) hierarchy under a scratch folder: `groups` maps a cgroup's path to its files.
    func hierarchy(_ groups: [String: [String: String]], member: String) throws -> (membership: String, root: String) {
        let root = try Scratch.folder("cgroup2")
        for (group, files) in groups {
            let folder = root.appendingPathComponent(String(group.dropFirst()), isDirectory: true)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (name, contents) in files {
                try contents.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
            }
        }
        return (try written("12:memory:/elsewhere\n0::\(member)\n"), root.path)
    }

    @Test("cgroup v2: the tightest cpu.max of the process's cgroup and those above it, rounded up; none for max")
    func unifiedQuota() throws {
        let nested = try hierarchy(["/": [:], "/lintas.slice": ["cpu.max": "250000 100000\n"],
                                    "/lintas.slice/daemon.scope": ["cpu.max": "max 100000\n"]],
                                   member: "/lintas.slice/daemon.scope")
        #expect(ProcessorCount.unifiedQuota(membership: nested.membership, root: nested.root) == 3)
        let own = try hierarchy(["/": [:], "/a": ["cpu.max": "400000 100000\n"], "/a/b": ["cpu.max": "150000 100000\n"]],
                                member: "/a/b/")
        #expect(ProcessorCount.unifiedQuota(membership: own.membership, root: own.root) == 2)
        let container = try hierarchy(["/": ["cpu.max": "100000 100000\n"]], member: "/")
        #expect(ProcessorCount.unifiedQuota(membership: container.membership, root: container.root) == 1)
        let unlimited = try hierarchy(["/": ["cpu.max": "max 100000\n"]], member: "/")
        #expect(ProcessorCount.unifiedQuota(membership: unlimited.membership, root: unlimited.root) == nil)
        let malformed = try hierarchy(["/x": ["cpu.max": "150000\n"]], member: "/x")
        #expect(ProcessorCount.unifiedQuota(membership: malformed.membership, root: malformed.root) == nil)
        let v1Only = try written("4:cpu:/\n")
        #expect(ProcessorCount.unifiedQuota(membership: v1Only, root: container.root) == nil)
        #expect(ProcessorCount.unifiedQuota(membership: Scratch.file("missing", extension: "txt").path, root: container.root) == nil)
    }

    @Test("cgroup v2: the processors of the process's own cgroup's effective cpuset")
    func unifiedCpuset() throws {
        let group = try hierarchy(["/": ["cpuset.cpus.effective": "0-7\n"], "/pinned": ["cpuset.cpus.effective": "2-3,6\n"]],
                                  member: "/pinned")
        #expect(ProcessorCount.unifiedCpuset(membership: group.membership, root: group.root) == 3)
        let none = try hierarchy(["/plain": [:]], member: "/plain")
        #expect(ProcessorCount.unifiedCpuset(membership: none.membership, root: none.root) == nil)
    }
}
