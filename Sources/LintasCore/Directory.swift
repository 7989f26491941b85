/// The org directory of a regency as it stood from one date on: its units, positions,
/// employees and acting officials. Roles in workflow files resolve to people through it.
///
/// A directory is a value: a decision is taken against the version in force on the
/// command's date, and what it resolved is frozen into the event.
public struct Directory: Sendable {
    public var regency: String { shared.members.regency }
    public var effectiveFrom: CivilDate { shared.members.effectiveFrom }
    public var timeZone: TimeZoneOffset { shared.members.timeZone }
    public var units: [UnitID: Unit] { shared.members.units }
    public var positions: [PositionID: Position] { shared.members.positions }
    public var employees: [NIP: Employee] { shared.members.employees }
    public var acting: [ActingAppointment] { shared.members.acting }

    private var holdersByPosition: [PositionID: [NIP]] { shared.members.holdersByPosition }
    private var actingByPosition: [PositionID: [ActingAppointment]] { shared.members.actingByPosition }
    private var unitsByHead: [PositionID: [UnitID]] { shared.members.unitsByHead }
    /// Each unit's department, agency and org unit (`ancestor(of:kind:)`, `orgUnit(of:)`), found
    /// once per directory version: role expressions and field relations ask them on every command.
    private var levels: [UnitID: Levels] { shared.members.levels }

    /// The members, shared by every copy (`SharedMembers`).
    private var shared: SharedMembers<Contents>

    private init(_ contents: Contents) { shared = SharedMembers(contents) }

    private mutating func change(_ body: (inout Contents) -> Void) { shared.change(body) }

    fileprivate struct Levels: Sendable {
        var department: UnitID?
        var agency: UnitID?
        var orgUnit: UnitID?
        /// The unit's head (`heads(of:on:)`) with its holders and acting officials: one lookup by the
        /// unit on every command whose role is a unit's head, not three.
        var head: Office?
    }

    /// A position with its definitive holders and its Plt and Plh appointments (`officeholders(of:on:)`).
    fileprivate struct Office: Sendable {
        var position: PositionID
        var holders: [NIP]
        var acting: [ActingAppointment]

        func officeholders(on date: CivilDate) -> [Officeholder] {
            let standing = acting.filter { $0.isValid(on: date) }
            if !standing.isEmpty {
                return standing.map { Officeholder(nip: $0.nip, position: position, capacity: $0.capacity) }
            }
            return holders.map { Officeholder(nip: $0, position: position, capacity: .definitive) }
        }
    }

    private func office(_ position: PositionID) -> Office {
        Office(position: position, holders: holdersByPosition[position] ?? [], acting: actingByPosition[position] ?? [])
    }

    public struct Unit: Sendable, Hashable {
        public var id: UnitID
        public var kind: UnitKind
        public var name: String
        /// Short code used in letter numbers, e.g. `DISKOMINFO`.
        public var code: String
        public var parent: UnitID?
        /// The position that heads the unit.
        public var head: PositionID?
        /// For an agency: the Pejabat yang Berwenang (in a regency, the Sekretaris Daerah).
        public var authorizedOfficial: PositionID?
        /// Whether the unit's structure was simplified (penyederhanaan struktur organisasi), as
        /// the file records it on this unit; `nil` when it says nothing here. Ask
        /// `Directory.structure(of:)`, which reads the units above it too.
        public var simplified: Bool?
        /// How many levels of structural positions the unit has, as recorded on this unit
        /// (Bungo Pasal 9 ayat (2)); `Directory.structure(of:)` reads the units above it too.
        public var structureLevels: Int?
        /// A Rumah Sakit Umum Daerah (Jepara Pasal 15: a PPPK may lead a team there).
        public var isHospital: Bool = false
        /// The most standing teams (Satuan Kerja / Squad) the unit may form (Jepara Lampiran B.4).
        public var squadQuota: Int?
        /// For an instansi: the place its letters are dated at (e.g. the provincial capital), as
        /// the file records it; `Directory.place(of:)` supplies the default.
        public var place: String?
    }

    public enum UnitKind: String, Sendable, Hashable, CaseIterable {
        case agency = "instansi"
        case department = "perangkat_daerah"
        case orgUnit = "unit_organisasi"
        case workUnit = "unit_kerja"

