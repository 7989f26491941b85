import Foundation
import LintasCore
import LintasEngine
import LintasStore

/// The `lintas` command line. `main` returns the process's exit code:
/// 0 success, 1 a refusal or failure, 64 a usage error.
public enum LintasCLI {
    public static let version = "0.1.0"

    public static func main(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Int32 {
        var arguments = arguments
        guard let first = arguments.first else {
            printOverview()
            return 64
        }
        if ["help", "--help", "-h"].contains(first) {
            if arguments.count > 1, let spec = lookup(Array(arguments.dropFirst())) {
                printHelp(spec.spec)
            } else {
                printOverview()
            }
            return 0
        }
        if ["version", "--version"].contains(first) {
            print("lintas \(version)")
            return 0
        }
        guard let (spec, words) = lookup(arguments) else {
            let output = Output(json: false)
            output.error("Error: unknown command '\(arguments.prefix(2).joined(separator: " "))'.")
            output.error("See 'lintas help' for the commands.")
            return 64
        }
        arguments.removeFirst(words)
        if arguments.contains("--help") || arguments.contains("-h") {
            printHelp(spec)
            return 0
        }
        let output = Output(json: arguments.contains("--json"))
        var context: Context?
        do {
            let parsed = try Arguments.parse(arguments, flags: spec.flags.union(["json"]), options: spec.options)
            if parsed.positionals.count < spec.positionals.required || parsed.positionals.count > spec.positionals.maximum {
                throw UsageError(parsed.positionals.count < spec.positionals.required
                                 ? "missing \(spec.arguments)" : "unexpected argument '\(parsed.positionals.last!)'")
            }
            let parsedContext = Context(arguments: parsed, output: Output(json: parsed.has("json")), clock: SystemClock())
            context = parsedContext
            return try spec.run(parsedContext)
        } catch let error as UsageError {
            output.error("Error: \(error.message).")
            output.error("Usage: lintas \(spec.name) \(spec.arguments)".trimmingCharacters(in: .whitespaces))
            output.error("See 'lintas help \(spec.name)'.")
            return 64
        } catch let failure as Failure {
            return failure.exitCode
        } catch {
            report(error, output: output, context: context)
            return 1
        }
    }

    /// Explains an error on standard error, with what to do next where we know it; `context`,
    /// the command's, when its arguments were read.
    static func report(_ error: any Error, output: Output, context: Context? = nil) {
        switch error {
        case let error as StoreError where error.code == .busy:
            // The command's connection is closed by now: asking who holds the lock drops none of ours.
            let waited = (try? context?.busyMilliseconds()) ?? SQLiteStore.defaultBusyTimeout
            output.error("Error: the database is locked: another process held its write lock longer than the \(waited) ms "
                         + "this command waits (\(error.message)).")
            if let database = context?.databasePath, let holder = SQLiteStore.writeLockHolder(path: database) {
                let daemon = DaemonLock.inspect(database: database)
                let isDaemon = daemon.running && daemon.heartbeat?["pid"]?.intValue == Int64(holder)
                output.error("It is held by process \(holder)" + (isDaemon ? ", the lintas daemon of this database ('lintas daemon status')." : "."))
            }
            output.error("Run the command again once the lock is free, or give --busy-ms N to wait up to N ms.")
        case let error as StoreError where error.code == .notFound:
            output.error("Error: \(error.message).")
            output.error("Give the database with --db PATH (or LINTAS_DB), or create one: 'lintas workflows load' and 'lintas org import' write a new file.")
        case let error as StoreError:
            output.error("Error: the store failed (\(error.code.rawValue)): \(error.message)")
        case let error as InvalidDocument:
            output.error("Error: " + error.description)
        case let error as InvalidDocuments:
            output.error("Error: " + error.description)
        case let error as Intake.Refused:
            output.error("Error: " + error.description)
        case let error as DaemonLockError:
            output.error("Error: " + error.message + ".")
        case let error as SpoolError:
            output.error("Error: " + error.message + ".")
        case let error as SigningError:
            output.error("Error: " + error.message + ".")
        default:
            output.error("Error: \(error)")
        }
    }

    // MARK: Commands

    struct Spec: Sendable {
        var name: String
        var arguments: String
        var positionals: (required: Int, maximum: Int)
        var summary: String
        var details: String
        var flags: Set<String> = []
        var options: Set<String> = ["db"]
        var run: @Sendable (Context) throws -> Int32
    }

    /// The options of every command that writes to the database: `--db` and `--busy-ms` (`Context.busyMilliseconds`).
    static let writing: Set<String> = ["db", "busy-ms"]

    /// What `--busy-ms` does, in the help of a command that writes once (the daemon says it its own way).
    static let busyHelp = """
        --busy-ms N (default 10000): how long to wait for another process's write lock before
        giving up with "the database is locked" (exit 1, nothing written).
        """

    static let commands: [Spec] = [
        Spec(name: "demo", arguments: "[--db PATH] [--workflows DIR]", positionals: (0, 0),
             summary: "Run the whole path on a fresh database: sample org, requests, daemon, status",
             details: """
             Creates a fresh database (in a temporary folder unless --db names a path that does not
             exist yet), loads the workflows and the sample Pemalang org directory, queues four
             requests under Perbup Pemalang 38/2023 Pasal 11 ayat (4) (one accepted, one rejected
             with a reason, one refused for missing contents, one refused for a wrong actor), runs
             the daemon until the queue is empty and prints where each request stands, the refused
             commands and the audit. --workflows DIR loads the workflows from DIR instead of the shipped
             folder.
             """, options: ["db", "workflows"], run: Demo.run),
        Spec(name: "submit", arguments: "FILE|- [--busy-ms N]", positionals: (1, 1),
             summary: "Queue commands, one JSON object a line",
             details: """
             Each line: {"id": KEY, "request": REQ, "action": NAME, "actor": NIP, "data": {…}}, plus
             "workflow": ID on the line that opens a request and optionally "at": the ISO 8601 time
             the step was taken (default: now). The file is queued whole or not at all: a malformed
             line is refused with its number. A line whose id was queued before with the same content
             is skipped; an id reused for a different command is refused.
             \(busyHelp)
             """, options: writing, run: WriteCommands.submit),
        Spec(name: "daemon", arguments: "[--until-idle] [--spool DIR] [--batch N] [--claim-batches K] [--commit-each] [--poll-ms N] [--busy-ms N] [--calendar PATH] [--timer-seconds N] [--log-level debug|info|warning|error]", positionals: (0, 0),
             summary: "Process queued commands in batches",
             details: """
             Takes queued commands in batches (--batch N, default 500 a transaction), decides each,
             appends its events, updates the request's state and records the outcome (done, or refused
             with its reason) in one transaction per batch; an empty queue is looked at again every
             --poll-ms (default 200). --until-idle exits when the queue (and the spool) is empty.
             --claim-batches K (default 2) takes K batches at a time when they make 64 commands or
             more: the next ones are decided while each is written and committed, a transaction of
             its own each; 1 takes each batch alone.
             --commit-each commits each command in a transaction of its own (one synced commit a
             command: nothing is acknowledged before it is on disk), deciding the next commands of the
             batch while it syncs; --batch N is then how many are taken and decided ahead at a time.
             --spool DIR also takes command files dropped into DIR/inbox/ (written as NAME.tmp, then
             renamed), moving each to DIR/done/, or to DIR/failed/ with NAME.errors.json listing every
             problem. A store that is locked or full is retried with backoff (--busy-ms: how long to
             wait for another writer's lock, default 10000). One daemon per database: a second is
             refused with the first one's pid (exit 1). Deadlines in working days are counted in
             --calendar PATH (default: the calendars shipped in workflows/calendars); passed deadlines
             are reminded of (and escalated) once, expired assignments end, looked for every
             --timer-seconds (default 60) and after each claim (with more than one commit to it,
             also after one a store error ended, at what it committed). The first SIGTERM or SIGINT
             finishes the claim in hand and exits 0; a second exits at once (130). Logs JSON lines on standard
             error; --log-level warning keeps only the warnings (retries, refused spool files,
             calendar problems) and errors (default info).
             """, flags: ["until-idle", "commit-each"], options: writing.union(["batch", "claim-batches", "poll-ms", "log-level", "spool", "calendar", "timer-seconds"]), run: WriteCommands.daemon),
        Spec(name: "daemon status", arguments: "[--calendar PATH]", positionals: (0, 0),
             summary: "Whether the daemon runs, the queue, the oldest waiting command, the last batch",
             details: """
             Whether a daemon holds the database's lock file (DB.daemon) and its last heartbeat, the
             number of queued commands, the oldest one and how long it has waited, the requests past the
             deadline of their next step, when the last batch was processed, and the working-day
             calendar (--calendar PATH, default: the calendars shipped in workflows/calendars) with a
             warning when it ends within 60 days. Exit 0 whether or not a daemon runs.
             """, options: ["db", "calendar"], run: OperationsCommands.daemonStatus),
        Spec(name: "backup", arguments: "PATH", positionals: (1, 1),
             summary: "Copy the database to PATH, safely while the daemon runs",
             details: """
             Copies the database with SQLite's online backup (one consistent snapshot; the daemon
             keeps writing meanwhile), then checks the copy (integrity check and event count). PATH
             must not exist yet: it is written as PATH.part and renamed once checked.
             """, run: OperationsCommands.backup),
        Spec(name: "status", arguments: "REQ", positionals: (1, 1),
             summary: "Where a request stands, whose turn it is and since when",
             details: """
             Shows the state, since when, who must act next (role, name, NIP, title, capacity) with the
             steps they may take and the article of each, the letters issued and the reason of a refusal.
             A request that was never opened exits 1 and lists the commands queued for it, with their
             refusals.
             """, run: RequestCommands.status),
        Spec(name: "requests", arguments: "[--awaiting NIP | --by-official] [--state STATE] [--workflow ID] [--all] [--limit N]", positionals: (0, 0),
             summary: "The requests in progress, the longest waiting first, and whose turn it is",
             details: """
             Every request not yet ended, the one waiting longest first: its state and since when, who
             must act next (resolved against the org directory in force today, as status does) and
             OVERDUE when a reminder was recorded for the deadline of its next step. --awaiting NIP keeps
             the requests that official can act on today: their worklist. --by-official sums up instead,
             per official (and per office nobody holds today): how many requests wait on them, how many
             are overdue, and the one waiting longest. --state STATE and --workflow ID narrow the list
             (a final state lists its ended requests); --all adds the ended ones; --limit N (default
             100) shows the first N, and the total says how many matched.
             """, flags: ["all", "by-official"], options: ["db", "awaiting", "state", "workflow", "limit"], run: WorklistCommand.run),
        Spec(name: "history", arguments: "REQ", positionals: (1, 1),
             summary: "The timeline of a request's events",
             details: "Each event: when, who (in which capacity), the action, the article, and the reason or letter number.",
             run: RequestCommands.history),
        Spec(name: "replay", arguments: "REQ [--version N]", positionals: (1, 1),
             summary: "Rebuild a request's state from its events, step by step",
             details: """
             Replays the log of one request and prints the state after each event; --version N stops
             after event N.
             """,
             options: ["db", "version"], run: RequestCommands.replay),
        Spec(name: "audit", arguments: "[REQ] [--checkpoint FILE --public-key PUBLIC.pem]", positionals: (0, 1),
             summary: "Verify the hash chain and that replay gives the stored states",
             details: """
             Recomputes every event's hash from its content and the previous hash, checks the global
             sequence has no gaps, replays every request and compares with its stored state. Exits 1
             and names the first bad event when anything does not match. --checkpoint FILE
             --public-key PUBLIC.pem also checks a checkpoint made by 'lintas checkpoint': that the key
             signed it and that the log still holds, unchanged, every event it covered.
             """, options: ["db", "checkpoint", "public-key"], run: AuditCommand.run),
        Spec(name: "checkpoint", arguments: "--key PRIVATE.pem [--out FILE]", positionals: (0, 0),
             summary: "Sign a checkpoint of the whole log, to archive away from the database",
             details: """
             Digests every event's sequence number and hash in order (SHA-256) and signs the count, the
             last sequence number, the digest and the time with the Ed25519 key PRIVATE.pem ('lintas
             keys generate'). Prints the checkpoint as JSON, or writes it to FILE (never overwritten).
             Archived where whoever can write the database cannot (the e-office archive, the
             inspectorate), it lets 'lintas audit --checkpoint FILE --public-key PUBLIC.pem' prove later
             that no event it covered was rewritten or removed, even with every hash recomputed.
             """, options: ["db", "key", "out"], run: CheckpointCommands.checkpoint),
        Spec(name: "keys generate", arguments: "PRIVATE.pem PUBLIC.pem", positionals: (2, 2),
             summary: "Make an Ed25519 key pair for signing checkpoints",
             details: """
             Writes a new Ed25519 private key (PEM, PKCS #8, mode 600) and its public key (PEM), with
             libcrypto; neither file may exist. The private key signs checkpoints ('lintas checkpoint
             --key'); the public key goes to the inspectors ('lintas audit --public-key').
             """, options: [], run: CheckpointCommands.generateKeys),
        Spec(name: "letter list", arguments: "[REQ]", positionals: (0, 1),
             summary: "List the letters issued, or one request's",
             details: """
             Each letter: number, date, label, request and id, in register order. The id is
             register/sequence (e.g. diskominfo/800.1.11.1/2026/1), register/external:NUMBER for a
             number given by SRIKANDI, or REQ/type/version for a letter an employee writes, which
             prints "tanpa nomor" as its number.
             """,
             run: LetterCommands.list),
        Spec(name: "letter show", arguments: "NUMBER|ID [--format text|html|json]", positionals: (1, 1),
             summary: "Print a letter as text, a printable A4 HTML page, or JSON",
             details: """
             Prints the letter as it was frozen in its event when issued: kop of the signing office,
             number, place and date, subject, legal basis, the request's contents, the assigned
             employees, the period, the signature block (name, NIP, Plt./Plh., a.n.) and the numbered
             tembusan. --format html gives an A4 page a browser prints cleanly; --format json (or
             --json) every field plus content_hash, the SHA-256 sealed into the event. A letter an
             employee writes is shown by its id. Exits 1 when no letter has that number or id, or when
             a number is shared (give the id).
             """, options: ["db", "format"], run: LetterCommands.show),
        Spec(name: "export ekinerja", arguments: "[REQ] [--from DATE] [--to DATE] [--format json|csv]", positionals: (0, 1),
             summary: "Accepted assignments as e-Kinerja records additional work (hasil kerja tambahan)",
             details: """
             One row per assigned employee of every accepted request (or of REQ): NIP, name, position
             and unit; the assignment (rencana hasil kerja: the performance target; uraian: the
             purpose); penugasan dari (the office and official who signed the assigning letter); the
             letter's type, number and date; the period. --from/--to keep the assignments whose period
             overlaps those dates. --format json (default) or csv (RFC 4180, a header row of the
             field names). See docs/letters.md for the fields.
             """, options: ["db", "from", "to", "format"], run: ExportCommand.ekinerja),
        Spec(name: "commands", arguments: "[--status queued|done|refused] [--request REQ] [--id KEY] [--limit N]", positionals: (0, 0),
             summary: "List queued commands and their outcomes",
             details: "Filters: --status queued|done|refused, --request REQ, --id KEY, --limit N (default 100).",
             options: ["db", "status", "request", "id", "limit"], run: RequestCommands.commands),
        Spec(name: "workflows check", arguments: "[PATH]", positionals: (0, 1),
             summary: "Validate workflow, regulation, org directory and calendar files",
             details: """
             Validates every workflow, regulation, org directory and working-day calendar file (.json)
             under PATH (default: the workflows folder) and exits 1 listing every problem found
             (invalid FILE: PATH: MESSAGE). Warnings (warning FILE: PATH: MESSAGE: a number template
             that will print a taken number, an assignment workflow without an assignment_accepted
             state) do not change the exit status. See docs/workflow-format.md.
             """,
             options: [], run: WriteCommands.workflowsCheck),
        Spec(name: "workflows load", arguments: "[PATH] [--busy-ms N]", positionals: (0, 1),
             summary: "Load workflow files into the database",
             details: """
             Validates and stores every workflow file under PATH (default: the workflows folder); each
             becomes the current version for new requests. Requests in flight keep the version they
             started with. One invalid file refuses the whole load; warnings are printed as by
             'lintas workflows check'.
             \(busyHelp)
             """, options: writing, run: WriteCommands.workflowsLoad),
        Spec(name: "workflows list", arguments: "", positionals: (0, 0),
             summary: "List the workflows in the database",
             details: """
             Every version of every workflow in the database, marking the current one: id, definition
             hash, regulation, article and title.
             """,
             run: WriteCommands.workflowsList),
        Spec(name: "workflows graph", arguments: "[ID] [--format dot|mermaid] [--workflows DIR]", positionals: (0, 1),
             summary: "Draw a workflow's state machine (Graphviz DOT or Mermaid)",
             details: """
             Prints the state machine of the workflow ID, read from the workflows folder (or --workflows
             DIR), with the action, the acting role and the article on every edge. DOT renders with
             'dot -Tsvg'; Mermaid renders in Markdown viewers that support it. Without ID and with
             --format mermaid: every workflow as one Markdown page (docs/procedures.md).
             """, options: ["format", "workflows"], run: WriteCommands.workflowsGraph),
        Spec(name: "org import", arguments: "FILE [--employees CSV] [--busy-ms N]", positionals: (1, 1),
             summary: "Import an org directory version",
             details: """
             Validates the file (every problem listed, nothing half-imported) and stores it as the
             directory in force from its effective_from date; importing the same file again changes
             nothing. --employees adds the employees of a CSV
             file with the columns nip,name,status,position (header row first, RFC 4180 quoting);
             a bad row is named by its line.
             \(busyHelp)
             """, options: writing.union(["employees"]), run: WriteCommands.orgImport),
        Spec(name: "org versions", arguments: "", positionals: (0, 0),
             summary: "List the imported org directory versions",
             details: "Each version with the date it is in force from.", run: WriteCommands.orgVersions),
    ]

    static func lookup(_ arguments: [String]) -> (spec: Spec, words: Int)? {
        if arguments.count >= 2, let spec = commands.first(where: { $0.name == "\(arguments[0]) \(arguments[1])" }) {
            return (spec, 2)
        }
        return commands.first(where: { $0.name == arguments[0] }).map { ($0, 1) }
    }

    static func printOverview() {
        print("""
        lintas \(version): assignment requests (penugasan) routed as the Peraturan Bupati prescribe.

        Usage: lintas <command> [arguments] [--db PATH] [--json]

        Commands:
        """)
        for spec in commands {
            print("  " + spec.name.padding(toLength: 18, withPad: " ", startingAt: 0) + spec.summary)
        }
        print("""

        --db PATH   the database file (default: $LINTAS_DB, else ./lintas.db)
        --json      machine-readable output on read commands

        See 'lintas help <command>' for details.
        """)
    }

    static func printHelp(_ spec: Spec) {
        let options = spec.options.union(spec.flags).union(["json"]).sorted().map { "--\($0)" }.joined(separator: " ")
        print("Usage: lintas \(spec.name) \(spec.arguments)".trimmingCharacters(in: .whitespaces))
        print("\n\(spec.summary).\n\n\(spec.details)\n\nOptions: \(options)")
    }
}

/// What a command runs with.
struct Context {
    var arguments: Arguments
    var output: Output
    var clock: any Clock

