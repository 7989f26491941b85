/// The members of a large value kept in one box that every copy of the value shares, so that a
/// copy is one retain, not one per member. `WorkflowDefinition` and `Directory` are handed to
/// every command's decision, role context and letter: with their twenty or so strings, arrays
/// and dictionaries each copy used to retain and release every one of them.
/// A definition's transitions, letter specs and field specs are kept so too: deciding a command
/// copies the transition it takes, its letter spec and some of its field specs.
///
/// The box is never changed: `change` makes a new one (a change happens while a file is read,
/// not while the value is shared), so a box read from several threads needs no lock.
struct SharedMembers<Members: Sendable>: Sendable {
    private final class Box: Sendable {
        let members: Members
        init(_ members: Members) { self.members = members }
    }
    private var box: Box

    init(_ members: Members) { box = Box(members) }

    /// The members, read in place.
    var members: Members {
        _read { yield box.members }
    }

    /// Changes the members: a new box with them changed.
    mutating func change(_ body: (inout Members) -> Void) {
        var members = box.members
        body(&members)
        box = Box(members)
    }
}

/// Equal when the members are: the same box is compared without reading them.
extension SharedMembers: Equatable where Members: Equatable {
    static func == (lhs: Self, rhs: Self) -> Bool { lhs.box === rhs.box || lhs.box.members == rhs.box.members }
}

extension SharedMembers: Hashable where Members: Hashable {
    func hash(into hasher: inout Hasher) { hasher.combine(box.members) }
}