        /// The Indonesian name, for messages.
        public var label: String {
            switch self {
            case .agency: "Instansi Pemerintah"
            case .department: "Perangkat Daerah"
            case .orgUnit: "Unit Organisasi"
            case .workUnit: "Unit Kerja"
            }
        }
    }

    public struct Position: Sendable, Hashable {
        public var id: PositionID
        public var title: String
        public var kind: PositionKind
        /// For a fungsional position: its jenjang.
        public var jenjang: Jenjang?
        /// The unit the position sits in.
        public var unit: UnitID
        /// Kelas jabatan.
        public var grade: Int?
        /// The position of its Pejabat Penilai Kinerja, when the directory says so; otherwise
        /// the regulation's rules derive it.
        public var appraiser: PositionID?
    }

    public enum PositionKind: String, Sendable, Hashable, CaseIterable {
        case regionalHead = "kepala_daerah"
        case jptPratama = "jpt_pratama"
        case administrator
        case pengawas
        case fungsional
        case pelaksana
    }

    public enum Jenjang: String, Sendable, Hashable, CaseIterable {
        case ahliUtama = "ahli_utama", ahliMadya = "ahli_madya", ahliMuda = "ahli_muda", ahliPertama = "ahli_pertama"
        case penyelia, mahir, terampil, pemula
    }

    public struct Employee: Sendable, Hashable {
        public var nip: NIP
        public var name: String
        public var status: EmploymentStatus
        public var position: PositionID
    }

    public enum EmploymentStatus: String, Sendable, Hashable, CaseIterable {
        case pns = "PNS"
        case pppk = "PPPK"
    }

    /// A Pelaksana Tugas (Plt) or Pelaksana Harian (Plh) appointed to act for a position for a period.
    public struct ActingAppointment: Sendable, Hashable {
        public var nip: NIP
        public var position: PositionID
        public var capacity: Capacity
        public var from: CivilDate
        public var until: CivilDate
        /// The decree that appointed them, e.g. a Surat Perintah number.
        public var basis: String?

        public func isValid(on date: CivilDate) -> Bool { from <= date && date <= until }
    }
}

/// In which capacity a person holds an office when they act.
public enum Capacity: String, Sendable, Hashable {
    case definitive = "definitif"
    /// Pelaksana Tugas: acts while the post is vacant.
    case plt = "Plt."
    /// Pelaksana Harian: acts while the holder is temporarily away.
    case plh = "Plh."

    /// The prefix written before an acting official's title.
    public var titlePrefix: String { self == .definitive ? "" : rawValue + " " }
}

/// A person able to act for an office on a given date, and in which capacity.
public struct Officeholder: Sendable, Hashable {
    public var nip: NIP
    public var position: PositionID
    public var capacity: Capacity

    public init(nip: NIP, position: PositionID, capacity: Capacity) {
        self.nip = nip
        self.position = position
        self.capacity = capacity
    }
}

// MARK: - Lookups

extension Directory {
    /// Who can act for a position on a date: a Plt or Plh whose period covers the date, or
    /// else its definitive holders.
    ///
    /// An acting official displaces the holder for the period: a Plh (Pelaksana Harian) is
    /// appointed because the holder is temporarily unable to act (*berhalangan sementara*:
    /// leave, official travel), a Plt (Pelaksana Tugas) because the post is vacant or the
    /// holder permanently unable (*berhalangan tetap*). In both cases the office acts through
    /// the appointee alone, so that two people never decide for one office on the same day.
    public func officeholders(of position: PositionID, on date: CivilDate) -> [Officeholder] {
        office(position).officeholders(on: date)
    }

    /// The Plt and Plh appointments for a position whose period covers a date.
    public func actingAppointments(for position: PositionID, on date: CivilDate) -> [ActingAppointment] {
        (actingByPosition[position] ?? []).filter { $0.isValid(on: date) }
    }

    /// The appointment that displaces an employee from their own position on a date, if any:
    /// while it runs they do not act for that office (`officeholders(of:on:)`).
    public func displacement(of nip: NIP, on date: CivilDate) -> ActingAppointment? {
        employees[nip].flatMap { displacement(of: nip, from: $0.position, on: date) }
    }

