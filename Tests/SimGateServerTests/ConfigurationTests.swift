import Foundation
import SimGateServer
import SimGateStore
import Testing

@Suite("Configuration from text")
struct ConfigurationTests {
    @Test("--database takes a PostgreSQL URL, an sqlite: URL or a path, and never logs a password")
    func database() {
        #expect(DatabaseConfiguration(parsing: "postgres://u:pw@db:5432/sg") == .postgres(url: "postgres://u:pw@db:5432/sg"))
        #expect(DatabaseConfiguration(parsing: "postgresql://db/sg") == .postgres(url: "postgresql://db/sg"))
        #expect(DatabaseConfiguration(parsing: "sqlite:///var/sg.sqlite") == .sqlite(path: "/var/sg.sqlite"))
        #expect(DatabaseConfiguration(parsing: "sqlite:data.sqlite") == .sqlite(path: "data.sqlite"))
        #expect(DatabaseConfiguration(parsing: "data.sqlite") == .sqlite(path: "data.sqlite"))
        let shown = DatabaseConfiguration.postgres(url: "postgres://u:secret@db:5432/sg").description
        #expect(!shown.contains("secret"))
        #expect(shown.contains("db:5432"))
    }

    @Test("SIMGATE_RADIUS_CLIENTS lists address=secret pairs; a malformed entry is an error, not skipped, and never shows its secret")
    func radiusClients() throws {
        let clients = try RADIUSSettings.clients(parsing: "127.0.0.1=s3cret, 10.20.0.0/16=other")
        #expect(clients.map(\.address) == ["127.0.0.1", "10.20.0.0/16"])
        for broken in ["127.0.0.1=s3cret,broken", "=nosecret", "10.0.0.1=", "10.0.0.0/40=x", "pgw.example=x", "300.1.1.1=x"] {
            #expect(throws: RADIUSSettings.ClientEntryError.self, "\(broken)") { try RADIUSSettings.clients(parsing: broken) }
        }
        #expect(clients.first?.secret == Array("s3cret".utf8))
        // The same entry twice is one client; one address with two secrets is refused; no error
        // message carries a secret.
        #expect(try RADIUSSettings.clients(parsing: "127.0.0.1=s3cret,127.0.0.1=s3cret").count == 1)
        // Nor an entry without '=': a secret written with another separator, or the tail of one
        // that held a comma.
        for (text, problem) in [
            ("127.0.0.1=x9secret,127.0.0.1=y9secret", "one entry per address"), ("10.0.0.0/33=MyRadiusSecret", "address=secret entries"),
            ("127.0.0.1:MyRadiusSecret", "entry 1, which has no '='"), ("127.0.0.1=sec,ret9secret", "entry 2, which has no '='"),
            ("127.0.0.1=sec,x9=9secret", "entry 2, whose address is not one"),
        ] {
            do {
                _ = try AppConfiguration.fromEnvironment(["SIMGATE_RADIUS_CLIENTS": text])
                Issue.record("\(text) was taken")
            } catch {
                let message = String(describing: error)
                #expect(message.contains(problem) && (message.contains("(secret hidden)") || message.contains("not shown")), "\(message)")
                #expect(!message.contains("secret'") && !message.contains("Secret") && !message.contains("9secret") && !message.contains("x9"), "\(message)")
            }
        }
        let allRequireMessageAuthenticator = clients.allSatisfy { $0.requireMessageAuthenticator }
        #expect(allRequireMessageAuthenticator)
    }

