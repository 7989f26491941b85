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
}