    /// `displacement(of:on:)` for an employee already looked up (their own position): the
    /// appointments read in place, not filtered into a new array.
    private func displacement(of nip: NIP, from position: PositionID, on date: CivilDate) -> ActingAppointment? {
        actingByPosition[position]?.first { $0.isValid(on: date) && $0.nip != nip }
    }

    /// The structure of a unit as the rules on team leads read it (Perbup Grobogan 49/2024
    /// Pasal 14 ayat (4)-(5), Perbup Bungo 15/2024 Pasal 9 ayat (2)): whether it was simplified
    /// and how many structural levels it has. Each is read from the unit itself, else from the
    /// nearest unit above it that records it (a Bidang of a Badan not simplified is not
    /// simplified either); a structure nothing records counts as simplified, of unknown levels.
    public func structure(of unit: UnitID) -> (simplified: Bool, levels: Int?) {
        var simplified: Bool?
        var levels: Int?
        var current: UnitID? = unit
        var steps = 0
        while let id = current, let found = units[id], steps <= units.count, simplified == nil || levels == nil {
            simplified = simplified ?? found.simplified
            levels = levels ?? found.structureLevels
            current = found.parent
            steps += 1
        }
        return (simplified ?? true, levels)
    }

    /// Who can act as head of a unit on a date.
    public func heads(of unit: UnitID, on date: CivilDate) -> [Officeholder] {
        levels[unit]?.head?.officeholders(on: date) ?? []  // a unit's levels are found for every unit (`buildIndexes`)
    }

    /// The Pejabat yang Berwenang of the agency a unit belongs to.
    public func authorizedOfficials(for unit: UnitID, on date: CivilDate) -> [Officeholder] {
        guard let agency = ancestor(of: unit, kind: .agency), let position = units[agency]?.authorizedOfficial else { return [] }
        return officeholders(of: position, on: date)
    }

    /// The unit itself or its nearest ancestor of a kind: the department of an org unit, the agency of a department.
    public func ancestor(of unit: UnitID, kind: UnitKind) -> UnitID? {
        switch kind {
        case .department: levels[unit]?.department
        case .agency: levels[unit]?.agency
        case .orgUnit, .workUnit: walkAncestors(of: unit, kind: kind)
        }
    }

    private func walkAncestors(of unit: UnitID, kind: UnitKind) -> UnitID? {
        var current: UnitID? = unit
        var steps = 0
        while let id = current, let found = units[id], steps <= units.count {
            if found.kind == kind { return id }
            current = found.parent
            steps += 1
        }
        return nil
    }

    /// The place a letter signed in `unit` is dated at: its instansi's `place`, else the
    /// instansi's name without "Pemerintah Kabupaten/Kota/Provinsi" (`Tebo` for Pemerintah
    /// Kabupaten Tebo); a unit in no instansi takes the directory's regency the same way.
    public func place(of unit: UnitID?) -> String {
        let agency = unit.flatMap { ancestor(of: $0, kind: .agency) }.flatMap { units[$0] }
        if let place = agency?.place { return place }
        var name = Substring(agency?.name ?? regency)
        for prefix in ["Pemerintah ", "Kabupaten ", "Kota ", "Provinsi "] where name.hasPrefix(prefix) { name = name.dropFirst(prefix.count) }
        return String(name)
    }

    /// Whether `unit` is `ancestor` or lies inside it.
    public func unit(_ unit: UnitID, isWithin ancestor: UnitID) -> Bool {
        var current: UnitID? = unit
        var steps = 0
        while let id = current, steps <= units.count {
            if id == ancestor { return true }
            current = units[id]?.parent
            steps += 1
        }
        return false
    }

    /// The organisational unit a unit belongs to: itself or its nearest ancestor that is a
    /// Unit Organisasi or a Perangkat Daerah (a Unit Kerja belongs to the one above it).
    public func orgUnit(of unit: UnitID) -> UnitID? {
        levels[unit]?.orgUnit
    }

