import Hummingbird
import SimGateCore

/// Per-request state: Hummingbird's core plus who is calling.
public struct SimGateRequestContext: RequestContext {
    /// Hummingbird's own per-request state.
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller; set by ``AuthenticationMiddleware`` on `/v1` routes.
    var principal: Principal?

    /// A new request's context, with no principal yet.
    public init(source: Source) {
        coreContext = .init(source: source)
        principal = nil
    }

    /// Larger than any body SimGate accepts, so that each route's own limit decides.
    public var maxUploadSize: Int { JSONBody.maximumBytes }

    /// The caller, for handlers behind the authentication middleware.
    func requirePrincipal() throws -> Principal {
        guard let principal else {
            throw APIError.authenticationRequired
        }
        return principal
    }
}
