@testable import LintasCore
import TestSupport
import Testing

/// A state keeps its fields' canonical bytes (`RequestState.fieldsBytes`), made as steps change
/// the fields and copied into every projection written after: they must be the bytes the
/// fields' tree writes, whatever the steps gave.
@Suite("a state's kept fields' bytes are what its fields write")
struct KeptFieldsTests {
    /// The submitted request's state, and a step on a state giving `fields`.
    static func steps() throws -> (first: RequestState, step: (RequestState, [String: JSONValue]) throws -> RequestState) {
        let submitted = try CanonicalEncodingTests.submitted().event
        func step(_ state: RequestState, _ fields: [String: JSONValue]) throws -> RequestState {
            var event = submitted
            (event.version, event.action, event.detail.fields, event.detail.letter) = (state.version + 1, "recommend", fields, nil)
            return try RequestState.evolve(state, event)
        }
        return (try RequestState.evolve(nil, submitted), step)
    }

    static func expectKept(_ state: RequestState, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        let written = JSONValue.object(state.fields).canonicalBytes
        #expect(state.fieldsBytes.bytes == written, comment, sourceLocation: sourceLocation)
        #expect(state.canonicalBytes == state.json.canonicalBytes, comment, sourceLocation: sourceLocation)
    }

    @Test("each step's fields merged into the kept bytes: a name before the first, between two, after the last, one replaced, none given; names and values that need escapes")
    func merged() throws {
        let (first, step) = try Self.steps()
        var state = first
        Self.expectKept(state)
        // Merged into the kept bytes, not written again from the fields.
        #expect(state.fieldsBytes.merging(["note": "x"])?.bytes == JSONValue.object(state.fields.merging(["note": "x"]) { $1 }).canonicalBytes)
        let nested: JSONValue = .object(["z": .array([.int(-3), .double(1.5), .null, .bool(true)]), "a": .object([:]), "m": "x\"y"])
        let changes: [[String: JSONValue]] = [[:], ["AA": "first"], ["zz": nested], ["note": "Tab\there"], ["purpose": "ganti", "aa": .int(7)],
                                              ["AA": .array([]), "zz": "last", "mid": .object(["b": .int(1), "a": .int(2)])], ["": "empty name"],
                                              ["na\"me": "a name with a quote", "é": "ɓaru 日本"], ["purpose": .null], [:]]
        for (index, fields) in changes.enumerated() {
            state = try step(state, fields)
            Self.expectKept(state, "step \(index): \(fields)")
            #expect(state.fields["purpose"] != nil && fields.allSatisfy { state.fields[$0.key] == $0.value })
        }
        // A kept name with an escape: not merged, the fields written again, the same bytes.
        #expect(state.fieldsBytes.merging(["x": .int(1)]) == nil && state.fieldsBytes.bytes != nil)
        state = try step(state, ["x": .int(1), "na\"me": "changed"])
        Self.expectKept(state)
        // Changed other than by a step: not kept, written from the fields.
        var changed = try step(first, [:])
        changed.fields["owner_unit"] = "lain"
        #expect(changed.fieldsBytes.bytes == nil && changed.canonicalBytes == changed.json.canonicalBytes)
        #expect(try step(changed, [:]).fieldsBytes.bytes == nil)
        Self.expectKept(try step(changed, ["note": "catatan"]))
        // Read from its projection: not kept; a step giving fields writes them whole.
        let read = try RequestState(bytes: state.canonicalBytes, keepingParticipants: true)
        #expect(read.fieldsBytes.bytes == nil && read == state && read.canonicalBytes == state.canonicalBytes)
        Self.expectKept(try step(read, ["note": "lagi"]))
    }

    @Test("random steps over a few names: the kept bytes stay the fields' canonical bytes")
    func randomSteps() throws {
        let (first, step) = try Self.steps()
        var random = SplitMix64(state: 19)
        let names = ["a", "b", "ba", "note", "purpose", "z", "Ω", "owner_unit"]
        let values: [JSONValue] = ["teks", .int(42), .null, .array(["x", .int(1)]), .object(["k": "v", "b": .object(["c": .bool(true)])]), ""]
        var state = first
        for index in 0..<300 {
            var fields: [String: JSONValue] = [:]
            for _ in 0..<random.next(below: 4) { fields[names[random.next(below: names.count)]] = values[random.next(below: values.count)] }
            state = try step(state, fields)
            Self.expectKept(state, "step \(index)")
        }
    }
}