    private func walkOrgUnit(of unit: UnitID) -> UnitID? {
        var current: UnitID? = unit
        var steps = 0
        while let id = current, let found = units[id], steps <= units.count {
            if found.kind == .orgUnit || found.kind == .department { return id }
            current = found.parent
            steps += 1
        }
        return nil
    }

    /// The Pejabat Penilai Kinerja of an employee on a date: the position the directory names
    /// as the appraiser of theirs, or else the head of the nearest unit above them whose head
    /// is of a kind the regulation's rule for their position allows.
    public func appraisers(of nip: NIP, rules: Regulation.AppraiserRules, on date: CivilDate) -> [Officeholder] {
        guard let employee = employees[nip], let position = positions[employee.position] else { return [] }
        if let named = position.appraiser { return officeholders(of: named, on: date) }
        guard let rule = rules.rule(for: position) else { return [] }
        var current: UnitID? = position.unit
        var steps = 0
        while let id = current, let unit = units[id], steps <= units.count {
            if let head = unit.head, head != position.id, let headPosition = positions[head], rule.superiors.contains(headPosition.kind) {
                return officeholders(of: head, on: date)
            }
            current = unit.parent
            steps += 1
        }
        return []
    }

    /// The units a person heads on a date, definitively (unless a Plt or Plh displaces them
    /// that day) or as Plt/Plh, with the capacity.
    public func unitsHeaded(by nip: NIP, on date: CivilDate) -> [(unit: UnitID, holder: Officeholder)] {
        // Appended office by office into one array (no array of the offices, none per office); the
        // employee looked up once, their displacement read from it.
        var headed: [(unit: UnitID, holder: Officeholder)] = []
        func add(_ office: Officeholder) {
            for unit in unitsByHead[office.position] ?? [] { headed.append((unit: unit, holder: office)) }
        }
        if let employee = employees[nip], displacement(of: nip, from: employee.position, on: date) == nil {
            add(Officeholder(nip: nip, position: employee.position, capacity: .definitive))
        }
        for appointment in acting where appointment.nip == nip && appointment.isValid(on: date) {
            add(Officeholder(nip: nip, position: appointment.position, capacity: appointment.capacity))
        }
        return headed
    }

    /// The unit an employee's position sits in.
    public func unit(of nip: NIP) -> UnitID? {
        employees[nip].flatMap { positions[$0.position]?.unit }
    }

    /// "Plt. Kepala Dinas Kesehatan", or the plain title for a definitive holder.
    public func title(of holder: Officeholder) -> String {
        holder.capacity.titlePrefix + (positions[holder.position]?.title ?? holder.position.rawValue)
    }
}

// MARK: - Reading the file format

extension Directory {
    /// The `format` value of an org directory file.
    public static let format = "lintas.directory/1"

    /// The `time_zone` a directory document names, read without decoding the rest (the other
    /// members skipped, nothing built): WIB when it names none, `nil` when it names one that is
    /// not an Indonesian zone (`decode` reports that). For a stored version, checked when imported.
    public static func timeZone(of document: [UInt8]) throws(JSONSyntaxError) -> TimeZoneOffset? {
        try JSONReader.read(document) { (reader) throws(JSONSyntaxError) -> TimeZoneOffset? in
            var zone: TimeZoneOffset? = .wib
            try reader.members(bytes: { (reader, name) throws(JSONSyntaxError) in
                if JSONReader.equal(name, "time_zone") { zone = TimeZoneOffset(name: try reader.string()) } else { try reader.skip() }
            })
            return zone
        }
    }

