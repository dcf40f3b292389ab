import HTTPTypes
import Hummingbird
import Synchronization

/// Turns the router's "no route" into 405 with `Allow` when the path exists with other
/// methods (RFC 9110 section 15.5.6), so a client learns it used the wrong method rather
/// than a wrong address.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The router's routes, to find which methods a path takes.
    let table: RouteTable

    /// Passes the request on; a 404 for a path that takes other methods becomes a 405.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let methods = table.methods(forPath: request.uri.path)
            // Not a question of method when the path takes this one (a handler's own 404).
            guard !methods.isEmpty, !methods.contains(request.method.rawValue) else { throw error }
            var problem = APIError(
                status: .methodNotAllowed, code: "method_not_allowed",
                message: "\(request.uri.path) takes \(methods.joined(separator: ", ")), not \(request.method.rawValue)."
            )
            problem.headers[.allow] = methods.joined(separator: ", ")
            throw problem
        }
    }
}

/// Which methods each route path takes, read from the router once every route is added.
final class RouteTable: Sendable {
    private let routes = Mutex<[(segments: [Substring], method: String)]>([])

    /// Takes the router's routes (call after the last one is added).
    func load(_ routes: [(path: String, method: String)]) {
        self.routes.withLock { $0 = routes.map { ($0.path.split(separator: "/"), $0.method) } }
    }

    /// The methods of the routes the router would take for `path`, sorted. The router walks
    /// the path a segment at a time and, where a literal and a parameter both match
    /// (`/v1/sims/bulk` and `/v1/sims/{id}`), follows the literal and never falls back to the
    /// parameter. Counting every pattern that matched, `GET /v1/sims/bulk` was told it takes
    /// GET, and `POST /v1/sims/import/activate` that it takes POST.
    func methods(forPath path: String) -> [String] {
        let segments = path.split(separator: "/")
        return routes.withLock { routes in
            var candidates = routes
            for (depth, segment) in segments.enumerated() {
                let deeper = candidates.filter { $0.segments.count > depth }
                let literal = deeper.filter { $0.segments[depth] == segment }
                candidates = literal.isEmpty ? deeper.filter { Self.isParameter($0.segments[depth]) } : literal
            }
            var methods = Set(candidates.filter { $0.segments.count == segments.count }.map(\.method))
            // The router answers HEAD wherever it answers GET (`autoGenerateHeadEndpoints`).
            if methods.contains("GET") { methods.insert("HEAD") }
            return methods.sorted()
        }
    }

    private static func isParameter(_ segment: Substring) -> Bool {
        segment.hasPrefix(":") || segment.hasPrefix("{")
    }
}
