import Foundation

/// A new directory under the temporary directory for one bench's files (its database, packet
/// or request files), removed with everything in it once the bench is done. A database file
/// made loose in the temporary directory stayed there after every run, with its log.
struct ScratchDirectory {
    /// Where the directory is.
    let url: URL

    /// Makes `<temporary directory>/<prefix>-<UUID>`.
    init(prefix: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the directory.
    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    /// Removes the directory and what is in it; call it from a `defer`.
    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
