import Glibc

/// `letter_parts` read in rowid order beside a scan of events (`SQLiteStore.readingPartsInOrder`):
/// a part is appended when the first letter that uses it is written, so a reader of a range of
/// requests meets most of its requests' own parts one after the other in the table. One statement
/// steps the table by rowid; a part is served from the row it is on when that row's hash is the
/// part's (its bytes as stored, checked by the caller as any part is), and found by the hash's
/// index otherwise. The statement then follows to the row past that part, unless it served the
/// look-up before: a part read out of turn (a frame, first written later by another request; a
/// request whose id sorts among others of fewer digits) does not take it from the run it is on.
///
/// Memory stays one statement and its current page whatever the log's size: no row is kept once
/// stepped over. A part that is not ahead (a frame shared by many letters, a part another range
/// wrote first, one missing or renamed) costs the index look-up it always did and the comparison
/// of one hash. Moving the statement other than by one row (a seek, several steps) is paid for
/// by the parts it served: without them it moves only once in `freeMoveEvery` look-ups, so an
/// order it cannot serve costs a look-up the comparison of a hash more, and now and then a step
/// or a seek.
final class OrderedParts {
    private let statement: SQLiteStatement
    /// The rowid of the row the statement is on; `nil` before its first step and after its last.
    private var row: Int64?
    /// Where the next part is looked for: the row past the last part found.
    private var next: Int64?
    /// The row the statement was last sought at, so that one that ran out is not sought again there.
    private var sought: Int64?
    /// The moves other than one step the parts served have paid for (see the class's comment).
    private var credit = OrderedParts.startingCredit
    private var lookups = 0
    /// Whether the statement's row served the last look-up, and the one before it.
    private var served = false, servedBefore = false

    init(_ connection: SQLiteConnection) throws(StoreError) {
        statement = try connection.statement(OrderedParts.sql)
    }

    private static let sql = FixedSQL("SELECT rowid, hash, body FROM letter_parts WHERE rowid >= ? ORDER BY rowid")
    static let startingCredit = 4, maximumCredit = 16, freeMoveEvery = 64
    /// The most rows stepped over to where the next part is looked for; further, the statement is sought there.
    static let stepLimit: Int64 = 8

    /// Ends the statement's run (before the read transaction ends).
    func end() { statement.reset() }

    /// The bytes of the part whose SHA-256 is `digest`, as SQLite holds them (valid until the next
    /// look-up or `end`), when the row the statement comes to is that part's; `nil` when it is not.
    /// (Not generic over what a caller makes of them: an unspecialized generic's `Optional` of its
    /// result type was a run-time metadata look-up a call.)
    func part(_ digest: UnsafeRawBufferPointer) throws(StoreError) -> UnsafeRawBufferPointer? {
        lookups += 1
        servedBefore = served
        served = false
        try move()
        guard let at = row, let hash = statement.borrowedBlob(1), hash.count == digest.count,
              memcmp(hash.baseAddress!, digest.baseAddress!, digest.count) == 0 else { return nil }
        credit = min(credit + 1, OrderedParts.maximumCredit)
        served = true
        next = at + 1
        return statement.borrowed(2)
    }

    /// A part found by the hash's index at `rowid` (after `part` did not serve it): the next is
    /// looked for past it, unless the statement served the look-up before.
    func found(at rowid: Int64) {
        guard !servedBefore else { return }
        next = rowid + 1
    }

    /// Brings the statement to `next`: one step on from the last part it served, a few steps, or a seek.
    private func move() throws(StoreError) {
        guard let next, row != next else { return }
        if let at = row, at + 1 == next { return try advance() }
        guard credit > 0 || lookups % OrderedParts.freeMoveEvery == 0 else { return }
        if let at = row, at < next, next - at <= OrderedParts.stepLimit {
            credit = max(0, credit - 1)
            while let at = row, at < next { try advance() }
            return
        }
        guard row != nil || sought != next else { return }
        credit = max(0, credit - 1)
        sought = next
        statement.reset()
        try statement.bind([.integer(next)])
        try advance()
    }

    private func advance() throws(StoreError) {
        row = try statement.step() ? statement.int64(0) : nil
    }
}
