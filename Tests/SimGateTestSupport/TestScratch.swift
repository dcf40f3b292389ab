import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where tests keep their files and name their PostgreSQL schemas: after the test process, by
/// its process id. A test cannot delete its database when it ends (a restart test opens it
/// again afterwards), so each run removes, once, what runs that have ended left behind:
/// without that, every run of the suite left some 500 MB of SQLite files and PostgreSQL
/// schemas for good. The last run's stay until the next, to be looked at after a failure.
public enum TestScratch {
    /// This process's prefix for database names: `t<pid>_`.
    public static let prefix = "t\(getpid())_"

    /// This run's own directory, made (and the directories of ended runs removed) on first use.
    public static let directory: URL = {
        let runs = FileManager.default.temporaryDirectory.appendingPathComponent("simgate-tests", isDirectory: true)
        let mine = runs.appendingPathComponent("run-\(getpid())", isDirectory: true)
        let others = (try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? []
        for name in others where name.hasPrefix("run-") {
            guard let pid = Int32(name.dropFirst(4)), pid != getpid(), !isRunning(pid) else { continue }
            try? FileManager.default.removeItem(at: runs.appendingPathComponent(name))
        }
        try? FileManager.default.createDirectory(at: mine, withIntermediateDirectories: true)
        return mine
    }()

    /// A new path in this run's directory, named `name` after a unique part.
    public static func path(_ name: String) -> String {
        directory.appendingPathComponent("\(UUID().uuidString.prefix(8).lowercased())-\(name)").path
    }

    /// Whether `name` is a database name made by a test process that has ended.
    public static func isLeftOver(_ name: String) -> Bool {
        guard name.hasPrefix("t"), let separator = name.firstIndex(of: "_"),
              let pid = Int32(name[name.index(after: name.startIndex)..<separator]) else { return false }
        return pid != getpid() && !isRunning(pid)
    }

    /// Whether a process `pid` exists (one that is not ours to signal still does).
    static func isRunning(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}
