/// One setting SimGate reads at start-up: the same key from a flag, the environment or the
/// config file, in that order of precedence. ``SettingKey/all`` is the one list; README's
/// settings table is checked against it by a test.
public struct SettingKey: Sendable, Equatable {
    /// The key in the config file, dotted for nesting (`radius.auth_port`).
    public let name: String
    /// What kind of value it takes, as the table shows it.
    public let type: String
    /// The value used when no source sets it.
    public let defaultValue: String
    /// What it decides.
    public let meaning: String

    /// The environment variable: `SIMGATE_` and the key in capitals (`SIMGATE_RADIUS_AUTH_PORT`).
    public var environmentVariable: String {
        "SIMGATE_" + name.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    /// The `simgate serve` flag: the key with dashes (`--radius-auth-port`).
    public var flag: String {
        "--" + name.replacingOccurrences(of: ".", with: "-").replacingOccurrences(of: "_", with: "-")
    }

    /// `host`: the address HTTP listens on.
    static let host = SettingKey(name: "host", type: "address", defaultValue: "127.0.0.1", meaning: "HTTP listen address")
    /// `port`: the HTTP port.
    static let port = SettingKey(name: "port", type: "port", defaultValue: "8080", meaning: "HTTP port; 0 picks a free one")
    /// `database`: the SQLite file or PostgreSQL URL.
    static let database = SettingKey(
        name: "database", type: "path or URL", defaultValue: "simgate.sqlite", meaning: "SQLite file, or postgres:// URL"
    )
    /// `radius.host`: the address the RADIUS ports listen on.
    static let radiusHost = SettingKey(name: "radius.host", type: "address", defaultValue: "127.0.0.1", meaning: "RADIUS listen address")
    /// `radius.auth_port`: the RADIUS authentication port.
    static let radiusAuthPort = SettingKey(name: "radius.auth_port", type: "port", defaultValue: "1812", meaning: "RADIUS authentication port")
    /// `radius.acct_port`: the RADIUS accounting port.
    static let radiusAcctPort = SettingKey(name: "radius.acct_port", type: "port", defaultValue: "1813", meaning: "RADIUS accounting port")
    /// `radius.clients`: the gateways allowed to send RADIUS requests, with their shared secrets.
    static let radiusClients = SettingKey(
        name: "radius.clients", type: "address=secret list", defaultValue: "none",
        meaning: "gateways allowed to ask (IP or IPv4 network); none: every request is dropped"
    )
    /// `radius.coa_port`: the gateways' port that Disconnect-Requests are sent to.
    static let radiusCoAPort = SettingKey(
        name: "radius.coa_port", type: "port", defaultValue: "3799", meaning: "gateways' port for Disconnect-Request"
    )
    /// `radius.interim_interval`: the default Acct-Interim-Interval given in Access-Accept.
    static let radiusInterimInterval = SettingKey(
        name: "radius.interim_interval", type: "seconds (60-86400)", defaultValue: "300", meaning: "Acct-Interim-Interval in Access-Accept"
    )

    /// `radius.accounting_commit_delay`: how long an accounting batch may wait for more reports.
    static let radiusAccountingCommitDelay = SettingKey(
        name: "radius.accounting_commit_delay", type: "milliseconds (0-20)", defaultValue: "0",
        meaning: "longest accounting waits for more reports to commit with, while they keep coming (0: none)"
    )

    /// `secrets_key`: the key that seals stored secrets.
    static let secretsKey = SettingKey(
        name: "secrets_key", type: "base64 (32 bytes)", defaultValue: "from secrets_key_file",
        meaning: "seals webhook and payment gateway secrets at rest; same on every instance"
    )
    /// `secrets_key_file`: where the secrets key is kept when `secrets_key` is not given.
    static let secretsKeyFile = SettingKey(
        name: "secrets_key_file", type: "path", defaultValue: "simgate.key beside the SQLite file",
        meaning: "made with a new key on first start; keep it with backups"
    )
    /// `webhooks.allow_networks`: private networks deliveries may reach.
    static let webhooksAllowNetworks = SettingKey(
        name: "webhooks.allow_networks", type: "address list", defaultValue: "none",
        meaning: "private or loopback networks webhooks may reach (refused by default)"
    )
    /// `webhooks.timeout`: how long one delivery attempt may take.
    static let webhooksTimeout = SettingKey(
        name: "webhooks.timeout", type: "seconds (1-60)", defaultValue: "10", meaning: "time allowed for one webhook attempt"
    )

    /// `statements.freeze_after`: how long after a month ends its statement freezes.
    static let statementsFreezeAfter = SettingKey(
        name: "statements.freeze_after", type: "hours (0-720)", defaultValue: "72", meaning: "late usage counts until then; then the month never changes"
    )

    /// `usage.retention_months`: how many months of usage records PostgreSQL keeps.
    static let usageRetentionMonths = SettingKey(
        name: "usage.retention_months", type: "months (1-1200)", defaultValue: "all",
        meaning: "PostgreSQL only: older months of usage records are dropped whole; totals stay"
    )

    /// Every setting, in the order the README table lists them.
    public static let all: [SettingKey] = [
        host, port, database, radiusHost, radiusAuthPort, radiusAcctPort, radiusClients, radiusCoAPort, radiusInterimInterval,
        radiusAccountingCommitDelay, secretsKey, secretsKeyFile, webhooksAllowNetworks, webhooksTimeout, statementsFreezeAfter, usageRetentionMonths,
    ]
}
