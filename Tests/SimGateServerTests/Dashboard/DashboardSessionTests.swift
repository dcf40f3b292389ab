import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
@testable import SimGateServer
import SimGateTestSupport
import Testing

/// A browser's requests as the dashboard sees them: form posts and the session cookie.
extension TestHarness {
    /// Sends a request as a browser would, with `cookie` and a form body (`rawForm` when a field repeats).
    func browser(
        _ method: HTTPRequest.Method, _ path: String, cookie: String? = nil, form: [String: String]? = nil, rawForm: String? = nil,
        headers extra: [String: String] = [:]
    ) async throws -> TestReply {
        var headers = HTTPFields()
        if let cookie { headers[.cookie] = "simgate_session=\(cookie)" }
        var body: ByteBuffer?
        if let form {
            let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
            body = ByteBuffer(string: form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&"))
            headers[.contentType] = "application/x-www-form-urlencoded"
        } else if let rawForm {
            body = ByteBuffer(string: rawForm)
            headers[.contentType] = "application/x-www-form-urlencoded"
        }
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        let response = try await client.executeRequest(uri: path, method: method, headers: headers, body: body)
        return TestReply(status: Int(response.status.code), headers: response.headers, body: Data(buffer: response.body))
    }

    /// Signs in with `key`; returns the session cookie's value.
    func signIn(key: String) async throws -> String {
        let reply = try await browser(.post, "/sign-in", form: ["key": key])
        try #require(reply.status == 303, "\(reply.text)")
        let setCookie = try #require(reply.headers[.setCookie])
        return try #require(setCookie.split(separator: ";").first?.split(separator: "=", maxSplits: 1).last.map(String.init))
    }
}

extension TestReply {
    /// The value of the page's hidden `csrf` field.
    var csrf: String? {
        guard let range = text.range(of: #"name="csrf" value=""#) else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }
}

@Suite("Dashboard sessions")
struct DashboardSessionTests {
    @Test("an API key signs a browser in with an HttpOnly, SameSite=Strict cookie; the overview shows only the account's own; signing out needs the form's token", arguments: TestEngine.available)
    func signInAndOut(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes <b>Ltd</b>")
            let (other, _) = try await app.makeCustomer("Scooters")
            let sims = try await app.importSims(0..<3, account: account)
            try await app.importSims(3..<4, account: other)
            _ = try await app.request(.post, "/v1/sims/\(sims[0])/activate", key: key, json: ["reason": "first ride"])

            let anonymous = try await app.browser(.get, "/")
            #expect(anonymous.status == 303 && anonymous.headers[.location] == "/sign-in")
            let form = try await app.browser(.get, "/sign-in")
            #expect(form.status == 200 && form.contentType == "text/html; charset=utf-8" && form.text.contains(#"<label for="key">API key</label>"#))
            #expect(form.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("default-src 'none'") == true)
            #expect(form.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")

            let wrong = try await app.browser(.post, "/sign-in", form: ["key": key + "x"])
            #expect(wrong.status == 401 && wrong.headers[.setCookie] == nil && wrong.text.contains("not valid"))
            let signedIn = try await app.browser(.post, "/sign-in", form: ["key": key])
            #expect(signedIn.status == 303 && signedIn.headers[.location] == "/")
            let setCookie = try #require(signedIn.headers[.setCookie])
            for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] { #expect(setCookie.contains(attribute), "\(setCookie)") }
            #expect(!setCookie.contains("Secure"))
            let behindTLS = try await app.browser(.post, "/sign-in", form: ["key": key], headers: ["X-Forwarded-Proto": "https"])
            #expect(behindTLS.headers[.setCookie]?.contains("Secure") == true)
            // Two proxies list two schemes, the browser's first: read whole, no Secure.
            let chained = try await app.browser(.post, "/sign-in", form: ["key": key], headers: ["X-Forwarded-Proto": "https, http"])
            #expect(chained.headers[.setCookie]?.contains("Secure") == true)
            let cookie = try await app.signIn(key: key)
            let stored = try await app.database.sqlRead { try await $0.raw("SELECT token_hash FROM dashboard_sessions").all().map { try $0.decode(column: "token_hash", as: String.self) } }
            #expect(!stored.isEmpty && !stored.contains(cookie), "only the cookie's hash is kept")

            let overview = try await app.browser(.get, "/", cookie: cookie)
            #expect(overview.status == 200, "\(overview.text)")
            #expect(overview.text.contains("E-Bikes &lt;b&gt;Ltd&lt;/b&gt;") && !overview.text.contains("<b>Ltd</b>"), "names are escaped")
            #expect(overview.text.contains("first ride"))
            #expect(!overview.text.contains("Scooters") && !overview.text.contains(Fixtures.iccid(3)))
            #expect(overview.headers[.cacheControl] == "no-store")
            let csrf = try #require(overview.csrf)

            let noToken = try await app.browser(.post, "/sign-out", cookie: cookie, form: [:])
            #expect(noToken.status == 403)
            let crossSite = try await app.browser(.post, "/sign-out", cookie: cookie, form: ["csrf": csrf], headers: ["Origin": "https://evil.example"])
            #expect(crossSite.status == 403)
            // A token given twice, the right one first, or a body a cross-site page can post
            // without asking (text/plain): both were read as a form and signed the browser out.
            let twice = try await app.browser(.post, "/sign-out", cookie: cookie, rawForm: "csrf=\(csrf)&csrf=other")
            #expect(twice.status == 403)
            let plain = try await app.browser(.post, "/sign-out", cookie: cookie, rawForm: "csrf=\(csrf)", headers: ["Content-Type": "text/plain"])
            #expect(plain.status == 403)
            #expect(try await app.browser(.get, "/", cookie: cookie).status == 200, "refused forms end nothing")
            let out = try await app.browser(.post, "/sign-out", cookie: cookie, form: ["csrf": csrf])
            #expect(out.status == 303 && out.headers[.location] == "/sign-in" && out.headers[.setCookie]?.contains("Max-Age=0") == true)
            #expect(try await app.browser(.get, "/", cookie: cookie).status == 303)
        }
    }

    @Test("errors a browser can meet carry the pages' security headers: a form too large, a page asked for with the wrong method")
    func errorsCarrySecurityHeaders() async throws {
        try await TestHarness.run(.sqlite) { app in
            let (_, key) = try await app.makeCustomer("E-Bikes")
            let cookie = try await app.signIn(key: key)
            let tooLarge = try await app.browser(.post, "/sims/bulk", cookie: cookie, rawForm: "sim=" + String(repeating: "8", count: FormBody.maximumBytes + 1))
            let wrongMethod = try await app.browser(.get, "/sign-out", cookie: cookie)
            let noPage = try await app.browser(.get, "/no-such-page", cookie: cookie)
            for (reply, status) in [(tooLarge, 413), (wrongMethod, 405), (noPage, 404)] {
                #expect(reply.status == status, "\(reply.text)")
                #expect(reply.headers[HTTPField.Name("Content-Security-Policy")!] == DashboardSecurityHeaders.contentSecurityPolicy, "\(status)")
                #expect(reply.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff" && reply.headers[.cacheControl] == "no-store", "\(status)")
            }
        }
    }

    /// Behind a proxy on 80 or 443 the Host header names no port, and then only the hosts were
    /// compared: a page on another port of the same host (`http://example.com:8081`) could sign
    /// a browser in with the attacker's key.
    @Test("a form's Origin must be this host on this port, and https behind TLS", arguments: [
        ("example.com", "http://example.com", nil, true), ("example.com", "http://example.com:80", nil, true),
        ("example.com", "https://example.com", "https", true), ("Example.COM", "http://example.com", nil, true),
        ("example.com", "http://example.com:8081", nil, false), ("example.com", "https://example.com:8443", nil, false),
        ("example.com", "http://example.com", "https", false), ("example.com", "http://example.org", nil, false),
        ("example.com", "http://example.com", "https, http", false),
        ("127.0.0.1:18640", "http://127.0.0.1:18640", nil, true), ("127.0.0.1:18640", "http://127.0.0.1:9999", nil, false),
        ("127.0.0.1", "http://127.0.0.1:9999", nil, false), ("[::1]:8080", "http://[::1]:8080", nil, true),
        ("example.com:x", "http://example.com", nil, false), ("example.com", "null", nil, false),
    ] as [(String, String, String?, Bool)])
    func sameOrigin(host: String, origin: String, forwardedProto: String?, accepted: Bool) {
        var fields = HTTPFields()
        fields[HTTPField.Name("Origin")!] = origin
        if let forwardedProto { fields[HTTPField.Name("X-Forwarded-Proto")!] = forwardedProto }
        let head = HTTPRequest(method: .post, scheme: "http", authority: host, path: "/sign-in", headerFields: fields)
        let request = Request(head: head, body: RequestBody(buffer: ByteBuffer()))
        #expect(DashboardController.isSameOrigin(request) == accepted)
    }

    @Test("a session ends with its key's revocation and after twelve hours; a read-only key says so", arguments: [TestEngine.sqlite])
    func sessionLifetime(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (_, key) = try await app.makeCustomer("E-Bikes")
            let second = try await app.request(.post, "/v1/api_keys", key: key, json: ["name": "desk", "scope": "read_only"])
            let (readOnly, readOnlyID) = (try #require(second["secret"]), try #require(second["id"]))
            let cookie = try await app.signIn(key: readOnly)
            #expect(try await app.browser(.get, "/", cookie: cookie).text.contains("(read-only)"))
            #expect(try await app.request(.delete, "/v1/api_keys/\(readOnlyID)", key: key).status == 200)
            #expect(try await app.browser(.get, "/", cookie: cookie).status == 303, "a revoked key's session stops")

            let later = try await app.signIn(key: key)
            app.clock.advance(by: 12 * 3_600 - 1)
            #expect(try await app.browser(.get, "/", cookie: later).status == 200)
            app.clock.advance(by: 1)
            #expect(try await app.browser(.get, "/", cookie: later).status == 303)
        }
    }
}