    /// Reads and validates an org directory document; every problem is reported at once.
    /// - Throws: `InvalidDocument` listing each problem with its path.
    public static func decode(_ document: JSONValue, source: String) throws(InvalidDocument) -> Directory {
        var reader = DocumentReader()
        guard let root = reader.object(document, "") else {
            throw InvalidDocument(source: source, problems: reader.problems)
        }
        reader.rejectUnknown(root, allowed: ["format", "regency", "effective_from", "time_zone", "units", "positions", "employees", "acting", "description"], "")
        if let format = reader.string(root, "format", ""), format != Directory.format {
            reader.report("format", "expected \"\(Directory.format)\", found \"\(format)\"")
        }
        let regency = reader.string(root, "regency", "") ?? ""
        let effectiveFrom = reader.date(root, "effective_from", "")
        var timeZone = TimeZoneOffset.wib
        if let name = reader.string(root, "time_zone", "", required: false) {
            if let zone = TimeZoneOffset(name: name) { timeZone = zone } else {
                reader.report("time_zone", "\"\(name)\" is not an Indonesian time zone; expected WIB, WITA or WIT")
            }
        }
        var contents = Contents(regency: regency, effectiveFrom: effectiveFrom ?? CivilDate(daysSinceEpoch: 0), timeZone: timeZone)
        contents.readUnits(reader.array(root, "units", ""), &reader)
        contents.readPositions(reader.array(root, "positions", ""), &reader)
        contents.readEmployees(reader.array(root, "employees", ""), &reader)
        contents.readActing(reader.array(root, "acting", "", required: false), &reader)
        var directory = Directory(contents)
        directory.checkReferences(&reader)
        guard reader.problems.isEmpty else { throw InvalidDocument(source: source, problems: reader.problems) }
        directory.buildIndexes()
        return directory
    }
}

