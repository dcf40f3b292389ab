import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import SimGateCore
import SimGateStore

/// Turns every error that escapes a handler into problem details, so clients always get
/// a JSON body with a stable code. Unknown errors are logged and answered with an opaque 500.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Passes the request on and answers any error it throws as problem details, with the
    /// dashboard's security headers: an error may answer a browser (a dashboard form too
    /// large, a page asked for with the wrong method), and the headers cost an API client nothing.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            var response = try Self.problem(for: error, logger: context.logger).response(from: request, context: context)
            DashboardSecurityHeaders.apply(to: &response.headers)
            return response
        }
    }

    /// The problem `error` is answered with; unexpected errors are logged and become a bare 500.
    static func problem(for error: any Error, logger: Logger) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as DomainError:
            return APIError(error)
        case let error as HTTPError:
            return problem(for: error)
        case is NIOTooManyBytesError:
            return problem(for: HTTPError(.contentTooLarge))
        case let error as HTTPParserError:
            // The request itself could not be read (a malformed chunk size, or a client that
            // closed in the middle of its body): the client's fault, not an internal error to
            // log and count as one.
            return APIError(status: .badRequest, code: "request_malformed", message: "The request could not be read: \(error.debugDescription).")
        case let error as UsageTotalTooLarge:
            // A sum over many SIMs or periods (a statement, a report) that no 64-bit integer
            // holds; each SIM's own totals always fit. Say so rather than fail opaquely.
            return APIError(
                status: .conflict, code: "total_out_of_range",
                message: "A usage sum for \(error.period.isEmpty ? "this request" : error.period) passes 9223372036854775807 bytes; ask for fewer SIMs or a shorter period."
            )
        case StoreError.connectionUnavailable(let waited):
            logger.warning("No database connection in time", metadata: ["waited": "\(waited)"])
            return APIError(status: .serviceUnavailable, code: "database_unavailable", message: "The database did not answer in time; try again shortly.")
        case StoreError.connectionLost:
            // Nothing of the request's unit of work was committed; it may be sent again.
            logger.warning("The database closed a connection in use")
            var problem = APIError(status: .serviceUnavailable, code: "database_unavailable", message: "The database closed its connection; nothing was stored. Try again shortly.")
            problem.headers[.retryAfter] = "1"
            return problem
        case StoreError.connectionLostAtCommit:
            logger.error("The database closed a connection while committing; the outcome is unknown")
            return APIError(
                status: .serviceUnavailable, code: "database_unavailable",
                message: "The database closed its connection while storing the request: it may or may not have been stored. Read it back before sending it again."
            )
        default:
            if let fault = storageFault(in: error) {
                // The unit of work that met it rolled back; the request can be sent again once
                // the storage is back (with its Idempotency-Key, which says if it had done
                // anything before).
                logger.error("Storage refused a write", metadata: ["error": "\(String(reflecting: error))"])
                var problem = APIError(
                    status: .serviceUnavailable, code: "storage_unavailable",
                    message: "The database's storage refused a write: \(fault). Try again shortly."
                )
                problem.headers[.retryAfter] = "5"
                return problem
            }
            logger.error("Unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return .internalError
        }
    }

    /// Errors Hummingbird raises itself: no route, wrong method, body too large.
    private static func problem(for error: HTTPError) -> APIError {
        switch error.status {
        case .notFound:
            APIError(status: .notFound, code: "route_not_found", message: "No such route. See /openapi.json for the API.")
        case .methodNotAllowed:
            APIError(status: .methodNotAllowed, code: "method_not_allowed", message: "This route does not take that method.")
        case .contentTooLarge:
            APIError(status: .contentTooLarge, code: "body_too_large", message: "The request body is larger than SimGate accepts.")
        default:
            APIError(status: error.status, code: "http_\(error.status.code)", message: error.body ?? error.status.reasonPhrase)
        }
    }
}
