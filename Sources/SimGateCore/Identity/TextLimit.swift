import Foundation

/// How free text from clients (names, reasons, metadata) is measured and what it may hold.
///
/// Lengths count Unicode scalars, not the grapheme clusters `String.count` gives: one "a"
/// with 100,000 combining marks is one character but 400 KB. Bytes are capped as well, and
/// control characters (NUL and the like) are refused; reasons may keep line breaks and tabs.
public enum TextLimit {
    /// What is wrong with `text`, or `nil` when it fits.
    public static func problem(in text: String, maximumLength: Int, allowsLineBreaks: Bool = false) -> String? {
        violation(in: text, maximumLength: maximumLength, allowsLineBreaks: allowsLineBreaks)?.problem
    }

    /// What is wrong with `text` and the API's code for it (`value_too_long`, or
    /// `invalid_value` for a control character), or `nil` when it fits.
    public static func violation(in text: String, maximumLength: Int, allowsLineBreaks: Bool = false) -> (code: String, problem: String)? {
        if text.unicodeScalars.count > maximumLength || text.utf8.count > 4 * maximumLength {
            return ("value_too_long", "has at most \(maximumLength) characters")
        }
        let allowed: Set<Unicode.Scalar> = allowsLineBreaks ? ["\n", "\t", "\r"] : []
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !allowed.contains($0) }) {
            return ("invalid_value", "must not contain control characters")
        }
        return nil
    }

    /// Whether `text` says nothing: empty, or only spaces, tabs and line or paragraph breaks
    /// (U+2028 and U+2029 among them, which a trim of spaces alone let pass as an id).
    public static func isBlank(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.allSatisfy { CharacterSet.whitespacesAndNewlines.contains($0) }
    }

    /// Untrusted text as a message may show it: its first `maximumLength` Unicode scalars, quoted,
    /// each control character (C0, DEL and C1), format character (a right-to-left override) and
    /// line or paragraph separator written as an escape (`\u{0}`, `\u{202E}`), and a
    /// backslash or quote after a backslash, so the quoted text reads one way only. A NUL echoed into a
    /// stored message failed the write on PostgreSQL, which keeps no NUL in text, and its job
    /// was retried to no end.
    public static func quoted(_ text: some StringProtocol, maximumLength: Int) -> String {
        var shown = "'"
        for scalar in text.unicodeScalars.prefix(maximumLength) {
            if isUnseen(scalar) {
                shown += escape(scalar)
            } else if scalar == "\\" || scalar == "'" {
                shown += "\\" + String(scalar)
            } else {
                shown.unicodeScalars.append(scalar)
            }
        }
        return shown + "'"
    }

    /// Text as one line of a log may hold it: each control character (a line break among
    /// them), format character and line or paragraph separator written as an escape (`\u{A}`).
    /// A device's User-Name logged as it came could start a line of its own, dated and levelled
    /// as the device liked.
    public static func escapedForLog(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnseen) else { return text }
        var shown = ""
        for scalar in text.unicodeScalars {
            if isUnseen(scalar) { shown += escape(scalar) } else { shown.unicodeScalars.append(scalar) }
        }
        return shown
    }

    /// Whether `scalar` is one that text shown to people writes as an escape: it breaks a line,
    /// steers the display or shows nothing.
    private static func isUnseen(_ scalar: Unicode.Scalar) -> Bool {
        [.control, .format, .lineSeparator, .paragraphSeparator].contains(scalar.properties.generalCategory)
    }

    private static func escape(_ scalar: Unicode.Scalar) -> String {
        "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
    }
}
