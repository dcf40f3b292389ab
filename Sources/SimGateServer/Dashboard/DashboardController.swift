import Foundation
import HTTPTypes
import Hummingbird
import SimGateCore
import SimGateStore

/// The web dashboard's pages: sign-in and sign-out with an API key, and the overview. Pages
/// are server-rendered HTML; every form carries the session's CSRF token, and a page asked
/// for without a session sends the browser to sign in.
struct DashboardController: Sendable {
    /// Sessions of signed-in browsers.
    let sessions: DashboardSessions
    /// Templates and the style sheet.
    let pages: DashboardPages
    /// Reads what the overview shows.
    let overview: DashboardOverview
    /// Finds SIMs for the list page.
    let simList: DashboardSimList

    /// The other pages, each feature's own.
    let sections: [any DashboardSection]

    /// Registers the pages at the root, with the dashboard's security headers.
    func addRoutes(to router: Router<SimGateRequestContext>) {
        let group = router.group().add(middleware: DashboardSecurityHeaders())
        group.get("dashboard.css", use: styleSheet)
        group.get("dashboard.js", use: script)
        group.get("sign-in", use: signInForm)
        group.post("sign-in", use: signIn)
        let routes = DashboardRoutes(group: group, sessions: sessions, pages: pages)
        routes.form("sign-out", reads: true, signOut)
        routes.page("/", home)
        routes.page("sims", simsPage)
        routes.form("sims/bulk") { _, signedIn, form in try await simList.bulk(signedIn: signedIn, form: form) }
        for section in sections { section.addRoutes(to: routes) }
    }

    /// `GET /sims`: find SIMs by identifier, status, label, country and tariff.
    @Sendable func simsPage(_ request: Request, signedIn: SignedIn) async throws -> Response {
        let content = try await simList.content(for: signedIn, parameters: request.firstQueryValues)
        return pages.page("sims", content, frame: signedIn.frame("SIMs", current: "sims"))
    }

    /// `GET /dashboard.css`.
    @Sendable func styleSheet(_ request: Request, context: SimGateRequestContext) async throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/css; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: pages.styleSheet))
    }

    /// `GET /dashboard.js`: the little script that keeps pages live and reads a chosen file into a form.
    @Sendable func script(_ request: Request, context: SimGateRequestContext) async throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/javascript; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: pages.script))
    }

    /// `GET /sign-in`: the form, or the overview for a browser already signed in.
    @Sendable func signInForm(_ request: Request, context: SimGateRequestContext) async throws -> Response {
        if try await DashboardRoutes.signedIn(request, parameters: Parameters(), sessions: sessions) != nil { return Self.redirect(to: "/") }
        return pages.page("sign-in", [:], frame: PageFrame(title: "Sign in"))
    }

    /// `POST /sign-in` with `key`: a session cookie and the overview, or the form again.
    @Sendable func signIn(_ request: Request, context: SimGateRequestContext) async throws -> Response {
        guard Self.isSameOrigin(request) else { return forbidden() }
        let form = try await FormBody(request)
        guard let key = form["key"], let (cookie, _) = try await sessions.signIn(with: key) else {
            return pages.page("sign-in", ["error": "That key is not valid, or has been revoked."], frame: PageFrame(title: "Sign in"), status: .unauthorized)
        }
        var response = Self.redirect(to: "/")
        response.setCookie(Cookie(
            name: DashboardSessions.cookieName, value: cookie, maxAge: Int(DashboardSessions.lifetime), path: "/",
            secure: Self.isBehindTLS(request), httpOnly: true, sameSite: .strict
        ))
        return response
    }

    /// `POST /sign-out` (its token checked like every form's): ends the session.
    @Sendable func signOut(_ request: Request, signedIn: SignedIn, form: FormBody) async throws -> Response {
        try await sessions.signOut(signedIn)
        var response = Self.redirect(to: "/sign-in")
        response.setCookie(Cookie(
            name: DashboardSessions.cookieName, value: "", maxAge: 0, path: "/", secure: Self.isBehindTLS(request), httpOnly: true, sameSite: .strict
        ))
        return response
    }

    /// `GET /`: the overview.
    @Sendable func home(_ request: Request, signedIn: SignedIn) async throws -> Response {
        let content = try await overview.content(for: signedIn)
        return pages.page("overview", content, frame: signedIn.frame("Overview", current: "overview"))
    }

    private func forbidden() -> Response {
        pages.page("sign-in", ["error": "That form was not sent from this dashboard; nothing was done."], frame: PageFrame(title: "Refused"), status: .forbidden)
    }

    /// A 303 to `path`.
    static func redirect(to path: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = path
        return Response(status: .seeOther, headers: headers)
    }

    /// Whether a form post comes from this origin: browsers send `Origin` (and
    /// `Sec-Fetch-Site`) with posts; a request with neither is not a cross-site browser post.
    static func isSameOrigin(_ request: Request) -> Bool {
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], site != "same-origin", site != "none" { return false }
        guard let origin = request.headers[HTTPField.Name("Origin")!] else { return true }
        guard let authority = request.head.authority, let url = URL(string: origin), let scheme = url.scheme?.lowercased(),
              let originHost = url.host?.lowercased(), let defaultPort = ["http": 80, "https": 443][scheme],
              let (host, port) = hostAndPort(authority)
        else { return false }
        // Over TLS (as a proxy says), only an https page is this origin. Otherwise the scheme
        // cannot be told (a proxy that ends TLS without saying so): either will do, as no page
        // of the other scheme can be served from this one's host and port.
        if isBehindTLS(request), scheme != "https" { return false }
        // Ports compare with the Origin's scheme's default filled in on both sides: with the
        // host alone compared, a page on another port of the same host (`:8081`) was taken
        // for this one whenever Host named no port, as it does behind a proxy on 80 or 443.
        let unbracketed = { (text: String) in text.trimmingCharacters(in: CharacterSet(charactersIn: "[]")) }
        return unbracketed(originHost) == unbracketed(host) && (url.port ?? defaultPort) == (port ?? defaultPort)
    }

    /// `authority` (a Host header) as its lower-cased host and its port
    /// if it names one; nil if the port is not a number.
    private static func hostAndPort(_ authority: String) -> (host: String, port: Int?)? {
        let lowered = authority.lowercased()
        guard let colon = lowered.lastIndex(of: ":"), !lowered[colon...].contains("]") else { return (lowered, nil) }
        guard let port = Int(lowered[lowered.index(after: colon)...]), (0...65_535).contains(port) else { return nil }
        return (String(lowered[..<colon]), port)
    }

    /// Whether the browser reached SimGate over TLS (through a proxy that says so): the cookie is then `Secure`.
    /// A chain of proxies lists a scheme each (`https, http`), the browser's first: read whole,
    /// such a list was no `https`, and the cookie went out without `Secure`.
    static func isBehindTLS(_ request: Request) -> Bool {
        let forwarded = request.headers[HTTPField.Name("X-Forwarded-Proto")!]?
            .split(separator: ",").first?.trimmingCharacters(in: .whitespaces).lowercased()
        return forwarded == "https" || request.head.scheme == "https"
    }
}
