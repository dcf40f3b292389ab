import Foundation
import Hummingbird
import SimGateCore

/// The SIM page and what can be done from it: activate, suspend or unprovision with a reason,
/// top up the bundle; and the live stream that keeps it (and the overview) current. Every
/// action goes through the same services as the API, so it leaves the same events and holds.
struct DashboardSimSection: DashboardSection {
    /// Reads what the page shows.
    let page: DashboardSimPage
    /// Tops up bundles.
    let aofu: AOFUService
    /// Server-Sent Events for live pages.
    let live: DashboardLiveStream
    /// Renders pages.
    let pages: DashboardPages

    /// Registers the SIM page, its forms and the live stream.
    func addRoutes(to routes: DashboardRoutes) {
        routes.page("sims/{id}") { request, signedIn in
            let reference = try Self.reference(signedIn)
            var content = try await page.content(reference, signedIn: signedIn)
            if let notice = DashboardNotice.text(request.firstQueryValues["notice"]) { content["notice"] = notice }
            return pages.page("sim", content, frame: signedIn.frame("SIM \(content["iccid"] ?? "")", current: "sims"))
        }
        routes.form("sims/{id}/activate") { _, signedIn, form in
            try await act(signedIn, form, notice: "activated") { authority, force in .activate(force: force, by: authority) }
        }
        routes.form("sims/{id}/suspend") { _, signedIn, form in
            try await act(signedIn, form, notice: "suspended") { authority, _ in .suspend(by: authority) }
        }
        routes.form("sims/{id}/unprovision") { _, signedIn, form in
            try await act(signedIn, form, notice: "unprovisioned") { _, _ in .unprovision }
        }
        routes.form("sims/{id}/top-up") { _, signedIn, form in
            // A figure that is not a whole number goes through as text, so the API's own check names the field.
            let amount: any Sendable = form.text("amount_mb").map { text in Int(text).map { $0 as any Sendable } ?? text } ?? ""
            let body = try FormBody.json(["amount_mb": amount, "reason": form.text("reason")])
            let topUp = try JSONBody.decode(TopUpRequest.self, from: body)
            let principal = signedIn.principal
            let sim = try await aofu.topUp(try Self.reference(signedIn), bytes: topUp.bytes, visibleAccountID: principal.visibleAccountID, cause: principal.cause(reason: topUp.reason))
            return DashboardNotice.redirect(to: "/sims/\(sim.id)", notice: "topped-up")
        }
        routes.page("live") { request, signedIn in try await live.stream(request, signedIn: signedIn) }
    }

    /// One lifecycle action with the form's reason (checked as the API checks it).
    private func act(
        _ signedIn: SignedIn, _ form: FormBody, notice: String,
        _ command: @Sendable (SimAuthority, Bool) -> SimCommand
    ) async throws -> Response {
        let body = try JSONBody.decode(SimActionRequest.self, from: try FormBody.json([
            "reason": form.text("reason"), "force": form["force"] == "on" ? true : nil,
        ]))
        let principal = signedIn.principal
        let sim = try await page.sims.perform(
            command(principal.authority, body.force), on: try Self.reference(signedIn), visibleAccountID: principal.visibleAccountID,
            cause: principal.cause(reason: body.reason)
        )
        return DashboardNotice.redirect(to: "/sims/\(sim.id)", notice: notice)
    }

    /// The SIM the path names, by id or ICCID.
    private static func reference(_ signedIn: SignedIn) throws -> SimReference {
        try SimReference(parsing: signedIn.parameters.get("id") ?? "")
    }
}

extension FormBody {
    /// `fields` as a JSON body, so a form is decoded (and refused, naming the field) exactly
    /// as the API decodes the same request. Fields without a value are left out.
    static func json(_ fields: [String: (any Sendable)?]) throws -> Data {
        try JSONSerialization.data(withJSONObject: fields.compactMapValues { $0 })
    }
}
