import Foundation
import LintasCore
import LintasStore

/// Reading JSON documents from files, with errors that name the file.
public enum DocumentFile {
    /// Reads and parses a JSON file.
    /// - Throws: `InvalidDocument` naming the file and, for syntax errors, the line and column.
    public static func read(_ path: String) throws(InvalidDocument) -> JSONValue {
        let bytes = try self.bytes(path)
        do {
            return try JSONValue.parse(bytes)
        } catch {
            throw InvalidDocument(source: path, problems: [Problem(path: "", message: "not valid JSON: \(error)")])
        }
    }

    /// A file's bytes.
    /// - Throws: `InvalidDocument` naming the file and why it cannot be read.
    public static func bytes(_ path: String) throws(InvalidDocument) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            let message = !exists ? "no such file" : isDirectory.boolValue ? "is a folder, not a file" : "cannot be read (permissions?)"
            throw InvalidDocument(source: path, problems: [Problem(path: "", message: message)])
        }
        return [UInt8](data)
    }

    /// The size of the regular file at `path`; `nil` when there is none there. `stat` itself:
    /// Foundation's attributes of an item also look up the names of its owner and group
    /// (nsswitch.conf, /etc/passwd, /etc/group, nscd's socket), about 500,000 instructions.
    /// - Parameter followingLinks: whether a symbolic link stands for the file it names (`stat`),
    ///   as reading the path does, or for itself (`lstat`: never a regular file).
    public static func regularFileSize(at path: String, followingLinks: Bool) -> Int64? {
        var status = stat()
        guard (followingLinks ? stat(path, &status) : lstat(path, &status)) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        return Int64(status.st_size)
    }

    /// The JSON files under a folder (recursively), sorted; or the path itself when it is a file.
    public static func jsonFiles(at path: String) throws(InvalidDocument) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InvalidDocument(source: path, problems: [Problem(path: "", message: "no such file or folder")])
        }
        guard isDirectory.boolValue else { return [path] }
        let enumerator = FileManager.default.enumerator(atPath: path)
        var files: [String] = []
        while let relative = enumerator?.nextObject() as? String {
            if relative.hasSuffix(".json") { files.append((path as NSString).appendingPathComponent(relative)) }
        }
        return files.sorted()
    }

    /// The folder a file is in.
    public static func folder(of path: String) -> String { (path as NSString).deletingLastPathComponent }

    /// The content hash of a document: SHA-256 of its canonical JSON, in hex.
    public static func hash(_ document: JSONValue) -> String {
        Digest.sha256(document.canonicalBytes).hex
    }

    /// The `format` member of a document, e.g. `lintas.workflow/1`.
    public static func format(of document: JSONValue) -> String? {
        document["format"]?.stringValue
    }
}

/// Finds the `workflows/` folder that ships with lintas: under the current folder or one
/// of its parents, next to the executable's package, or in `<prefix>/share/lintas`.
public enum WorkflowsFolder {
    /// The running executable's path. Not `argv[0]`: a program found on PATH gets only the name
    /// that was typed (`lintas`), which would look for the folder next to the current one.
    public static var runningExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first ?? ""
    }

    public static func locate(executable: String = runningExecutable) -> String? {
        let manager = FileManager.default
        var candidates: [URL] = []
        for start in [URL(fileURLWithPath: manager.currentDirectoryPath),
                      URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()] {
            var folder = start
            for _ in 0..<8 {
                candidates.append(folder.appendingPathComponent("workflows"))
                candidates.append(folder.appendingPathComponent("share/lintas/workflows"))
                folder.deleteLastPathComponent()
            }
        }
        for candidate in candidates {
            var isDirectory: ObjCBool = false
            if manager.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue {
                return candidate.path
            }
        }
        return nil
    }
}
