import Foundation

/// A file named on the command line, read whole as UTF-8 text: a regular file, or a pipe
/// (`/dev/stdin`, a FIFO). Read by path, a pipe was refused as "you don't have permission",
/// a directory got an error number, and a stray byte that is not UTF-8 named no line.
enum InputFile {
    static func text(at path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw CommandFailure("no such file: \(path)") }
        if isDirectory.boolValue { throw CommandFailure("\(path) is a directory, not a file.") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CommandFailure("cannot read \(path): permission denied.") }
        defer { try? handle.close() }
        let bytes: Data
        do {
            bytes = try handle.readToEnd() ?? Data()
        } catch {
            throw CommandFailure("cannot read \(path): \(error.localizedDescription)")
        }
        if let text = String(data: bytes, encoding: .utf8) { return text }
        throw CommandFailure("\(path) is not UTF-8 text: \(Self.firstInvalidByte(in: bytes)).")
    }

    /// Where the first byte that is not UTF-8 is, as a person finds it: line and byte.
    static func firstInvalidByte(in bytes: Data) -> String {
        var line = 1
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let lead = bytes[index]
            let length = lead < 0x80 ? 1 : lead >> 5 == 0b110 ? 2 : lead >> 4 == 0b1110 ? 3 : lead >> 3 == 0b11110 ? 4 : 0
            let end = index + max(length, 1)
            let sequence = length == 0 || end > bytes.endIndex ? nil : String(data: bytes[index..<end], encoding: .utf8)
            guard sequence != nil else {
                return "line \(line) holds byte 0x\(String(lead, radix: 16, uppercase: true)) at offset \(index - bytes.startIndex)"
            }
            if lead == 0x0A { line += 1 }
            index = end
        }
        return "a sequence that is not whole at its end"
    }
}
