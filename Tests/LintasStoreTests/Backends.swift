import Foundation
import LintasCore
import LintasStore

/// The backends the store contract runs against. A new backend adds a case here and
/// passes the same tests.
enum Backend: String, CaseIterable, CustomTestStringConvertible {
    case sqlite

    var testDescription: String { rawValue }

    /// A fresh, empty store in its own temporary folder.
    func makeStore() throws -> any EventStore {
        switch self {
        case .sqlite:
            return try SQLiteStore(path: Scratch.folder("lintas-store").appendingPathComponent("lintas.db").path)
        }
    }

    /// A second, independent connection to the same store.
    func reopen(_ store: any EventStore) throws -> any EventStore {
        switch self {
        case .sqlite: try SQLiteStore(path: (store as! SQLiteStore).path, create: false)
        }
    }
}

import TestSupport
import Testing

/// Events and commands built by hand: the store does not care what they mean.
enum Sample {
    static let t0 = Timestamp(iso8601: "2025-03-03T09:00:00+07:00")!

    static func event(_ request: RequestID, _ version: Int, state: String = "requested", action: String = "submit",
                      fields: [String: JSONValue] = ["purpose": "Membangun dasbor"]) -> Event {
        Event(request: request, version: version, action: action, state: state, actor: NIP(Pemalang.kabidP2P),
              at: t0.adding(milliseconds: Int64(version) * 60_000), recorded: t0.adding(milliseconds: Int64(version) * 60_000 + 5),
              command: CommandID("\(request)-\(version)"),
              detail: Event.Detail(article: "Pasal 11 ayat (4) huruf a Perbup Pemalang 38/2023", role: "pimpinan_uo_pemilik",
                                   actorName: "Heru Santoso", actorTitle: "Kepala Bidang P2P", capacity: .definitive, position: "kabid-p2p",
                                   fields: fields, workflow: version == 1 ? "pemalang.penunjukan.lintas-pd" : nil,
                                   definition: version == 1 ? "abc" : nil))
    }

    static func command(_ id: String, request: RequestID = "PML-1", action: String = "submit", data: [String: JSONValue] = [:]) -> Command {
        Command(id: CommandID(id), request: request, workflow: "pemalang.penunjukan.lintas-pd", action: action,
                actor: NIP(Pemalang.kabidP2P), at: t0, data: data)
    }

    /// Appends `event` (its hash chained after nothing) and writes its request's projection folded on by it, as the
    /// processor does: a request's events are found through its projection (`requests.event_seqs`).
    static func appendListed(_ event: Event, to batch: any StoreBatch) throws {
        _ = try batch.append(event, previous: .zero)
        try batch.saveRequest(try RequestState.evolve(try batch.request(event.request)?.decode(), event), head: .zero, timer: .none)
    }

    /// Appends events of one request in a batch, chaining hashes and saving the projection as the daemon does,
    /// its period ending at the end of a `duration` field (as a definition whose state `ends` by it would say).
    @discardableResult
    static func append(_ events: [Event], to store: any EventStore) throws -> [StoredEvent] {
        try store.withBatch { batch in
            var head = try batch.request(events[0].request)?.headDigest ?? .zero
            var state = try batch.request(events[0].request)?.decode()
            var stored: [StoredEvent] = []
            for event in events {
                let row = try batch.append(event, previous: head)
                head = Digest(bytes: row.hash)!
                state = try RequestState.evolve(state, event)
                stored.append(row)
            }
            // As if every state with a period ended with it, and so had a timer.
            let ends = PeriodEnd.of(state!, field: "duration")
            try batch.saveRequest(state!, head: head, timer: StateTimer(timed: ends != nil, ends: ends))
            return stored
        }
    }
}
