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

    @Test("SIMGATE_RADIUS_CLIENTS lists address=secret pairs; a malformed entry is an error, not skipped")
    func radiusClients() throws {
        let clients = try RADIUSSettings.clients(parsing: "127.0.0.1=s3cret, 10.20.0.0/16=other")
        #expect(clients.map(\.address) == ["127.0.0.1", "10.20.0.0/16"])
        for broken in ["127.0.0.1=s3cret,broken", "=nosecret", "10.0.0.1=", "10.0.0.0/40=x", "pgw.example=x", "300.1.1.1=x"] {
            #expect(throws: RADIUSSettings.ClientEntryError.self, "\(broken)") { try RADIUSSettings.clients(parsing: broken) }
        }
        #expect(clients.first?.secret == Array("s3cret".utf8))
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

    @Test("RADIUS gateways take Disconnect-Requests on 3799 unless SIMGATE_RADIUS_COA_PORT says otherwise; the interim interval is bounded")
    func radiusEnvironment() throws {
        let defaults = try AppConfiguration.fromEnvironment(["SIMGATE_RADIUS_CLIENTS": "10.0.0.0/8=s3cret"])
        #expect(defaults.radius.clients.map(\.coaPort) == [3_799])
        let custom = try AppConfiguration.fromEnvironment([
            "SIMGATE_RADIUS_CLIENTS": "10.0.0.0/8=s3cret,127.0.0.1=other", "SIMGATE_RADIUS_COA_PORT": "1700",
            "SIMGATE_RADIUS_INTERIM_INTERVAL": "600",
        ])
        #expect(custom.radius.clients.map(\.coaPort) == [1_700, 1_700])
        #expect(custom.radius.interimInterval == 600)
    }

    @Test("a value that cannot be read stops start-up with the variable named, instead of falling back to the default")
    func malformedValues() {
        for (variable, value) in [
            ("SIMGATE_PORT", "80a"), ("SIMGATE_PORT", "70000"), ("SIMGATE_RADIUS_AUTH_PORT", "-1"), ("SIMGATE_RADIUS_COA_PORT", "x"),
            ("SIMGATE_RADIUS_INTERIM_INTERVAL", "5"), ("SIMGATE_RADIUS_INTERIM_INTERVAL", "5m"), ("SIMGATE_RADIUS_CLIENTS", "10.0.0.1"),
            ("SIMGATE_DATABASE", " "), ("SIMGATE_HOST", ""),
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
}
