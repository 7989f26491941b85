/// Whose turn it is: a role that may take the next step, the steps it may take and the
/// people who can act for it on a date.
public struct AwaitedParty: Sendable, Hashable {
    public var role: String
    public var roleLabel: String
    public var steps: [Step]
    /// The people who can act now; for a step each person takes once, those who have not yet.
    public var holders: [Holder]

    public struct Step: Sendable, Hashable {
        public var action: String
        public var label: String
        /// The full citation of the article that governs the step.
        public var article: String
    }

    public struct Holder: Sendable, Hashable {
        public var nip: NIP
        public var name: String
        /// The title they act under, e.g. `Plt. Kepala Dinas Kesehatan`.
        public var title: String
        public var capacity: Capacity
    }
}

extension WorkflowDefinition {
    /// The parties whose turn it is, in the order of the workflow's transitions. Empty for a
    /// final state. Resolved against the directory given (usually the one in force today),
    /// so a change of office holder shows at once.
    public func awaiting(_ state: RequestState, directory: Directory?, on date: CivilDate) -> [AwaitedParty] {
        var parties: [AwaitedParty] = []
        for transition in transitions(from: state.state) {
            let step = AwaitedParty.Step(action: transition.action, label: transition.label, article: cite(transition.article))
            if let index = parties.firstIndex(where: { $0.role == transition.by }) {
                parties[index].steps.append(step)
                continue
            }
            guard let role = roles[transition.by] else { continue }
            var holders: [AwaitedParty.Holder] = []
            if let directory {
                let done = transition.each ? Set(state.participantList.people(transition.action) ?? []) : []
                for holder in role.expression.resolve(in: roleContext(fields: state.fields, directory: directory, on: date)).persons
                where !done.contains(holder.nip) {
                    holders.append(AwaitedParty.Holder(nip: holder.nip, name: directory.employees[holder.nip]?.name ?? holder.nip.rawValue,
                                                       title: directory.title(of: holder), capacity: holder.capacity))
                }
            }
            parties.append(AwaitedParty(role: role.id, roleLabel: role.label, steps: [step], holders: holders))
        }
        return parties
    }
}
