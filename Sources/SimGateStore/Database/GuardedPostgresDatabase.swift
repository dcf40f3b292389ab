import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit

/// A pooled PostgreSQL connection as SQLKit sees it, with every statement handed to the
/// connection on its own event loop after checking, there, that the connection is still open.
///
/// postgres-nio (1.33) writes a statement to its channel without asking to hear whether the
/// write failed. On a channel already closed (the server ended the session: its
/// `idle_in_transaction_session_timeout` after an instance froze, `pg_terminate_backend`, a
/// restart) the write was dropped and its statement never answered: the unit of work, and the
/// HTTP request or job behind it, waited for ever, and cancelling it did not help. On the loop
/// nothing can close the channel between the check and the write, and a statement written
/// before a close is failed by the connection itself.
struct GuardedPostgresDatabase: SQLDatabase {
    let connection: PostgresConnection
    private let base: any SQLDatabase

    init(_ connection: PostgresConnection) {
        self.connection = connection
        self.base = connection.sql(queryLogLevel: nil)
    }

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        let connection = connection
        let base = base
        return eventLoop.flatSubmit {
            guard !connection.isClosed else { return connection.eventLoop.makeFailedFuture(StoreError.connectionLost) }
            return base.execute(sql: query, onRow)
        }.flatMapErrorThrowing { error in
            throw Self.isConnectionLoss(error, on: connection) ? StoreError.connectionLost : error
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await execute(sql: query, onRow).get()
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }

    /// Whether `error` says the session is gone rather than that the statement was wrong: the
    /// connection closed, or the server's last word before closing it (its class 57P: shut down
    /// or terminated; 25P03 and 57P05: idle too long).
    static func isConnectionLoss(_ error: any Error, on connection: PostgresConnection) -> Bool {
        if error is StoreError { return false }
        if connection.isClosed { return true }
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown:
            return true
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("57P") || state == "25P03"
        default:
            return false
        }
    }
}
