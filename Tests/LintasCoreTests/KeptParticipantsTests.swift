@testable import LintasCore
import TestSupport
import Testing

/// A state the daemon evolves keeps its participants as their canonical bytes (`ParticipantList.first`,
/// then `append` for each step), copied into every projection written after: they must be the
/// bytes the participants' tree writes, whatever the steps were.
@Suite("a state's kept participants' bytes are what its participants write")
struct KeptParticipantsTests {
    /// A step on `state`: `action` taken by `actor`.
    static func step(_ state: RequestState, _ action: String, by actor: String) throws -> RequestState {
        var event = try CanonicalEncodingTests.submitted().event
        (event.version, event.action, event.actor, event.detail.fields, event.detail.letter) = (state.version + 1, action, NIP(actor), [:], nil)
        return try RequestState.evolve(state, event)
    }

    static func expectKept(_ state: RequestState, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        let tree = state.participants
        let written = JSONValue.object(tree.mapValues { .array($0.map { .string($0.rawValue) }) }).canonicalBytes
        var output = ByteRun(capacity: 256)
        output.writeByte(UInt8(ascii: "{"))
        state.participantList.write(into: &output)
        output.writeByte(UInt8(ascii: "}"))
        #expect(Array(output.bytes[..<output.count]) == written, comment, sourceLocation: sourceLocation)
        #expect(state.canonicalBytes == state.json.canonicalBytes, comment, sourceLocation: sourceLocation)
        for action in Set(tree.keys).union(["absent", "approve", "zz"]) {
            #expect(state.participantList.people(action) == tree[action], comment, sourceLocation: sourceLocation)
            for person in Set(tree.values.joined()).union([NIP("1"), NIP("19800101200001100"), NIP("1980010120000110011"), NIP("")]) {
                #expect(state.participantList.took(person, action) == (tree[action]?.contains(person) ?? false), comment, sourceLocation: sourceLocation)
            }
        }
    }

    @Test("kept as bytes from the first step, appended to by each: an action before, between and after the others, several nominees on one action, names that need escapes")
    func appended() throws {
        var state = try RequestState.evolve(nil, try CanonicalEncodingTests.submitted().event)
        // Kept as bytes: no dictionary made, none sorted when written.
        guard case .stored = state.participantList else {
            Issue.record("the first step's participants are not kept as bytes")
            return
        }
        Self.expectKept(state)
        let steps: [(String, String)] = [("recommend", "198001012000011001"), ("approve", "198001012000011002"), ("approve", "198001012000011003"),
                                         ("accept", "198001012000011004"), ("approve", "198001012000011004"), ("zz_last", "1"), ("a_first", "2"), ("a_first", ""),
                                         ("recommend", "198001012000011005"), ("approve", "198001012000011002")]
        for (index, (action, actor)) in steps.enumerated() {
            state = try Self.step(state, action, by: actor)
            guard case .stored = state.participantList else {
                Issue.record("step \(index): the participants are no longer kept as bytes")
                return
            }
            Self.expectKept(state, "step \(index): \(action) by \(actor)")
        }
        #expect(state.participants["approve"]?.map(\.rawValue) == ["198001012000011002", "198001012000011003", "198001012000011004", "198001012000011002"])
        // An action with an escape: made into values, the same bytes.
        state = try Self.step(state, "na\"me", by: "3")
        Self.expectKept(state)
        state = try Self.step(state, "approve", by: "4")
        Self.expectKept(state)
        // Read from its projection and stepped on: the same bytes.
        var read = try RequestState(bytes: state.canonicalBytes, keepingParticipants: true)
        #expect(read == state && read.canonicalBytes == state.canonicalBytes)
        read = try Self.step(read, "approve", by: "5")
        Self.expectKept(read)
    }

    @Test("a step on a state held alone appends in place: the kept bytes are not made anew, and room is left for the next steps")
    func appendedInPlace() throws {
        let submitted = try CanonicalEncodingTests.submitted().event
        var state = try RequestState.evolve(nil, submitted)
        func apply(_ action: String, by actor: String) throws {
            var event = submitted
            (event.version, event.action, event.actor, event.detail.fields, event.detail.letter) = (state.version + 1, action, NIP(actor), [:], nil)
            try state.apply(event)
        }
        func address() -> UnsafeRawPointer? {
            guard case .stored(let bytes) = state.participantList else { return nil }
            return bytes.withUnsafeBytes { $0.baseAddress }
        }
        try apply("recommend", by: "198001012000011001")
        let before = try #require(address())
        for (action, actor) in [("approve", "198001012000011002"), ("approve", "198001012000011003")] {
            try apply(action, by: actor)
            #expect(address() == before, "\(action) by \(actor)")
            Self.expectKept(state)
        }
    }

    @Test("random steps over a few actions and people: the kept bytes stay the participants' canonical bytes")
    func randomSteps() throws {
        var random = SplitMix64(state: 23)
        let actions = ["submit", "recommend", "approve", "accept", "a", "b", "ba", "Ω"]
        var state = try RequestState.evolve(nil, try CanonicalEncodingTests.submitted().event)
        for index in 0..<200 {
            state = try Self.step(state, actions[random.next(below: actions.count)], by: "19800101200001100\(random.next(below: 6))")
            Self.expectKept(state, "step \(index)")
        }
    }
}