    /// `--db`, else `LINTAS_DB` when set and not empty, else `lintas.db`.
    var databasePath: String {
        arguments.option("db") ?? ProcessInfo.processInfo.environment["LINTAS_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? "lintas.db"
    }

    /// `--busy-ms N` of a command that writes: how long it waits for another process's write lock,
    /// in milliseconds (default `SQLiteStore.defaultBusyTimeout`, 10000).
    func busyMilliseconds() throws(UsageError) -> Int {
        try arguments.positiveInteger("busy-ms") ?? SQLiteStore.defaultBusyTimeout
    }

    /// Opens the database for a command that writes, waiting `--busy-ms` for another writer's lock;
    /// `create` makes a missing file.
    func openStore(create: Bool) throws -> SQLiteStore { try openStore(create: create, reading: nil) }

    /// Opens the database for a command that only reads: a wrong path is an error, and an empty
    /// file (0 bytes, and no write-ahead log holding its first commits) is refused instead of
    /// being given lintas's schema by a command that only reads. The connection refuses to
    /// write, and maps what `reading` asks (`Reading`, `ReadSettings`).
    func openStore(reading: Reading) throws -> SQLiteStore { try openStore(create: false, reading: reading) }

    private func openStore(create: Bool, reading: Reading?) throws -> SQLiteStore {
        let path = databasePath
        if reading != nil, let problem = ReadSettings.settingProblem { throw UsageError(problem) }
        // A symbolic link is not followed here, as before.
        func size(_ path: String) -> Int64? { DocumentFile.regularFileSize(at: path, followingLinks: false) }
        if !create && size(path) == 0 && (size(path + "-wal") ?? 0) == 0 {
            throw StoreError(.notFound, "\(path) is empty (0 bytes), not a lintas database")
        }
        if reading != nil { return try SQLiteStore(path: path, create: create, reading: reading) }
        return try SQLiteStore(path: path, create: create, busyTimeout: try busyMilliseconds())
    }

    /// The workflows folder: the command's PATH, or the one that ships with lintas.
    func workflowsPath(_ given: String?) throws -> String {
        if let given { return given }
        guard let found = WorkflowsFolder.locate() else {
            throw UsageError("no workflows folder found here or next to lintas; give its path")
        }
        return found
    }
}
