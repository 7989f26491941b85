// swift-tools-version: 6.0
// lintas: a workflow state-machine engine for civil-servant assignments (penugasan).
// No Swift package dependencies: only the toolchain and C system libraries
// bound through systemLibrary targets (libsqlite3-dev, libssl-dev).
import PackageDescription

let package = Package(
    name: "lintas",
    products: [
        .executable(name: "lintas", targets: ["lintas"]),
        .executable(name: "lintas-bench", targets: ["lintas-bench"]),
    ],
    targets: [
        // C system libraries, found through pkg-config.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),

        // The pure domain: workflow definitions, the org directory, decide and evolve.
        // No I/O, no clock, no Foundation.
        .target(name: "LintasCore"),

        // The event store: one protocol, the SQLite backend, the hash chain.
        .target(name: "LintasStore", dependencies: ["LintasCore", "CSQLite", "CLibCrypto"]),

        // The application: intake, the daemon's processor, audit, loading files.
        .target(name: "LintasEngine", dependencies: ["LintasCore", "LintasStore"]),

        // The command line: argument parsing and rendering for people and programs.
        .target(name: "LintasCLI", dependencies: ["LintasCore", "LintasStore", "LintasEngine"]),
        .executableTarget(name: "lintas", dependencies: ["LintasCLI"]),
        // Workload W1 through the production path, beside the machine's limits (docs/performance.md).
        // Depends on `lintas` so that the binary it times as a cold `lintas status` is built with it.
        .executableTarget(name: "lintas-bench", dependencies: ["lintas", "LintasCore", "LintasStore", "LintasEngine", "CSQLite"]),

        // The people of the sample org directories (workflows/directories), by role, for every test module.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "LintasCoreTests", dependencies: ["LintasCore", "TestSupport"]),
        .testTarget(name: "LintasStoreTests", dependencies: ["LintasCore", "LintasStore", "TestSupport"]),
        .testTarget(name: "LintasEngineTests", dependencies: ["LintasCore", "LintasStore", "LintasEngine", "TestSupport"]),
        // Depends on the executables so that `swift test` builds the binaries the tests run.
        .testTarget(name: "LintasCLITests", dependencies: ["lintas", "lintas-bench", "LintasCore", "CSQLite", "TestSupport"], exclude: ["Golden"]),
    ]
)
