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
            guard !methods.isEmpty else { throw error }
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

    /// The methods of the routes the router would take for `path`, sorted. Where a segment
    /// matches both a literal and a parameter (`/v1/sims/bulk` and `/v1/sims/{id}`), the
    /// router follows the literal and never falls back to the parameter, so only the routes
    /// most literal, segment by segment from the left, count: counting `/v1/sims/{id}` too,
    /// `GET /v1/sims/bulk` was told it takes GET.
    func methods(forPath path: String) -> [String] {
        let segments = path.split(separator: "/")
        let matching = routes.withLock { routes in
            routes.compactMap { route -> (literal: [Bool], method: String)? in
                guard route.segments.count == segments.count else { return nil }
                var literal: [Bool] = []
                for (pattern, segment) in zip(route.segments, segments) {
                    if pattern.hasPrefix(":") || pattern.hasPrefix("{") {
                        literal.append(false)
                    } else if pattern == segment {
                        literal.append(true)
                    } else {
                        return nil
                    }
                }
                return (literal, route.method)
            }
        }
        guard let best = matching.map(\.literal).max(by: { $0.lexicographicallyPrecedes($1) { !$0 && $1 } }) else { return [] }
        return Array(Set(matching.filter { $0.literal == best }.map(\.method))).sorted()
    }
}
