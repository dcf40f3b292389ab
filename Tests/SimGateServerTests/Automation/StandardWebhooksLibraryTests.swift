import Foundation
import SimGateTestSupport
import Testing

/// The official `standardwebhooks` library (Python) verifies what SimGate sends: a second
/// implementation, as a customer's receiver would use it. CI installs it; elsewhere the test
/// runs when `python3 -c "import standardwebhooks"` works.
@Suite("Deliveries verify with the official standardwebhooks library")
struct StandardWebhooksLibraryTests {
    /// The `python3` on the PATH, where CI's `pip install` puts the library.
    static let python: String? = FileManager.default.isExecutableFile(atPath: "/usr/bin/env") ? "/usr/bin/env" : nil
    static let installed: Bool = {
        guard let python else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["python3", "-c", "import standardwebhooks"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()
    static let required = ProcessInfo.processInfo.environment["CI"] == "true"

    /// Verifies each delivery with `Webhook(secret).verify(body, headers)`; prints one line per delivery.
    static let script = """
    import json, sys
    from standardwebhooks.webhooks import Webhook
    cases = json.load(sys.stdin)
    for case in cases:
        try:
            Webhook(case["secret"]).verify(case["body"], case["headers"])
            print("verified")
        except Exception as error:
            print("refused: %s" % error)
    """

    @Test("every delivery, including one signed by two secrets while rolling, verifies; a tampered body does not",
          .enabled(if: installed || required), arguments: [TestEngine.sqlite])
    func officialLibraryVerifies(engine: TestEngine) async throws {
        let python = try #require(Self.python, "python3 is not installed")
        try await WebhookReceiver.serving { receiver in
            try await TestHarness.run(engine) { app in
                // The library refuses timestamps five minutes away from its own clock.
                app.clock.set(Date())
                let (account, key) = try await app.makeCustomer("E-Bikes")
                let (endpoint, first) = try await WebhookDeliveryTests.endpoint(app, key: key, url: receiver.url)
                let sims = try await app.importSims(0..<2, account: account)
                _ = try await app.request(.post, "/v1/sims/\(sims[0])/activate", key: key)
                try await app.deliverWebhooks()
                let beforeRoll = receiver.received.count
                let rolled = try await app.request(.post, "/v1/webhook_endpoints/\(endpoint)/rotate_secret", key: key, json: ["expires_in_seconds": 600])
                let second = try #require(rolled["secret"])
                _ = try await app.request(.post, "/v1/sims/\(sims[1])/activate", key: key)
                try await app.deliverWebhooks()
                let got = receiver.received
                try #require(got.count >= 3)
                try #require(beforeRoll >= 1 && got.count > beforeRoll + 1)
                var cases: [[String: Any]] = got.enumerated().map { index, delivery in
                    // Before the roll only the first secret signs; after it both do, so a
                    // receiver still holding the old one verifies too (checked on alternate deliveries).
                    ["secret": index < beforeRoll || index.isMultiple(of: 2) ? first : second,
                     "body": String(decoding: delivery.body, as: UTF8.self), "headers": delivery.headers]
                }
                var tampered = cases[0]
                tampered["body"] = (tampered["body"] as? String ?? "") + " "
                cases.append(tampered)
                let input = String(decoding: try JSONSerialization.data(withJSONObject: cases), as: UTF8.self)
                let outcome = await ExternalTool.run(python, ["python3", "-c", Self.script], input: input)
                let lines = outcome.output.split(separator: "\n").map(String.init)
                #expect(outcome.status == 0, "\(outcome.output)")
                #expect(lines.count == cases.count, "\(outcome.output)")
                #expect(lines.dropLast().allSatisfy { $0 == "verified" }, "\(outcome.output)")
                #expect(lines.last?.hasPrefix("refused") == true, "a changed body must not verify")
            }
        }
    }
}
