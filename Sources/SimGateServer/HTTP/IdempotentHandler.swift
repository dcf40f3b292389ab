import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import SimGateCore
import SimGateStore

extension HTTPField.Name {
    /// `Idempotency-Key`: the client's key for a request it may send again.
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    /// `Idempotent-Replayed`: `true` on a response that is a replay.
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
    /// `Secret-Redacted`: `true` on a replay whose secret was left out.
    static let secretRedacted = HTTPField.Name("Secret-Redacted")!
}

/// Wraps POST handlers so that a request sent again with the same `Idempotency-Key` gets the
/// first response instead of acting twice (Stripe's semantics).
///
/// Same key and same method, path and body: the stored response, marked
/// `Idempotent-Replayed: true`. Same key with another request: 400 `idempotency_key_reused`.
/// While the first is still running: 409 `idempotency_key_in_use` (a running request renews its
/// claim); once its claim has gone unrenewed for ``IdempotencyStore/lease`` with nothing
/// committed (its instance died), the retry takes the key over and runs, and if its work was
/// committed but its answer never stored, 409 `idempotency_key_interrupted` (running it again
/// would act twice). A server error frees the key only if nothing was committed. Client errors are stored
/// like successes; a server error frees the key so a retry can run. A response that showed a
/// secret (a new API key, a generated signing secret) is stored without it: its replay is the
/// same object with the secret left out, marked `Secret-Redacted: true`.
struct IdempotencyLayer: Sendable {
    /// A route handler the layer wraps.
    typealias Handler = @Sendable (Request, SimGateRequestContext) async throws -> APIResponse

    /// Where keys, their claims and the stored responses are kept.
    let store: IdempotencyStore
    /// The time at which keys are claimed.
    let clock: any WallClock

    /// `handler` made idempotent for requests that carry an `Idempotency-Key`; others run as is.
    func wrap(_ handler: @escaping Handler) -> @Sendable (Request, SimGateRequestContext) async throws -> Response {
        { request, context in
            guard let key = request.headers[.idempotencyKey] else {
                return try await handler(request, context).response(from: request, context: context)
            }
            // Characters are Unicode scalars, and bytes are capped too: counted as what a reader
            // sees, one letter with 20,000 combining marks was one character, a 40 KB key.
            guard (1...255).contains(key.unicodeScalars.count), key.utf8.count <= 1_020 else {
                throw APIError.invalid("invalid_idempotency_key", "'Idempotency-Key' has 1 to 255 characters.", param: "Idempotency-Key")
            }
            // A header's bytes that are not UTF-8 arrive each replaced by U+FFFD, so `order-\xE9`
            // and `order-\xE8` were one key: the second request got the first one's answer.
            guard !key.unicodeScalars.contains(where: { $0 == "\u{FFFD}" || $0.properties.generalCategory == .control }) else {
                throw APIError.invalid(
                    "invalid_idempotency_key", "'Idempotency-Key' must be UTF-8 text without control characters.", param: "Idempotency-Key"
                )
            }
            guard request.headers[values: .idempotencyKey].count == 1 else {
                throw APIError.invalid("invalid_idempotency_key", "'Idempotency-Key' is given more than once.", param: "Idempotency-Key")
            }
            let accountID = try context.requireCallerAccount()
            var request = request
            let body = try await request.collectBody(upTo: JSONBody.maximumBytes)
            let hash = Self.fingerprint(method: request.method.rawValue, path: request.uri.description, body: Data(buffer: body))

            switch try await store.claim(accountID: accountID, key: key, requestHash: hash, now: clock.now()) {
            case .replay(let status, let stored):
                let (replay, redacted) = Self.decodeStored(status: status, body: stored)
                var response = try replay.response(from: request, context: context)
                response.headers[.idempotentReplayed] = "true"
                if redacted { response.headers[.secretRedacted] = "true" }
                return response
            case .mismatch:
                throw APIError.invalid("idempotency_key_reused", "This Idempotency-Key was used with a different request.", param: "Idempotency-Key")
            case .inProgress:
                throw Self.inUse
            case .interrupted:
                throw APIError(
                    status: .conflict, code: "idempotency_key_interrupted",
                    message: "The first request with this Idempotency-Key took effect, but the server stopped before storing its answer, so it cannot be replayed; read the resource to see the outcome."
                )
            case .claimed(let token):
                // While the request runs its claim stays fresh, so that only a request whose
                // instance died is ever taken over, however long it runs.
                let heartbeat = Task { [store, clock] in
                    while !Task.isCancelled {
                        try? await Task.sleep(for: IdempotencyStore.renewal)
                        guard !Task.isCancelled else { return }
                        _ = try? await store.renew(accountID: accountID, key: key, token: token, now: clock.now())
                    }
                }
                defer { heartbeat.cancel() }
                let outcome: APIResponse
                do {
                    let claim = IdempotencyClaim(accountID: accountID, key: key, token: token)
                    outcome = try await IdempotencyClaim.$current.withValue(claim) { try await handler(request, context) }
                } catch is IdempotencyClaimLost {
                    // A retry took the key over while this request looked dead; it answers.
                    throw Self.inUse
                } catch {
                    let problem = ProblemMiddleware<SimGateRequestContext>.problem(for: error, logger: context.logger)
                    guard problem.status.code < 500 else {
                        try? await store.abandon(accountID: accountID, key: key, token: token)
                        throw problem
                    }
                    outcome = APIResponse(status: problem.status, body: problem.problemJSON, contentType: "application/problem+json")
                }
                try await store.finish(accountID: accountID, key: key, token: token, status: Int(outcome.status.code), body: Self.encodeStored(outcome))
                return try outcome.response(from: request, context: context)
            }
        }
    }

    /// Another request holds the key, and may still be running.
    private static let inUse = APIError(
        status: .conflict, code: "idempotency_key_in_use", message: "A request with this Idempotency-Key is still being processed."
    )

    /// Hex SHA-256 of method, path and body: what a resent request must match to be replayed.
    static func fingerprint(method: String, path: String, body: Data) -> String {
        var hasher = SHA256()
        hasher.update(data: Data("\(method) \(path)\n".utf8))
        hasher.update(data: body)
        return hasher.finalize().hexString
    }

    /// Stored as `<content type>\n<body>` so a replayed problem keeps its media type; a body
    /// with its secret left out is marked by a `redacted ` prefix on the first line.
    private static func encodeStored(_ response: APIResponse) -> String {
        if let replay = response.replayBody {
            return "redacted " + response.contentType + "\n" + String(decoding: replay, as: UTF8.self)
        }
        return response.contentType + "\n" + String(decoding: response.body, as: UTF8.self)
    }

    private static func decodeStored(status: Int, body: String) -> (APIResponse, redacted: Bool) {
        let parts = body.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        var contentType = String(parts.first ?? "application/json")
        let redacted = contentType.hasPrefix("redacted ")
        if redacted { contentType.removeFirst("redacted ".count) }
        let response = APIResponse(
            status: HTTPResponse.Status(code: status), body: Data((parts.count > 1 ? parts[1] : "").utf8), contentType: contentType
        )
        return (response, redacted)
    }
}
