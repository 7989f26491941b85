/// A workflow's state machine as a diagram: Graphviz DOT or Mermaid, each edge labelled with
/// the action, the role that takes it and the article that prescribes it.
extension WorkflowDefinition {
    public enum GraphFormat: String, Sendable, CaseIterable {
        case dot
        case mermaid
    }

    public func graph(_ format: GraphFormat) -> String {
        switch format {
        case .dot: dot
        case .mermaid: mermaid
        }
    }

    /// One edge per transition and source state; an initial transition starts from `start`.
    private var edges: [(from: String?, transition: Transition)] {
        transitions.flatMap { transition in
            transition.isInitial ? [(nil, transition)] : transition.from.map { ($0, transition) }
        }
    }

    private func edgeLines(_ transition: Transition) -> [String] {
        let role = roles[transition.by]?.label ?? transition.by
        var lines = ["\(transition.action)\(transition.each ? " (each)" : ""): \(transition.label)", role, transition.article]
        if let letter = transition.letter { lines.append("→ \(letter.label)") }
        return lines
    }

    private var dot: String {
        func quoted(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n") + "\""
        }
        var lines = [
            "digraph \(quoted(id.rawValue)) {",
            "  label=\(quoted("\(title)\n\(regulation.short), \(article)"));",
            "  labelloc=t; rankdir=TB; node [shape=box, style=rounded, fontname=\"Helvetica\"]; edge [fontname=\"Helvetica\", fontsize=10];",
            "  start [shape=point, width=0.15];",
        ]
        for state in states {
            lines.append("  \(quoted(state.id)) [label=\(quoted("\(state.id)\n\(state.label)"))\(state.isFinal ? ", peripheries=2" : "")];")
        }
        for (from, transition) in edges {
            lines.append("  \(from.map(quoted) ?? "start") -> \(quoted(transition.to)) [label=\(quoted(edgeLines(transition).joined(separator: "\n")))];")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private var mermaid: String {
        func text(_ value: String) -> String {
            // Mermaid labels: no quotes, colons or semicolons.
            value.replacingOccurrences(of: "\"", with: "'").replacingOccurrences(of: ":", with: " -").replacingOccurrences(of: ";", with: ",")
        }
        var lines = ["stateDiagram-v2", "  %% \(text(title)) · \(text(regulation.short)), \(text(article))"]
        for state in states {
            lines.append("  \(state.id) : \(text(state.id)) · \(text(state.label))")
        }
        for (from, transition) in edges {
            lines.append("  \(from ?? "[*]") --> \(transition.to) : \(edgeLines(transition).map(text).joined(separator: "<br/>"))")
        }
        for state in states where state.isFinal {
            lines.append("  \(state.id) --> [*]")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    /// Foundation-free replacement, for the labels of diagrams.
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
