import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The dashboard's templates (Mustache, HTML-escaped by default) and its style sheet, read
/// once from the package's resources, and the way a page is answered: its body inside the
/// layout, as `text/html`.
struct DashboardPages: Sendable {
    /// Every template, by file name without `.mustache`.
    let library: MustacheLibrary
    /// The style sheet's bytes.
    let styleSheet: ByteBuffer
    /// The script's bytes.
    let script: ByteBuffer

    /// Reads the templates and the style sheet from the resources.
    init() throws {
        guard let directory = Bundle.module.url(forResource: "dashboard", withExtension: nil) else {
            throw DashboardResourceMissing(name: "dashboard")
        }
        var library = MustacheLibrary()
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".mustache") }
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            try library.register(text, named: String(file.dropLast(".mustache".count)))
        }
        self.library = library
        styleSheet = ByteBuffer(bytes: try Data(contentsOf: directory.appendingPathComponent("dashboard.css")))
        script = ByteBuffer(bytes: try Data(contentsOf: directory.appendingPathComponent("dashboard.js")))
    }

    /// `template` rendered with `content`, inside the layout with `frame`, as an HTML response.
    func page(_ template: String, _ content: [String: Any], frame: PageFrame, status: HTTPResponse.Status = .ok) -> Response {
        let body = library.render(content, withTemplate: template) ?? ""
        var layout = frame.values
        layout["body"] = body
        let html = library.render(layout, withTemplate: "layout") ?? ""
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

/// What the layout shows around a page: its title and, once signed in, the account and the
/// sign-out form's token.
struct PageFrame {
    /// The page's title.
    let title: String
    /// The signed-in session, if any: account name, read-only or not, form token.
    var signedIn: (accountName: String, readOnly: Bool, csrf: String)?
    /// Which navigation entry is the current page.
    var current: String?
    /// Whether the operator is signed in: its pages show in the navigation.
    var isOperator = false

    /// The layout's values.
    var values: [String: Any] {
        var values: [String: Any] = ["title": title]
        if let signedIn {
            values["signedIn"] = true
            values["accountName"] = signedIn.accountName
            values["readOnly"] = signedIn.readOnly
            values["csrf"] = signedIn.csrf
        }
        if isOperator { values["isOperator"] = true }
        if let current { values["nav_" + current] = true }
        return values
    }
}

/// A dashboard resource is missing from the build: the package was built without it.
struct DashboardResourceMissing: Error {
    /// The resource's name.
    let name: String
}
