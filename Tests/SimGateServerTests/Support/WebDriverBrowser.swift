import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

/// Debian's Chromium, driven headless through `chromedriver` over the W3C WebDriver protocol
/// (plain HTTP and JSON). Each browser test starts its own driver on a port the driver picks.
final class WebDriverBrowser: Sendable {
    /// Where Debian's packages put them.
    static let chromium = "/usr/bin/chromium", driver = "/usr/bin/chromedriver"
    /// Where screenshots go: the test run's artifacts.
    static let artifacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../.build/test-artifacts/screenshots")

    private let process: Process
    private let http: HTTPClient
    private let base: String
    private let session: String

    /// Whether this machine can run browser tests; under `CI=true` it must.
    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: chromium) && FileManager.default.isExecutableFile(atPath: driver)
    }

    private init(process: Process, http: HTTPClient, base: String, session: String) {
        self.process = process
        self.http = http
        self.base = base
        self.session = session
    }

    /// Starts a driver and a headless browser, runs `body`, then closes both.
    static func with(_ body: (WebDriverBrowser) async throws -> Void) async throws {
        let (process, port) = try await launchDriver()
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let base = "http://127.0.0.1:\(port)"
            let created = try await request(http, .POST, base + "/session", [
                "capabilities": ["alwaysMatch": [
                    "browserName": "chrome", "pageLoadStrategy": "normal",
                    // Finding an element waits (up to five seconds) until the page has it: after a
                    // click that navigates, the test asks for something only the next page has.
                    "timeouts": ["implicit": 5_000, "pageLoad": 30_000, "script": 5_000],
                    "goog:chromeOptions": ["binary": chromium, "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"]],
                ]],
            ])
            let session = try #require((created["value"] as? [String: Any])?["sessionId"] as? String, "no session: \(created)")
            let browser = WebDriverBrowser(process: process, http: http, base: base, session: session)
            do {
                try await body(browser)
            } catch {
                await browser.close()
                throw error
            }
            await browser.close()
        } catch {
            kill(process.processIdentifier, SIGKILL)
            try? await http.shutdown()
            throw error
        }
    }

    private func close() async {
        _ = try? await Self.request(http, .DELETE, base + "/session/\(session)", nil)
        // SIGKILL: a driver started from the test process may ignore SIGTERM (it inherits the
        // signal mask), and must never outlive the test.
        kill(process.processIdentifier, SIGKILL)
        try? await http.shutdown()
    }

    /// Opens `url` and waits for it to load.
    func go(_ url: String) async throws { _ = try await command(.POST, "url", ["url": url]) }

    /// The address now shown.
    func currentURL() async throws -> String { try await command(.GET, "url", nil) as? String ?? "" }

    /// The element matching the CSS `selector`.
    func element(_ selector: String) async throws -> String {
        let found = try await command(.POST, "element", ["using": "css selector", "value": selector]) as? [String: Any]
        return try #require(found?.values.first as? String, "no element \(selector)")
    }

    /// Types `text` into the element matching `selector`.
    func type(_ selector: String, _ text: String) async throws {
        _ = try await onElement(selector) { try await command(.POST, "element/\($0)/value", ["text": text]) }
    }

    /// Clicks the element matching `selector`. A click that submits may return before the next
    /// page has loaded: ask next for something only that page has.
    func click(_ selector: String) async throws {
        _ = try await onElement(selector) { try await command(.POST, "element/\($0)/click", [:]) }
    }

    /// Runs `action` on the element matching `selector`, finding it again if the page replaced
    /// it in between (the live pages re-render as events arrive), at most five times.
    private func onElement(_ selector: String, _ action: (String) async throws -> Any?) async throws -> Any? {
        var attempt = 0
        while true {
            do {
                return try await action(try await element(selector))
            } catch let error as WebDriverError where error.description.hasPrefix("stale element reference") && attempt < 4 {
                attempt += 1
            }
        }
    }

    /// Sizes the window (and so the screenshots) to `width` by `height` pixels.
    func resize(width: Int, height: Int) async throws {
        _ = try await command(.POST, "window/rect", ["width": width, "height": height])
    }

    /// Runs `script` in the page (as a user could from the browser's console) and returns its result.
    @discardableResult
    func execute(_ script: String) async throws -> Any? {
        try await command(.POST, "execute/sync", ["script": script, "args": [] as [Any]])
    }

    /// The visible text of the element matching `selector`.
    func text(_ selector: String) async throws -> String {
        try await onElement(selector) { try await command(.GET, "element/\($0)/text", nil) } as? String ?? ""
    }

    /// Saves a PNG of the page as `<name>.png` among the run's artifacts.
    func screenshot(_ name: String) async throws {
        let encoded = try #require(try await command(.GET, "screenshot", nil) as? String)
        try FileManager.default.createDirectory(at: Self.artifacts, withIntermediateDirectories: true)
        try #require(Data(base64Encoded: encoded)).write(to: Self.artifacts.appendingPathComponent("\(name).png"))
    }

    private func command(_ method: HTTPMethod, _ path: String, _ body: [String: Any]?) async throws -> Any? {
        let reply = try await Self.request(http, method, base + "/session/\(session)/" + path, body)
        if let error = reply["value"] as? [String: Any], let kind = error["error"] as? String {
            throw WebDriverError(description: "\(kind): \(error["message"] ?? "")")
        }
        return reply["value"]
    }

    private static func request(_ http: HTTPClient, _ method: HTTPMethod, _ url: String, _ body: [String: Any]?) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Content-Type", value: "application/json")
        if let body { request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body))) }
        let response = try await http.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 64 * 1_024 * 1_024)
        return (try JSONSerialization.jsonObject(with: Data(buffer: bytes)) as? [String: Any]) ?? [:]
    }

    /// Starts `chromedriver` on a free port and waits (at most ten seconds) until it answers.
    private static func launchDriver() async throws -> (Process, Int) {
        let holder = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(holder.localAddress?.port)
        try await holder.close()
        let process = Process()
        // At a low priority (Chromium inherits it): on a 2-core machine a browser starting at
        // full priority starves the rest of the suite, whose requests then time out.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/nice")
        process.arguments = ["-n", "15", driver, "--port=\(port)"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        // The driver has no way to say it is ready but answering: ask, a bounded number of times.
        for _ in 0..<200 {
            if let status = try? await request(http, .GET, "http://127.0.0.1:\(port)/status", nil),
               (status["value"] as? [String: Any])?["ready"] as? Bool == true {
                try? await http.shutdown()
                return (process, port)
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        try? await http.shutdown()
        kill(process.processIdentifier, SIGKILL)
        throw WebDriverError(description: "chromedriver did not answer within ten seconds")
    }
}

/// A WebDriver command failed.
struct WebDriverError: Error, CustomStringConvertible {
    let description: String
}
