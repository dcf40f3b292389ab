import Logging
import SimGateCore

/// A log handler that writes every message and metadata value through another with its line
/// breaks and other unseen characters escaped (``TextLimit/escapedForLog(_:)``), so that one
/// call is one line. Log metadata carries text from outside: a device's User-Name, a gateway's
/// NAS-Identifier, a session id. Written as it came, a User-Name holding a line break and a
/// made-up date wrote a `critical` line of the device's choosing into the server's log.
public struct EscapingLogHandler: LogHandler {
    private var inner: any LogHandler

    /// Writes through `inner`.
    public init(_ inner: any LogHandler) {
        self.inner = inner
    }

    public func log(event: LogEvent) {
        var escaped = event
        escaped.message = "\(TextLimit.escapedForLog(event.message.description))"
        escaped.metadata = event.metadata.map(Self.escaped)
        inner.log(event: escaped)
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue.map(Self.escaped) }
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = Self.escaped(newValue) }
    }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    static func escaped(_ metadata: Logger.Metadata) -> Logger.Metadata {
        // Keys too: code names them, but a dictionary value's keys may come from outside.
        Dictionary(metadata.map { (TextLimit.escapedForLog($0.key), escaped($0.value)) }) { first, _ in first }
    }

    static func escaped(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(TextLimit.escapedForLog(text))
        case .stringConvertible(let convertible): .string(TextLimit.escapedForLog(convertible.description))
        case .dictionary(let metadata): .dictionary(escaped(metadata))
        case .array(let values): .array(values.map(escaped))
        }
    }
}
