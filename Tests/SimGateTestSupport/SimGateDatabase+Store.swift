import SimGateCore
import SimGateStore

extension SimGateDatabase {
    /// A store over this database, for tests that set up or read back what the app wrote.
    public var store: Store { Store(database: self, ids: IdentifierGenerator(clock: SystemWallClock())) }
}
