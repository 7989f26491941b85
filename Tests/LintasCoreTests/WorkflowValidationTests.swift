import LintasCore
import Testing

@Suite("Workflow files are validated on load, every problem named with its item")
struct WorkflowValidationTests {
    /// The problems found in the shipped file after a change, as "path: message" lines.
    func problems(_ change: (inout [String: JSONValue]) -> Void) throws -> [String] {
        let document = try Fixtures.workflowDocument(change)
        let regulations = try Fixtures.regulations()
        do {
            _ = try WorkflowDefinition.decode(document, source: "broken.json", hash: "h", regulations: regulations)
            return []
        } catch {
            #expect(error.source == "broken.json")
            return error.problems.map(\.description)
        }
    }

    func transitions(_ members: [String: JSONValue]) -> [[String: JSONValue]] {
        members["transitions"]!.arrayValue!.map { $0.objectValue! }
    }

    func setTransitions(_ members: inout [String: JSONValue], _ transitions: [[String: JSONValue]]) {
        members["transitions"] = .array(transitions.map(JSONValue.object))
    }

    @Test("the shipped Pasal 11 ayat (4) workflow is valid and cites an article on every transition")
    func shippedWorkflow() throws {
        let definition = try Fixtures.pemalangWorkflow()
        #expect(definition.regulation.inForceFrom == CivilDate(iso: "2023-10-25"))
        #expect(definition.transitions.map(\.action) == ["submit", "recommend", "reject", "approve", "issue_letter", "accept"])
        #expect(definition.transitions.allSatisfy { $0.article.hasPrefix("Pasal 11 ayat (4) huruf") })
        #expect(definition.states.filter(\.isFinal).map(\.id).sorted() == ["accepted", "rejected"])
    }

    @Test("a transition without an article is refused: missing citation")
    func missingCitation() throws {
        let found = try problems { members in
            var list = transitions(members)
            list[1]["article"] = nil
            setTransitions(&members, list)
        }
        #expect(found == ["transitions[1] (recommend).article: missing: every transition cites the article that prescribes it"])
    }

    @Test("transitions to or from unknown states, and by unknown roles, are refused")
    func unknownStatesAndRoles() throws {
        let found = try problems { members in
            var list = transitions(members)
            list[1]["to"] = "recomended"
            list[3]["from"] = "aproved"
            list[4]["by"] = "kepala_dinas"
            setTransitions(&members, list)
        }
        #expect(found.contains { $0.hasPrefix("transitions[1] (recommend).to: unknown state \"recomended\"") })
        #expect(found.contains { $0.hasPrefix("transitions[3] (approve).from: unknown state \"aproved\"") })
        #expect(found.contains { $0.hasPrefix("transitions[4] (issue_letter).by: unknown role \"kepala_dinas\"") })
    }

    @Test("a role declared with a wrong expression is reported where it is declared, not again at every step that uses it")
    func brokenRoleReportedOnce() throws {
        let found = try problems { members in
            var roles = members["roles"]!.objectValue!
            var role = roles["kepala_pd_dituju"]!.objectValue!
            role["resolve"] = "head(department_of(target_unitt))"
            roles["kepala_pd_dituju"] = .object(role)
            members["roles"] = .object(roles)
        }
        #expect(found.contains { $0.hasPrefix("roles.kepala_pd_dituju.resolve:") }, "\(found)")
        #expect(!found.contains { $0.contains("unknown role") }, "\(found)")
    }

    @Test("a state no path reaches is refused as unreachable; a non-final state with no way out as a dead end")
    func reachabilityAndDeadEnds() throws {
        let found = try problems { members in
            var states = members["states"]!.arrayValue!
            states.append(.object(["id": "withdrawn", "label": "Ditarik"]))
            members["states"] = .array(states)
        }
        #expect(found.contains("states[6] (withdrawn): unreachable: no path of transitions leads here from the start"))
        #expect(found.contains("states[6] (withdrawn): dead end: no transition leaves this state and it is not marked final"))
    }

    @Test("the same action declared twice from one state is a duplicate transition")
    func duplicateTransition() throws {
        let found = try problems { members in
            var list = transitions(members)
            list.append(list[1])
            setTransitions(&members, list)
        }
        #expect(found.contains { $0.contains("duplicate transition: action \"recommend\" from state \"requested\"") })
    }

    @Test("a final state with an outgoing transition, a missing initial transition and typos in members are refused")
    func structure() throws {
        let found = try problems { members in
            var list = transitions(members)
            list[0]["initial"] = nil
            list[0]["from"] = "accepted"
            list[2]["artcle"] = "Pasal 11"
            setTransitions(&members, list)
        }
        #expect(found.contains { $0.contains("no initial transition") })
        #expect(found.contains { $0.hasPrefix("states[4] (accepted): a final state has no way out") })
        #expect(found.contains { $0.hasPrefix("transitions[2] (reject).artcle: unknown member") })
    }

