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
}
