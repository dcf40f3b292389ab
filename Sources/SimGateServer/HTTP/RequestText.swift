import SimGateCore

/// Shared checks on request text, for the API and the command line alike.
public enum RequestText {
    /// The position of the first entry of `texts` given again earlier in it, compared byte for
    /// byte as the database compares text: Swift's `String` equality takes `é` and `e` with a
    /// combining accent for one.
    public static func firstRepeat(in texts: [String]) -> Int? {
        var seen: Set<[UInt8]> = []
        return texts.indices.first { !seen.insert(Array(texts[$0].utf8)).inserted }
    }

    /// Text that must say something, within ``TextLimit``; throws a ``DomainError`` naming `param`.
    public static func requireNonBlank(_ text: String, param: String, maximumLength: Int) throws {
        guard !TextLimit.isBlank(text) else {
            throw DomainError(.invalid, code: "invalid_value", message: "'\(param)' must not be empty.", param: param)
        }
        if let wrong = TextLimit.violation(in: text, maximumLength: maximumLength) {
            throw DomainError(.invalid, code: wrong.code, message: "'\(param)' \(wrong.problem).", param: param)
        }
    }
}

extension DomainError {
    /// The same error with its `param` (and those of its issues) renamed by `names`, for an
    /// interface whose fields are spelt otherwise than the domain's.
    func renamingParam(_ names: [String: String]) -> DomainError {
        // The message names the field too: `/v1` answered "An AOFU tariff needs bundleSizeMb."
        // beside `param: bundle_size_mb`.
        let renamed = param.flatMap { old in names[old].map { (old, $0) } }
        return DomainError(
            kind, code: code, message: renamed.map { message.replacingOccurrences(of: $0.0, with: $0.1) } ?? message,
            param: param.map { names[$0] ?? $0 }, details: details,
            issues: issues.map { $0.renamingParam(names) }
        )
    }
}
