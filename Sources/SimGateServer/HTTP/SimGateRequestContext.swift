import Hummingbird
import SimGateCore
import SimGateStore

/// Per-request state: Hummingbird's core plus who is calling.
public struct SimGateRequestContext: RequestContext {
    /// Hummingbird's own per-request state.
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller; set by ``AuthenticationMiddleware`` on `/v1` routes.
    var principal: Principal?
    /// The OAuth client whose token authenticated a Cellhire-compatible request.
    var client: APIClient?
    /// The dashboard session a page request came with, once signed in.
    var dashboardSession: DashboardSession?

    /// A new request's context, with no caller yet.
    public init(source: Source) {
        coreContext = .init(source: source)
        principal = nil
        client = nil
        dashboardSession = nil
    }

    /// Larger than any body SimGate accepts, so that each route's own limit decides.
    public var maxUploadSize: Int { JSONBody.maximumBytes }

    /// The account the caller acts for, by API key or OAuth token.
    func requireCallerAccount() throws -> AccountID {
        if let principal { return principal.account.id }
        if let client { return client.accountID }
        throw APIError.authenticationRequired
    }

    /// The caller, for handlers behind the authentication middleware.
    func requirePrincipal() throws -> Principal {
        guard let principal else {
            throw APIError.authenticationRequired
        }
        return principal
    }
}
