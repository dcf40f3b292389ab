import Foundation
import HTTPTypes
import Hummingbird
import SimGateCore
import SimGateStore

/// Who is signed in to a dashboard page: the browser's session and the key it acts for.
struct SignedIn: Sendable {
    /// The browser's session (its form token is on every form).
    let session: DashboardSession
    /// The key's account and scope; the same checks as the API apply through it.
    let principal: Principal
    /// The route's named parameters (`{id}`, `{delivery}`), as the router matched them.
    let parameters: Parameters

    /// The id the path names as `name`, or the 404 an unknown `what` gets (an id of another
    /// kind, or none, is as unknown as a missing object).
    func pathID<Kind>(_ name: String, _ what: String) throws -> TypedID<Kind> {
        guard let text = parameters.get(name), let id = TypedID<Kind>(parsing: text) else { throw DomainError.notFound(what) }
        return id
    }

    /// Whether the key only reads: pages then show no forms that change anything.
    var readOnly: Bool { principal.scope == .readOnly }

    /// The layout around a page called `title`, with `current` marked in the navigation.
    func frame(_ title: String, current: String? = nil) -> PageFrame {
        PageFrame(
            title: title, signedIn: (principal.account.name, readOnly, session.csrfToken), current: current,
            isOperator: principal.isOperator
        )
    }
}

/// Registers dashboard pages and forms with the checks every one of them needs, so that no
/// page can forget one: a page needs a session (else the browser is sent to sign in); a form
/// also needs a same-origin post carrying the session's CSRF token, and a key that may write
/// unless the form only reads. A failure the services report (not found, invalid, conflict)
/// becomes a page with the message and the API's status, never a stack of JSON.
struct DashboardRoutes {
    /// Where the routes go.
    let group: RouterGroup<SimGateRequestContext>
    /// Resolves the session cookie.
    let sessions: DashboardSessions
    /// Renders refusals and problems.
    let pages: DashboardPages

    /// A page handler: the request, and who is signed in.
    typealias PageHandler = @Sendable (Request, SignedIn) async throws -> Response
    /// A form handler: the request, who is signed in, and the posted fields.
    typealias FormHandler = @Sendable (Request, SignedIn, FormBody) async throws -> Response

    /// `GET path`, for a signed-in browser.
    func page(_ path: RouterPath, _ handler: @escaping PageHandler) {
        let (sessions, pages) = (sessions, pages)
        group.get(path) { request, context in
            guard let signedIn = try await Self.signedIn(request, parameters: context.parameters, sessions: sessions) else { return DashboardController.redirect(to: "/sign-in") }
            return try await Self.rendered(signedIn, pages: pages) { try await handler(request, signedIn) }
        }
    }

    /// `POST path` from a form of this dashboard. `reads` marks a form that changes nothing
    /// (a dry run), which a read-only key may send.
    func form(_ path: RouterPath, reads: Bool = false, maximumBytes: Int = FormBody.maximumBytes, _ handler: @escaping FormHandler) {
        let (sessions, pages) = (sessions, pages)
        group.post(path) { request, context in
            guard let signedIn = try await Self.signedIn(request, parameters: context.parameters, sessions: sessions) else { return DashboardController.redirect(to: "/sign-in") }
            let form = try await FormBody(request, maximumBytes: maximumBytes)
            guard DashboardController.isSameOrigin(request), let token = form.single("csrf"),
                  ConstantTime.equals(Array(token.utf8), Array(signedIn.session.csrfToken.utf8))
            else { return pages.refusal("That form was not sent from this dashboard; nothing was done.", signedIn: signedIn, status: .forbidden) }
            if signedIn.readOnly && !reads {
                return pages.refusal("This key is read-only; it cannot change anything.", signedIn: signedIn, status: .forbidden)
            }
            return try await Self.rendered(signedIn, pages: pages) { try await handler(request, signedIn, form) }
        }
    }

    /// Who the request's session cookie signs in, if it is a live session.
    static func signedIn(_ request: Request, parameters: Parameters, sessions: DashboardSessions) async throws -> SignedIn? {
        guard let cookie = request.cookies[DashboardSessions.cookieName]?.value, !cookie.isEmpty,
              let (session, principal) = try await sessions.resolve(cookie: cookie)
        else { return nil }
        return SignedIn(session: session, principal: principal, parameters: parameters)
    }

    /// Runs `body`; a service's refusal becomes a page saying why.
    private static func rendered(_ signedIn: SignedIn, pages: DashboardPages, _ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let error as DomainError {
            return pages.problem(APIError(error), signedIn: signedIn)
        } catch let error as APIError {
            return pages.problem(error, signedIn: signedIn)
        }
    }
}

extension DashboardPages {
    /// A page that says a request was refused, and why.
    func refusal(_ message: String, signedIn: SignedIn?, status: HTTPResponse.Status) -> Response {
        let frame = signedIn?.frame("Refused") ?? PageFrame(title: "Refused")
        return page("problem", ["heading": "Refused", "message": message], frame: frame, status: status)
    }

    /// A page for a problem a service reported, with the API's status and code.
    func problem(_ error: APIError, signedIn: SignedIn) -> Response {
        let heading = error.status == .notFound ? "Not found" : error.status.reasonPhrase
        var content: [String: Any] = ["heading": heading, "message": error.message, "code": error.code]
        if let param = error.param { content["param"] = param }
        return page("problem", content, frame: signedIn.frame(heading), status: error.status)
    }
}
