/// A letter a step draws from a register, and where it sits in the workflow file: what the
/// checks of number templates look at.
public struct RegisterLetter: Sendable {
    /// e.g. `transitions[3] (issue_letter).letter.number`.
    public var path: String
    public var action: String
    public var letter: WorkflowDefinition.LetterSpec

    /// The register's series beside the unit and year: the kode klasifikasi, else the letter type.
    public var series: String { letter.klasifikasi ?? letter.type }

    /// Whether this letter and `other` print the same numbers from registers of one unit: one
    /// template that does not print the code, for two series (two codes, or two types without one).
    /// Each series counts from 1, so the second letter's number is always the first's.
    public func printsSameNumbers(as other: RegisterLetter) -> Bool {
        letter.numberTemplate == other.letter.numberTemplate && series != other.series
            && !LetterNumber.placeholders(in: letter.numberTemplate).contains("klasifikasi")
    }

    /// `Surat Penugasan of "issue_letter" (template "{seq}/{unit}/{year}")`.
    public var described: String { "\(letter.label) of \"\(action)\" (template \"\(letter.numberTemplate)\")" }
}

extension WorkflowDefinition {
    /// Every letter drawn from a register (numbering `register` or `either`), in transition order.
    public var registerLetters: [RegisterLetter] {
        transitions.enumerated().compactMap { offset, transition in
            guard let letter = transition.letter, letter.numbering == .register || letter.numbering == .either else { return nil }
            return RegisterLetter(path: "transitions[\(offset)] (\(transition.action)).letter.number", action: transition.action, letter: letter)
        }
    }

    /// What `workflows check` and `workflows load` warn about without refusing the file: number
    /// templates that will print a taken number some day (refused at run time): without `{year}`, or
    /// without `{unit}` (a register is a unit expression of the request's fields, so no workflow's
    /// register is one fixed unit), an assignment
    /// letter in a workflow that marks no state `assignment_accepted` (the e-Kinerja export would
    /// leave its assignments out), and a letter that `cites` a type some request can reach it
    /// without (`uncitedPaths`).
    public var warnings: [Problem] {
        var found: [Problem] = uncitedPaths
        for site in registerLetters {
            let placeholders = LetterNumber.placeholders(in: site.letter.numberTemplate)
            if !placeholders.contains("year") {
                found.append(Problem(path: site.path, message: "the \(site.described) prints no {year}: a register starts again at 1 each year, "
                                     + "so next year's numbers repeat this year's and each is refused at run time as taken; add {year}"))
            }
            if !placeholders.contains("unit"), let register = site.letter.register {
                found.append(Problem(path: site.path, message: "the \(site.described) prints no {unit}: its register is the unit "
                                     + "\(register) gives for each request, and each unit's register counts from 1, so two units' letters "
                                     + "print the same number and the second is refused at run time as taken; add {unit}"))
            }
        }
        let assigning = transitions.compactMap(\.letter).filter { $0.assigned != nil && $0.assignedHeading == nil }
        if let letter = assigning.first, !states.contains(where: \.assignmentAccepted) {
            found.append(Problem(path: "states", message: "the workflow issues an assignment letter (\(letter.label)) but marks no state "
                                 + "\"assignment_accepted\": lintas export ekinerja will not list its accepted assignments"))
        }
        return found
    }

    /// Letters whose `cites` can find nothing: a request opened by a step that issues no letter (so
    /// there is no first letter to fall back on) reaches the citing step along transitions none of
    /// which issues a letter of the cited type. The letter is then issued without its *Dasar*
    /// citation, which the author of the workflow should know before a request does it.
    var uncitedPaths: [Problem] {
        var found: [Problem] = []
        let openings = transitions.filter { $0.isInitial && $0.letter == nil }
        for (offset, citing) in transitions.enumerated() {
            guard let cited = citing.letter?.cites else { continue }
            let path = "transitions[\(offset)] (\(citing.action)).letter.cites"
            if citing.isInitial {
                found.append(Problem(path: path, message: "the \(citing.letter!.label) cites the \(cited), but \"\(citing.action)\" opens "
                                     + "the request: no letter comes before it, so it is always issued citing nothing"))
                continue
            }
            // States a request can stand in with no letter of the cited type issued yet.
            var reached = Set(openings.map(\.to)), frontier = Array(reached)
            while let state = frontier.popLast() {
                for next in transitions where next.from.contains(state) && next.letter?.type != cited && !reached.contains(next.to) {
                    reached.insert(next.to)
                    frontier.append(next.to)
                }
            }
            if let state = citing.from.first(where: reached.contains), let opening = openings.first {
                found.append(Problem(path: path,
                                     message: "the \(citing.letter!.label) cites the \(cited), but a request opened by \"\(opening.action)\" "
                                         + "(which issues no letter to fall back on) can reach \"\(state)\" without one, and the letter "
                                         + "is then issued citing nothing"))
            }
        }
        return found
    }
}