extension Directory {
    /// What a directory holds (`SharedMembers`), filled while its file is read.
    fileprivate struct Contents: Sendable {
        var regency: String
        var effectiveFrom: CivilDate
        var timeZone: TimeZoneOffset
        var units: [UnitID: Unit] = [:]
        var positions: [PositionID: Position] = [:]
        var employees: [NIP: Employee] = [:]
        var acting: [ActingAppointment] = []
        var holdersByPosition: [PositionID: [NIP]] = [:]
        var actingByPosition: [PositionID: [ActingAppointment]] = [:]
        var unitsByHead: [PositionID: [UnitID]] = [:]
        var levels: [UnitID: Levels] = [:]

        mutating func readUnits(_ items: [JSONValue], _ reader: inout DocumentReader) {
            for (offset, item) in items.enumerated() {
                var path = "units[\(offset)]"
                guard let members = reader.object(item, path) else { continue }
                if let id = members["id"]?.stringValue { path += " (\(id))" }
                reader.rejectUnknown(members, allowed: ["id", "kind", "name", "code", "parent", "head", "authorized_official",
                                                        "simplified", "structure_levels", "rsud", "squad_quota", "place"], path)
                guard let id = reader.string(members, "id", path), let name = reader.string(members, "name", path),
                      let kindName = reader.string(members, "kind", path) else { continue }
                guard let kind = UnitKind(rawValue: kindName) else {
                    reader.report("\(path).kind", "\"\(kindName)\" is not a unit kind; expected one of: \(UnitKind.allCases.map(\.rawValue).joined(separator: ", "))")
                    continue
                }
                let unit = Unit(
                    id: UnitID(id), kind: kind, name: name,
                    code: reader.string(members, "code", path, required: false) ?? id.uppercased(),
                    parent: reader.string(members, "parent", path, required: false).map(UnitID.init),
                    head: reader.string(members, "head", path, required: false).map(PositionID.init),
                    authorizedOfficial: reader.string(members, "authorized_official", path, required: false).map(PositionID.init),
                    simplified: members["simplified"] == nil ? nil : reader.bool(members, "simplified", path),
                    structureLevels: reader.positiveInteger(members, "structure_levels", path),
                    isHospital: reader.bool(members, "rsud", path),
                    squadQuota: reader.positiveInteger(members, "squad_quota", path),
                    place: reader.string(members, "place", path, required: false))
                if let place = unit.place, kind != .agency || place.isBlank {
                    reader.report("\(path).place", kind != .agency
                                  ? "only an instansi names the place its letters are dated at; this unit is a \(kind.label) and takes its instansi's"
                                  : "empty: name the place the instansi's letters are dated at, e.g. its capital, or leave \"place\" out")
                }
                if units.updateValue(unit, forKey: unit.id) != nil { reader.report(path, "unit id \"\(id)\" is used twice") }
            }
        }

        mutating func readPositions(_ items: [JSONValue], _ reader: inout DocumentReader) {
            for (offset, item) in items.enumerated() {
                var path = "positions[\(offset)]"
                guard let members = reader.object(item, path) else { continue }
                if let id = members["id"]?.stringValue { path += " (\(id))" }
                reader.rejectUnknown(members, allowed: ["id", "title", "kind", "jenjang", "unit", "grade", "appraiser"], path)
                guard let id = reader.string(members, "id", path), let title = reader.string(members, "title", path),
                      let kindName = reader.string(members, "kind", path), let unit = reader.string(members, "unit", path) else { continue }
                guard let kind = PositionKind(rawValue: kindName) else {
                    reader.report("\(path).kind", "\"\(kindName)\" is not a position kind; expected one of: \(PositionKind.allCases.map(\.rawValue).joined(separator: ", "))")
                    continue
                }
                var jenjang: Jenjang?
                if let name = reader.string(members, "jenjang", path, required: false) {
                    jenjang = Jenjang(rawValue: name)
                    if jenjang == nil {
                        reader.report("\(path).jenjang", "\"\(name)\" is not a jenjang; expected one of: \(Jenjang.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                } else if kind == .fungsional {
                    reader.report("\(path).jenjang", "missing: a fungsional position names its jenjang")
                }
                let position = Position(id: PositionID(id), title: title, kind: kind, jenjang: jenjang, unit: UnitID(unit),
                                        grade: reader.positiveInteger(members, "grade", path),
                                        appraiser: reader.string(members, "appraiser", path, required: false).map(PositionID.init))
                if positions.updateValue(position, forKey: position.id) != nil { reader.report(path, "position id \"\(id)\" is used twice") }
            }
        }

        mutating func readEmployees(_ items: [JSONValue], _ reader: inout DocumentReader) {
            for (offset, item) in items.enumerated() {
                var path = "employees[\(offset)]"
                guard let members = reader.object(item, path) else { continue }
                if let nip = members["nip"]?.stringValue { path += " (\(nip))" }
                reader.rejectUnknown(members, allowed: ["nip", "name", "status", "position"], path)
                guard let nip = reader.string(members, "nip", path), let name = reader.string(members, "name", path),
                      let statusName = reader.string(members, "status", path), let position = reader.string(members, "position", path) else { continue }
                if let problem = NIP.problem(with: nip) { reader.report("\(path).nip", problem); continue }
                guard let status = EmploymentStatus(rawValue: statusName) else {
                    reader.report("\(path).status", "\"\(statusName)\" is not an employment status; expected PNS or PPPK")
                    continue
                }
                let employee = Employee(nip: NIP(nip), name: name, status: status, position: PositionID(position))
                if employees.updateValue(employee, forKey: employee.nip) != nil { reader.report(path, "NIP \(nip) appears twice") }
            }
        }

        mutating func readActing(_ items: [JSONValue], _ reader: inout DocumentReader) {
            for (offset, item) in items.enumerated() {
                let path = "acting[\(offset)]"
                guard let members = reader.object(item, path) else { continue }
                reader.rejectUnknown(members, allowed: ["nip", "position", "capacity", "from", "until", "basis"], path)
                guard let nip = reader.string(members, "nip", path), let position = reader.string(members, "position", path),
                      let capacityName = reader.string(members, "capacity", path),
                      let from = reader.date(members, "from", path), let until = reader.date(members, "until", path) else { continue }
                let capacity: Capacity
                switch capacityName {
                case "Plt", "Plt.": capacity = .plt
                case "Plh", "Plh.": capacity = .plh
                default:
                    reader.report("\(path).capacity", "\"\(capacityName)\" is not an acting capacity; expected Plt or Plh")
                    continue
                }
                if until < from { reader.report(path, "the period ends (\(until)) before it starts (\(from))") }
                acting.append(ActingAppointment(nip: NIP(nip), position: PositionID(position), capacity: capacity, from: from, until: until,
                                                basis: reader.string(members, "basis", path, required: false)))
            }
        }
    }
}

extension Directory {
    /// Cross-references: parents, heads, positions' units, employees' positions, acting officials.
    private func checkReferences(_ reader: inout DocumentReader) {
        let allowedParents: [UnitKind: Set<UnitKind>] = [
            .agency: [],
            .department: [.agency],
            .orgUnit: [.department, .orgUnit],
            .workUnit: [.department, .orgUnit, .workUnit],
        ]
        for unit in units.values.sorted(by: { $0.id < $1.id }) {
            let path = "units (\(unit.id))"
            if let parent = unit.parent {
                if let parentUnit = units[parent] {
                    if !allowedParents[unit.kind]!.contains(parentUnit.kind) {
                        reader.report(path, "a \(unit.kind.rawValue) cannot sit inside a \(parentUnit.kind.rawValue) (\(parent))")
                    }
                } else {
                    reader.report("\(path).parent", "\"\(parent)\" is not a unit in this directory")
                }
            } else if unit.kind != .agency {
                reader.report("\(path).parent", "missing: only an instansi stands at the top")
            }
            if let head = unit.head {
                if let position = positions[head] {
                    if position.unit != unit.id {
                        reader.report("\(path).head", "position \"\(head)\" sits in \"\(position.unit)\", not in this unit")
                    }
                } else {
                    reader.report("\(path).head", "\"\(head)\" is not a position in this directory")
                }
            }
            if let official = unit.authorizedOfficial {
                if unit.kind != .agency {
                    reader.report("\(path).authorized_official", "only an instansi names its Pejabat yang Berwenang")
                } else if positions[official] == nil {
                    reader.report("\(path).authorized_official", "\"\(official)\" is not a position in this directory")
                }
            }
        }
        // A parent chain that loops never reaches an instansi.
        for unit in units.values.sorted(by: { $0.id < $1.id }) where unit.parent != nil {
            var seen: Set<UnitID> = [unit.id]
            var current = unit.parent
            while let id = current, let next = units[id] {
                if !seen.insert(id).inserted {
                    reader.report("units (\(unit.id)).parent", "the chain of parents loops back to \"\(id)\"")
                    break
                }
                current = next.parent
            }
        }
        for position in positions.values.sorted(by: { $0.id < $1.id }) {
            if units[position.unit] == nil {
                reader.report("positions (\(position.id)).unit", "\"\(position.unit)\" is not a unit in this directory")
            }
            if let appraiser = position.appraiser, positions[appraiser] == nil {
                reader.report("positions (\(position.id)).appraiser", "\"\(appraiser)\" is not a position in this directory")
            }
            if position.appraiser == position.id {
                reader.report("positions (\(position.id)).appraiser", "a position cannot appraise itself")
            }
        }
        for employee in employees.values.sorted(by: { $0.nip < $1.nip }) where positions[employee.position] == nil {
            reader.report("employees (\(employee.nip)).position", "\"\(employee.position)\" is not a position in this directory")
        }
        for (offset, appointment) in acting.enumerated() {
            if employees[appointment.nip] == nil {
                reader.report("acting[\(offset)].nip", "\(appointment.nip) is not an employee in this directory")
            }
            if positions[appointment.position] == nil {
                reader.report("acting[\(offset)].position", "\"\(appointment.position)\" is not a position in this directory")
            }
        }
    }

    /// Fills the look-up tables from the units, positions, employees and acting officials read.
    private mutating func buildIndexes() {
        var holders: [PositionID: [NIP]] = [:]
        for employee in employees.values.sorted(by: { $0.nip < $1.nip }) {
            holders[employee.position, default: []].append(employee.nip)
        }
        var actingFor: [PositionID: [ActingAppointment]] = [:]
        for appointment in acting {
            actingFor[appointment.position, default: []].append(appointment)
        }
        var headed: [PositionID: [UnitID]] = [:]
        for unit in units.values.sorted(by: { $0.id < $1.id }) {
            if let head = unit.head { headed[head, default: []].append(unit.id) }
        }
        var above: [UnitID: Levels] = [:]
        for (id, unit) in units {
            above[id] = Levels(department: walkAncestors(of: id, kind: .department), agency: walkAncestors(of: id, kind: .agency),
                               orgUnit: walkOrgUnit(of: id),
                               head: unit.head.map { Office(position: $0, holders: holders[$0] ?? [], acting: actingFor[$0] ?? []) })
        }
        change {
            $0.holdersByPosition = holders
            $0.actingByPosition = actingFor
            $0.unitsByHead = headed
            $0.levels = above
        }
    }
}
