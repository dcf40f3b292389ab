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

    /// The methods of the routes whose pattern matches `path`, sorted.
    func methods(forPath path: String) -> [String] {
        let segments = path.split(separator: "/")
        let methods = routes.withLock { routes in
            routes.filter { route in
                route.segments.count == segments.count && zip(route.segments, segments).allSatisfy { pattern, segment in
                    pattern.hasPrefix(":") || pattern.hasPrefix("{") || pattern == segment
                }
            }.map(\.method)
        }
        return Array(Set(methods)).sorted()
    }
}
