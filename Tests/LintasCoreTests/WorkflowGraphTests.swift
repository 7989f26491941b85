import LintasCore
import Testing

@Suite("lintas workflows graph: the state machine drawn with actors and articles")
struct WorkflowGraphTests {
    @Test("every transition of Pasal 11 ayat (4) is an edge carrying its role and article, in DOT and Mermaid")
    func everyTransitionIsAnEdge() throws {
        let definition = try Fixtures.pemalangWorkflow()
        let dot = definition.graph(.dot)
        let mermaid = definition.graph(.mermaid)
        #expect(dot.hasPrefix("digraph \"pemalang.penunjukan.lintas-pd\" {"))
        #expect(mermaid.hasPrefix("stateDiagram-v2\n"))
        for transition in definition.transitions {
            let role = try #require(definition.roles[transition.by]).label
            for source in transition.isInitial ? ["start"] : transition.from.map({ "\"\($0)\"" }) {
                let edge = try #require(dot.split(separator: "\n").first { $0.contains("\(source) -> \"\(transition.to)\"") && $0.contains(transition.action) },
                                        "no DOT edge for \(transition.action) from \(source)")
                #expect(edge.contains(role) && edge.contains(transition.article))
            }
            for source in transition.isInitial ? ["[*]"] : transition.from {
                let edge = try #require(mermaid.split(separator: "\n").first { $0.hasPrefix("  \(source) --> \(transition.to) : \(transition.action)") },
                                        "no Mermaid edge for \(transition.action) from \(source)")
                #expect(edge.contains(role) && edge.contains(transition.article))
            }
        }
        // Final states are marked: double border in DOT, an arrow to the end in Mermaid.
        for state in definition.states where state.isFinal {
            #expect(mermaid.contains("  \(state.id) --> [*]"))
            #expect(dot.contains("\"\(state.id)\" [label=\"\(state.id)\\n\(state.label)\", peripheries=2];"))
        }
    }
}