    @Test("a role expression reads the same, and is refused in the same words, whether its text is ASCII or not")
    func roleExpressionText() throws {
        #expect(try RoleExpression.parse(" head ( department_of(\ttarget_unit ) )\r\n").get() == .call(.head, .call(.departmentOf, .field("target_unit"))))
        #expect(try RoleExpression.parse("head(unit_kerja_é)").get() == .call(.head, .field("unit_kerja_é")))
        #expect(try RoleExpression.parse("appraiser(nominees)").get() == .call(.appraiser, .field("nominees")))
        func message(_ text: String) -> String? {
            if case .failure(let error) = RoleExpression.parse(text) { return error.message }
            return nil
        }
        #expect(message("head(target_unit") == "missing ')' after the argument of head")
        #expect(message("head(target_unit))") == "unexpected \")\" in \"head(target_unit))\"")
        #expect(message("") == "expected a name where \"\" stands")
        #expect(message("head(-)") == "expected a name where \"-)\" stands")
        #expect(message("boss(target_unit)")?.hasPrefix("unknown function \"boss\"; known: head, ") == true)
        #expect(message("bössé(target_unit)")?.hasPrefix("unknown function \"bössé\"") == true)
    }

    @Test("an unknown member is named with every member its object takes, sorted")
    func unknownMemberNamesTheAllowed() throws {
        let found = try problems { members in
            var list = transitions(members)
            list[2]["artcle"] = "Pasal 11"
            setTransitions(&members, list)
        }
        #expect(found.contains("transitions[2] (reject).artcle: unknown member; expected one of: action, article, by, description, each, fields, from, initial, label, letter, rules, to"))
    }

    @Test("role expressions are parsed and type-checked against the fields")
    func roleExpressions() throws {
        let found = try problems { members in
            var roles = members["roles"]!.objectValue!
            roles["kepala_pd_dituju"] = .object(["label": "Kepala PD", "resolve": "head(department(target_unit))"])
            roles["pimpinan_uo_dituju"] = .object(["label": "Pimpinan UO", "resolve": "target_unit"])
            roles["pegawai_ditugaskan"] = .object(["label": "Pegawai", "resolve": "head(nominees)"])
            members["roles"] = .object(roles)
        }
        #expect(found.contains { $0.hasPrefix("roles.kepala_pd_dituju.resolve: unknown function \"department\"") })
        #expect(found.contains("roles.pimpinan_uo_dituju.resolve: \"target_unit\" gives a unit, expected people"))
        #expect(found.contains("roles.pegawai_ditugaskan.resolve: \"nominees\" gives people, expected a unit"))
    }

    @Test("fields: unknown kinds, references to missing fields and letter templates without {seq}")
    func fields() throws {
        let found = try problems { members in
            var list = transitions(members)
            var fields = list[0]["fields"]!.arrayValue!
            fields[2] = .object(["name": "purpose", "kind": "paragraph", "required": .bool(true)])
            fields[6] = .object(["name": "nominees", "kind": "employees", "within": "target_department"])
            list[0]["fields"] = .array(fields)
            list[4]["letter"] = .object(["type": "surat_penugasan", "label": "Surat Penugasan",
                                         "register": "department_of(target_unit)", "number": "800/{unit}/{year}/{bulan}"])
            setTransitions(&members, list)
        }
        #expect(found.contains { $0.hasPrefix("transitions[0] (submit).fields[2] (purpose).kind: \"paragraph\" is not one of: text, period") })
        #expect(found.contains { $0.contains("\"target_department\" is not a unit field of this workflow") })
        #expect(found.contains { $0.contains("unknown placeholder {bulan}") })
        #expect(found.contains { $0.contains("must contain {seq}") })
    }

    @Test("every problem of a broken file is listed at once")
    func allProblemsAtOnce() throws {
        let found = try problems { members in
            members["format"] = "lintas.workflow/9"
            members["regulation"] = nil
            var list = transitions(members)
            list[1]["article"] = nil
            list[2]["to"] = "nowhere"
            setTransitions(&members, list)
        }
        #expect(found.count >= 4)
        #expect(found.contains("format: expected \"lintas.workflow/1\", found \"lintas.workflow/9\""))
        #expect(found.contains { $0.hasPrefix("regulation: missing") })
    }
}

/// Transitions, their letter specs and field specs share their members between copies (`SharedMembers`):
/// each must still behave as a value, equal by its members and changed alone.
@Suite("a workflow's transitions, letters and fields: values whose copies share their members")
struct SharedSpecTests {
    @Test("a changed copy leaves the original as it was, and is unequal to it until changed back")
    func copiesChangeAlone() throws {
        let definition = try Fixtures.pemalangWorkflow()
        let original = try #require(definition.transitions.first { $0.letter != nil && !$0.fields.isEmpty })
        var copy = original
        #expect(copy == original && copy.hashValue == original.hashValue)
        copy.label += " (diubah)"
        copy.letter!.label += " (diubah)"
        copy.fields[0].label += " (diubah)"
        #expect(copy != original)
        #expect(copy.letter != original.letter && copy.fields[0] != original.fields[0])
        #expect(original == definition.transitions.first { $0.action == original.action })
        #expect(!original.label.hasSuffix(" (diubah)") && !original.letter!.label.hasSuffix(" (diubah)") && !original.fields[0].label.hasSuffix(" (diubah)"))
        // Equal by members, not by sharing: a copy changed back equals the original, with the same hash.
        copy.label = original.label
        copy.letter!.label = original.letter!.label
        copy.fields[0].label = original.fields[0].label
        #expect(copy == original && copy.hashValue == original.hashValue)
    }
}
