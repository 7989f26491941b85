import Foundation

/// Folders for the files a test writes (databases, workflow copies, spools): all under one folder
/// of this test process, `lintas-tests-PID` in the temporary directory, removed when the process
/// exits, so a test run leaves nothing behind. `LINTAS_KEEP_TEST_FILES=1` keeps them to look at.
public enum Scratch {
    /// A new, empty folder named `prefix-UUID`.
    public static func folder(_ prefix: String) throws -> URL {
        let folder = root.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// A path for a file named `prefix-UUID.ext`, not created.
    public static func file(_ prefix: String, extension ext: String) -> URL {
        _ = root
        return root.appendingPathComponent("\(prefix)-\(UUID().uuidString).\(ext)")
    }

    /// This process's folder, made (and its removal at exit registered) on first use.
    private static let root: URL = {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lintas-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        if ProcessInfo.processInfo.environment["LINTAS_KEEP_TEST_FILES"] != "1" {
            atexit { try? FileManager.default.removeItem(at: Scratch.root) }
        }
        return root
    }()
}