    @Test("the environment overrides the defaults")
    func environment() throws {
        let configuration = try AppConfiguration.fromEnvironment([
            "SIMGATE_PORT": "9000", "SIMGATE_DATABASE": "postgres://db/sg", "SIMGATE_RADIUS_ACCT_PORT": "11813",
        ])
        #expect(configuration.port == 9_000)
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.database == .postgres(url: "postgres://db/sg"))
        #expect(configuration.radius.accountingPort == 11_813)
        #expect(configuration.radius.authenticationPort == 1_812)
        #expect(configuration.radius.interimInterval == 300)
    }

    @Test("RADIUS gateways take Disconnect-Requests on 3799 unless SIMGATE_RADIUS_COA_PORT says otherwise; the interim interval is bounded; accounting commits without delay unless one is set")
    func radiusEnvironment() throws {
        let defaults = try AppConfiguration.fromEnvironment(["SIMGATE_RADIUS_CLIENTS": "10.0.0.0/8=s3cret"])
        #expect(defaults.radius.clients.map(\.coaPort) == [3_799])
        #expect(defaults.radius.accountingCommitDelay == .zero)
        let custom = try AppConfiguration.fromEnvironment([
            "SIMGATE_RADIUS_CLIENTS": "10.0.0.0/8=s3cret,127.0.0.1=other", "SIMGATE_RADIUS_COA_PORT": "1700",
            "SIMGATE_RADIUS_INTERIM_INTERVAL": "600", "SIMGATE_RADIUS_ACCOUNTING_COMMIT_DELAY": "2",
        ])
        #expect(custom.radius.clients.map(\.coaPort) == [1_700, 1_700])
        #expect(custom.radius.interimInterval == 600)
        #expect(custom.radius.accountingCommitDelay == .milliseconds(2))
    }

    @Test("the secrets key file lies beside the SQLite file unless set; a given key is used as it is")
    func secretsKeyLocation() throws {
        let beside = try AppConfiguration.fromEnvironment(["SIMGATE_DATABASE": "/var/lib/simgate/fleet.sqlite"])
        #expect(beside.secretsKeyFile == "/var/lib/simgate/simgate.key" && beside.secretsKey == nil)
        let chosen = try AppConfiguration.fromEnvironment(["SIMGATE_SECRETS_KEY_FILE": "/etc/simgate/key"])
        #expect(chosen.secretsKeyFile == "/etc/simgate/key")
        let given = try AppConfiguration.fromEnvironment(["SIMGATE_SECRETS_KEY": "c2ltZ2F0ZS10ZXN0LXNlY3JldHMta2V5LTMyYnl0ZXM="])
        #expect(given.secretsKey != nil && given.secretsKeyFile == nil)
        let networks = try AppConfiguration.fromEnvironment(["SIMGATE_WEBHOOKS_ALLOW_NETWORKS": "127.0.0.1, 10.0.0.0/8,fd00::/8"])
        #expect(networks.webhooks.allowedNetworks == ["127.0.0.1", "10.0.0.0/8", "fd00::/8"])
    }

    @Test("a value that cannot be read stops start-up with the variable named, instead of falling back to the default")
    func malformedValues() {
        for (variable, value) in [
            ("SIMGATE_PORT", "80a"), ("SIMGATE_PORT", "70000"), ("SIMGATE_RADIUS_AUTH_PORT", "-1"), ("SIMGATE_RADIUS_COA_PORT", "x"), ("SIMGATE_RADIUS_COA_PORT", "0"),
            ("SIMGATE_RADIUS_INTERIM_INTERVAL", "5"), ("SIMGATE_RADIUS_INTERIM_INTERVAL", "5m"), ("SIMGATE_RADIUS_CLIENTS", "10.0.0.1"),
            ("SIMGATE_DATABASE", " "), ("SIMGATE_HOST", ""),
            ("SIMGATE_SECRETS_KEY", "c2hvcnQ="), ("SIMGATE_SECRETS_KEY", "not base64!"), ("SIMGATE_WEBHOOKS_ALLOW_NETWORKS", "10.0.0.0/33"),
            ("SIMGATE_WEBHOOKS_ALLOW_NETWORKS", "intranet"), ("SIMGATE_WEBHOOKS_TIMEOUT", "0"), ("SIMGATE_WEBHOOKS_TIMEOUT", "61"),
            ("SIMGATE_RADIUS_ACCOUNTING_COMMIT_DELAY", "21"), ("SIMGATE_RADIUS_ACCOUNTING_COMMIT_DELAY", "-1"), ("SIMGATE_RADIUS_ACCOUNTING_COMMIT_DELAY", "1.5"),
        ] {
            do {
                _ = try AppConfiguration.fromEnvironment([variable: value])
                Issue.record("\(variable)=\(value) was accepted")
            } catch let error as ConfigurationError {
                #expect(error.variable == variable)
                #expect(error.description.contains(variable))
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test("README's settings table lists exactly the settings the server reads, with their flag, variable and default")
    func documentedSettings() throws {
        let readme = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../README.md"), encoding: .utf8)
        let rows = readme.split(separator: "\n").filter { $0.hasPrefix("| `") && $0.contains("`SIMGATE_") }
        let expected = SettingKey.all.map { key in
            "| `\(key.name)` | `\(key.flag)` | `\(key.environmentVariable)` | \(key.type) | `\(key.defaultValue)` | \(key.meaning) |"
        }
        #expect(rows.map(String.init) == expected)
        #expect(AppConfiguration().port == 8_080 && AppConfiguration().radius.interimInterval == 300 && AppConfiguration().host == "127.0.0.1")
    }

    @Test("a database that cannot be SimGate's (in memory, a SQLite URI, another kind of URL) is refused rather than taken for a file", arguments: [
        ":memory:", "file:/tmp/x.sqlite", "mysql://db/simgate", "sqlite::memory:",
    ])
    func unusableDatabases(text: String) throws {
        #expect(throws: ConfigurationError.self) { try AppConfiguration.fromEnvironment(["SIMGATE_DATABASE": text]) }
        #expect(try AppConfiguration.fromEnvironment(["SIMGATE_DATABASE": "/var/lib/simgate/state.sqlite"]).database == .sqlite(path: "/var/lib/simgate/state.sqlite"))
    }

    @Test("a default README's table writes as a word (none, all) may be given as that word")
    func defaultsWrittenOut() throws {
        let configuration = try AppConfiguration.fromEnvironment([
            "SIMGATE_RADIUS_CLIENTS": "none", "SIMGATE_WEBHOOKS_ALLOW_NETWORKS": "none", "SIMGATE_USAGE_RETENTION_MONTHS": "all",
        ])
        #expect(configuration.radius.clients.isEmpty && configuration.webhooks.allowedNetworks.isEmpty && configuration.usageRetentionMonths == nil)
    }

    @Test("flags win over the environment, which wins over the config file; numbers in the file may be JSON numbers")
    func layeredSources() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("simgate-\(UUID().uuidString).json")
        try Data(#"{"port": 9100, "host": "0.0.0.0", "radius": {"auth_port": 11812, "acct_port": 11813, "interim_interval": 600, "clients": "10.0.0.0/8=s3cret"}}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let source = try await SettingsSource(
            flags: ["port": "9200"], environment: ["SIMGATE_PORT": "9300", "SIMGATE_RADIUS_ACCT_PORT": "21813", "PATH": "/bin"]
        ).addingConfigFile(file.path)
        let configuration = try AppConfiguration.load(from: source)
        #expect(configuration.port == 9_200)
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.radius.authenticationPort == 11_812)
        #expect(configuration.radius.accountingPort == 21_813)
        #expect(configuration.radius.interimInterval == 600)
        #expect(configuration.radius.clients.map(\.coaPort) == [3_799])
    }

    @Test("a malformed value in the config file, or a file that is missing or not JSON, stops start-up naming where it came from")
    func malformedConfigFile() async throws {
        let directory = FileManager.default.temporaryDirectory
        let bad = directory.appendingPathComponent("simgate-\(UUID().uuidString).json")
        try Data(#"{"radius": {"auth_port": "eighteen"}}"#.utf8).write(to: bad)
        let notJSON = directory.appendingPathComponent("simgate-\(UUID().uuidString).json")
        try Data("port = 8080".utf8).write(to: notJSON)
        defer {
            try? FileManager.default.removeItem(at: bad)
            try? FileManager.default.removeItem(at: notJSON)
        }
        do {
            _ = try AppConfiguration.load(from: try await SettingsSource(environment: [:]).addingConfigFile(bad.path))
            Issue.record("a port that is not a number was accepted")
        } catch let error as ConfigurationError {
            #expect(error.variable == "radius.auth_port in \(bad.path)")
        }
        for path in [notJSON.path, directory.appendingPathComponent("missing-\(UUID().uuidString).json").path] {
            await #expect(throws: ConfigurationError.self) { try await SettingsSource(environment: [:]).addingConfigFile(path) }
        }
    }

    @Test("a config file key that names no setting, or a value that is not a string or a whole number, stops start-up instead of falling back to the default", arguments: [
        (#"{"prot": 18401}"#, "config file", "'prot' is not one"),
        (#"{"radius": {"intrim_interval": 30}}"#, "config file", "'radius.intrim_interval' is not one"),
        (#"{"databse": "postgres://db/simgate"}"#, "config file", "'databse' is not one"),
        (#"{"radius": {"intrim_interval": "600"}}"#, "config file", "'radius.intrim_interval' is not one"),
        (#"{"radius": "10.0.0.1=s"}"#, "radius in", "an object of settings"),
        (#"{"port": true}"#, "port in", "a string or a whole number"),
        (#"{"port": null}"#, "port in", "a string or a whole number"),
        (#"{"port": 8080.5}"#, "port in", "a string or a whole number"),
        (#"{"radius": 5}"#, "radius in", "an object of settings"),
        (#"{"host": ["a"]}"#, "host in", "a string or a whole number"),
        // A key given twice kept its last value: the first "radius" object's port was lost.
        (#"{"port": 18203, "port": 18204}"#, "config file", "'port' is given twice"),
        (#"{"radius": {"auth_port": 18217}, "radius": {"acct_port": 18218}}"#, "config file", "'radius' is given twice"),
        (#"{"port": 18203,}"#, "config file", "a comma out of place"),
    ])
    func configFileKeysChecked(text: String, variable: String, expected: String) async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("simgate-\(UUID().uuidString).json")
        try Data(text.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            _ = try AppConfiguration.load(from: try await SettingsSource(environment: [:]).addingConfigFile(file.path))
            Issue.record("\(text) was taken")
        } catch let error as ConfigurationError {
            #expect(error.variable.hasPrefix(variable) && error.description.contains(expected), "\(error)")
        }
    }
}
