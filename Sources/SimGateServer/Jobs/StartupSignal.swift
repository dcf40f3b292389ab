import SimGateStore

/// Opens once when start-up work (migrations) is done; services that need the schema wait on it.
///
/// Hummingbird starts every service of the group at once, and runs `beforeServerStarts` only
/// before the HTTP server, so without this the scheduler would query tables that do not exist
/// yet. A start-up that fails never opens it: waiters are then let go by their cancellation.
public typealias StartupSignal = OnceSignal
