import Foundation
import Hummingbird
import Prometheus
import SimGateCore
import SimGateStore

/// Unauthenticated routes for operations: `/health`, `/metrics`, `/openapi.json`.
struct SystemController: Sendable {
    /// The database check and SIM counts the routes report.
    let status: SystemStatus
    /// The app's metrics, which `/metrics` emits.
    let registry: PrometheusCollectorRegistry

    /// Adds `/health`, `/metrics` and `/openapi.json` at the root, outside authentication.
    func addRoutes(to router: Router<SimGateRequestContext>) {
        router.get("health", use: health)
        router.get("metrics", use: metrics)
        router.get("openapi.json", use: openAPI)
    }

    /// 200 when the database answers, 503 otherwise.
    @Sendable func health(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        do {
            try await status.checkDatabase()
            return try APIResponse(["status": "ok", "database": status.engine.rawValue])
        } catch {
            context.logger.warning("Health check failed", metadata: ["error": "\(error)"])
            return try APIResponse(["status": "unavailable", "database": status.engine.rawValue], status: .serviceUnavailable)
        }
    }

    /// Prometheus text format; SIMs by status are counted at scrape time.
    @Sendable func metrics(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let counts = try await status.simsByStatus()
        for status in SimStatus.allCases {
            registry.makeGauge(descriptor: Self.sims, labels: [("status", status.rawValue)]).set(Int64(counts[status] ?? 0))
        }
        return APIResponse(status: .ok, body: Data(registry.emitToBuffer()), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }

    private static var sims: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "simgate", metricName: "sims", unitName: "", helpText: "SIMs by status, counted when scraped."
        )
    }

    /// `GET /openapi.json`: the API's OpenAPI 3.1 document.
    @Sendable func openAPI(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        APIResponse(status: .ok, body: try OpenAPIDocument.data(), contentType: "application/json")
    }
}

/// The hand-written OpenAPI 3.1 contract, shipped as a resource of this module.
enum OpenAPIDocument {
    /// The bundled `openapi.json`; a 500 if the resource is missing.
    static func data() throws -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else {
            throw APIError.internalError
        }
        return try Data(contentsOf: url)
    }
}
