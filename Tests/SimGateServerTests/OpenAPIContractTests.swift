import Foundation
import SimGateCore
import SimGateServer
import SimGateStore
import SimGateTestSupport
import Testing

@Suite("OpenAPI contract")
struct OpenAPIContractTests {
    /// Every `METHOD /path` the router serves, written the OpenAPI way (`{id}`).
    static func routerRoutes() throws -> Set<String> {
        let database = try SimGateDatabase(.sqlite(path: "/dev/null"), logger: TestDatabase.logger)
        let router = buildRouter(AppDependencies(database: database, logger: TestDatabase.logger))
        // The dashboard's pages are HTML for browsers, not API: the document leaves them out.
        // The API is everything under these roots; the dashboard has the rest.
        let apiRoots: Set<String> = ["v1", "api", "webhooks", "connect", "health", "metrics", "openapi.json"]
        return Set(router.routes.filter { apiRoots.contains($0.path.description.split(separator: "/").first.map(String.init) ?? "") }.map { route in
            let path = route.path.description.split(separator: "/").map { segment in
                segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
            }
            return "\(route.method.rawValue) /" + path.joined(separator: "/")
        })
    }

    @Test("the document served at /openapi.json names exactly the routes the router serves")
    func documentMatchesRouter() async throws {
        try await TestHarness.run(.sqlite) { app in
            let reply = try await app.request(.get, "/openapi.json", key: nil)
            #expect(reply.status == 200)
            #expect(reply["openapi"] == "3.1.0")
            let paths = try #require(reply.json["paths"] as? [String: [String: Any]])
            let methods: Set<String> = ["get", "post", "put", "patch", "delete", "head", "options"]
            let documented = Set(paths.flatMap { path, operations in
                operations.keys.filter(methods.contains).map { "\($0.uppercased()) \(path)" }
            })
            let served = try Self.routerRoutes()
            #expect(served.subtracting(documented).isEmpty, "served but not documented: \(served.subtracting(documented).sorted())")
            #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
            #expect(served.count > 20)
        }
    }

    @Test("every documented operation has an id and a response, and every API error it names is a Problem")
    func operationsAreComplete() async throws {
        try await TestHarness.run(.sqlite) { app in
            let reply = try await app.request(.get, "/openapi.json", key: nil)
            let paths = try #require(reply.json["paths"] as? [String: [String: Any]])
            let sharedResponses = ((reply.json["components"] as? [String: Any])?["responses"] as? [String: Any]) ?? [:]
            var operationIDs: [String] = []
            for (path, operations) in paths {
                for (method, value) in operations {
                    guard let operation = value as? [String: Any], let responses = operation["responses"] as? [String: Any] else { continue }
                    operationIDs.append(try #require(operation["operationId"] as? String, "\(method) \(path) has no operationId"))
                    #expect(!responses.isEmpty, "\(method) \(path) documents no response")
                    // /health answers 503 with its own health document, by design.
                    for (status, value) in responses where (Int(status) ?? 0) >= 400 && path.hasPrefix("/v1") {
                        var response = value
                        if let reference = (value as? [String: Any])?["$ref"] as? String {
                            response = try #require(sharedResponses[String(reference.split(separator: "/").last ?? "")], "\(reference) is missing")
                        }
                        let text = String(decoding: try JSONSerialization.data(withJSONObject: response), as: UTF8.self)
                        #expect(text.contains("Problem") || text.contains("problem+json"), "\(method) \(path) \(status) is not a Problem")
                    }
                }
            }
            #expect(Set(operationIDs).count == operationIDs.count)
        }
    }

    @Test("every query parameter an operation documents is one its route takes")
    func documentedQueryParametersAreTaken() async throws {
        try await TestHarness.run(.sqlite) { app in
            let sim = try #require(try await app.importSims(0..<1).first)
            let endpoint = try #require(try await app.request(.post, "/v1/webhook_endpoints", key: app.operatorKey, json: [
                "url": "http://127.0.0.1:9/hook", "event_types": ["*"], "account": app.fleetAccount,
            ])["id"] as? String)
            let document = try await app.request(.get, "/openapi.json", key: nil).json
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let shared = try #require((document["components"] as? [String: Any])?["parameters"] as? [String: [String: Any]])
            var asked = 0
            for (template, operations) in paths.sorted(by: { $0.key < $1.key }) where template.hasPrefix("/v1/") {
                guard let operation = operations["get"] as? [String: Any] else { continue }
                let path = template.replacingOccurrences(of: "/v1/sims/{id}", with: "/v1/sims/\(sim)")
                    .replacingOccurrences(of: "/v1/webhook_endpoints/{id}", with: "/v1/webhook_endpoints/\(endpoint)")
                let parameters = try ((operation["parameters"] as? [[String: Any]]) ?? []).map { parameter in
                    guard let reference = parameter["$ref"] as? String else { return parameter }
                    return try #require(shared[String(reference.split(separator: "/").last ?? "")], "\(reference) is missing")
                }
                for parameter in parameters where parameter["in"] as? String == "query" {
                    let name = try #require(parameter["name"] as? String)
                    let encoded = name.replacingOccurrences(of: "[", with: "%5B").replacingOccurrences(of: "]", with: "%5D")
                    // Any value: a parameter the route does not take is refused by its name
                    // before any value is looked at.
                    let reply = try await app.request(.get, "\(path)?\(encoded)=1", key: app.operatorKey)
                    #expect(reply.code != "unknown_parameter", "GET \(template) documents '\(name)' but refuses it: \(reply.text)")
                    #expect(reply.status < 500, "GET \(template)?\(name)=1: \(reply.text)")
                    asked += 1
                }
            }
            #expect(asked > 50)
        }
    }
}
