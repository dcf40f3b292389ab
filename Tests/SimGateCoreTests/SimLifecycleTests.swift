import Foundation
import Testing
@testable import SimGateCore

/// One row of the lifecycle table: a starting state, a command, and what must follow.
struct LifecycleCase: Sendable, CustomStringConvertible {
    let status: SimStatus
    let holds: [HoldCause]
    let command: SimCommand
    /// The resulting status and holds, or the error code.
    let expected: Result<(SimStatus, [HoldCause]), CodeError>

    init(_ status: SimStatus, _ holds: [HoldCause], _ command: SimCommand, _ expectedStatus: SimStatus, _ expectedHolds: [HoldCause]) {
        self.status = status
        self.holds = holds
        self.command = command
        expected = .success((expectedStatus, expectedHolds))
    }

    init(_ status: SimStatus, _ holds: [HoldCause], _ command: SimCommand, fails code: String) {
        self.status = status
        self.holds = holds
        self.command = command
        expected = .failure(CodeError(code: code))
    }

    var description: String { "\(status.rawValue) \(holds) \(command)" }
}

struct CodeError: Error, Equatable { let code: String }

@Suite("SIM lifecycle and holds")
struct SimLifecycleTests {
    static let time = Date(timeIntervalSince1970: 1_800_000_000)
    static let cause = ChangeCause(actor: ChangeActor(.system, id: "test"), reason: "table")

    static let table: [LifecycleCase] = [
        // activate
        LifecycleCase(.inventory, [], .activate(force: false), .live, []),
        LifecycleCase(.live, [], .activate(force: false), .live, []),
        LifecycleCase(.offline, [.manual], .activate(force: false), .live, []),
        LifecycleCase(.offline, [.payment], .activate(force: false), fails: "sim_has_holds"),
        LifecycleCase(.offline, [.manual, .payment], .activate(force: false), fails: "sim_has_holds"),
        LifecycleCase(.offline, [.manual, .payment, .rule("r1")], .activate(force: true), .live, []),
        LifecycleCase(.unprovisioned, [], .activate(force: false), .live, []),
        LifecycleCase(.unprovisioned, [.bundle], .activate(force: false), fails: "sim_has_holds"),
        LifecycleCase(.unprovisioned, [.bundle], .activate(force: true), .live, []),
        LifecycleCase(.retired, [], .activate(force: true), fails: "sim_retired"),
        // suspend
        LifecycleCase(.live, [], .suspend(), .offline, [.manual]),
        LifecycleCase(.offline, [.payment], .suspend(), .offline, [.manual, .payment]),
        LifecycleCase(.offline, [.manual], .suspend(), .offline, [.manual]),
        LifecycleCase(.inventory, [], .suspend(), fails: "sim_not_provisioned"),
        LifecycleCase(.unprovisioned, [], .suspend(), fails: "sim_not_provisioned"),
        LifecycleCase(.retired, [], .suspend(), fails: "sim_retired"),
        // the operator's suspension is its own hold, which only the operator lifts
        LifecycleCase(.live, [], .suspend(by: .operator), .offline, [.operator]),
        LifecycleCase(.offline, [.operator], .activate(force: false), fails: "operator_hold"),
        LifecycleCase(.offline, [.operator, .payment], .activate(force: false), fails: "operator_hold"),
        LifecycleCase(.offline, [.operator], .activate(force: true), fails: "operator_hold"),
        LifecycleCase(.offline, [.operator, .manual], .activate(force: false, by: .operator), .live, []),
        LifecycleCase(.offline, [.operator, .payment], .activate(force: true, by: .operator), .live, []),
        // paid for: out of stock, OFFLINE if a hold is already in force
        LifecycleCase(.inventory, [], .provision, .live, []),
        LifecycleCase(.inventory, [.payment], .provision, .offline, [.payment]),
        LifecycleCase(.unprovisioned, [], .provision, .unprovisioned, []),
        // unprovision keeps the holds for when the SIM comes back
        LifecycleCase(.live, [], .unprovision, .unprovisioned, []),
        LifecycleCase(.offline, [.payment], .unprovision, .unprovisioned, [.payment]),
        LifecycleCase(.unprovisioned, [], .unprovision, .unprovisioned, []),
        LifecycleCase(.inventory, [], .unprovision, fails: "sim_not_provisioned"),
        // retire is terminal
        LifecycleCase(.live, [], .retire, .retired, []),
        LifecycleCase(.inventory, [], .retire, .retired, []),
        LifecycleCase(.offline, [.manual], .retire, .retired, [.manual]),
        LifecycleCase(.retired, [], .retire, .retired, []),
        // return to stock
        LifecycleCase(.unprovisioned, [.payment], .returnToStock, .inventory, []),
        LifecycleCase(.inventory, [], .returnToStock, .inventory, []),
        LifecycleCase(.live, [], .returnToStock, fails: "sim_provisioned"),
        LifecycleCase(.offline, [.manual], .returnToStock, fails: "sim_provisioned"),
        // holds placed and lifted by their owners
        LifecycleCase(.live, [], .placeHold(.payment), .offline, [.payment]),
        LifecycleCase(.offline, [.payment], .placeHold(.payment), .offline, [.payment]),
        LifecycleCase(.offline, [.payment, .bundle], .liftHold(.payment), .offline, [.bundle]),
        LifecycleCase(.offline, [.bundle], .liftHold(.bundle), .live, []),
        LifecycleCase(.live, [], .liftHold(.manual), .live, []),
        LifecycleCase(.inventory, [], .placeHold(.payment), .inventory, [.payment]),
        LifecycleCase(.unprovisioned, [.rule("r1")], .liftHold(.rule("r1")), .unprovisioned, []),
        LifecycleCase(.retired, [], .placeHold(.payment), fails: "sim_retired"),
    ]

    @Test("every command from every status follows the rules", arguments: table)
    func transition(_ row: LifecycleCase) {
        let state = SimState(status: row.status, holds: Dictionary(uniqueKeysWithValues: row.holds.map {
            ($0, Hold(cause: $0, placedAt: Self.time, origin: Self.cause))
        }))
        switch (Result { () throws(DomainError) in try SimLifecycle.apply(row.command, to: state, at: Self.time, cause: Self.cause) }, row.expected) {
        case (.success(let transition), .success(let (status, holds))):
            #expect(transition.state.status == status)
            #expect(transition.state.holdCauses == holds.sorted())
        case (.failure(let error), .failure(let expected)):
            #expect(error.code == expected.code)
            #expect(error.kind == .conflict)
        case (let actual, let expected):
            Issue.record("got \(actual), expected \(expected)")
        }
    }

    @Test("a provisioned SIM is LIVE exactly when it has no hold, after any sequence of commands")
    func invariantHoldsUnderRandomSequences() {
        let commands: [SimCommand] = [
            .activate(force: false), .activate(force: true), .suspend(), .unprovision, .placeHold(.payment),
            .liftHold(.payment), .placeHold(.rule("x")), .liftHold(.rule("x")), .placeHold(.bundle), .liftHold(.manual),
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            var state = SimState(status: .inventory)
            for _ in 0..<20 {
                let command = commands.randomElement(using: &generator)!
                if let next = try? SimLifecycle.apply(command, to: state, at: Self.time, cause: Self.cause) { state = next.state }
                if state.status.isProvisioned {
                    #expect((state.status == .live) == state.holds.isEmpty)
                }
            }
        }
    }

    @Test("changes list the status change first, then each hold placed or lifted")
    func changesAreReported() throws {
        let state = SimState(status: .offline, holds: [
            .manual: Hold(cause: .manual, placedAt: Self.time, origin: Self.cause),
            .payment: Hold(cause: .payment, placedAt: Self.time, origin: Self.cause),
        ])
        let transition = try SimLifecycle.apply(.activate(force: true), to: state, at: Self.time, cause: Self.cause)
        #expect(transition.changes.first == .statusChanged(from: .offline, to: .live))
        #expect(transition.changes.count == 3)
        let nothing = try SimLifecycle.apply(.activate(force: false), to: transition.state, at: Self.time, cause: Self.cause)
        #expect(nothing.changes.isEmpty)
    }

    @Test("a refused activation names the holds in the way")
    func refusalListsHolds() {
        let state = SimState(status: .offline, holds: [
            .payment: Hold(cause: .payment, placedAt: Self.time, origin: Self.cause),
            .rule("r9"): Hold(cause: .rule("r9"), placedAt: Self.time, origin: Self.cause),
        ])
        #expect {
            try SimLifecycle.apply(.activate(force: false), to: state, at: Self.time, cause: Self.cause)
        } throws: { error in
            (error as? DomainError)?.details["holds"] == ["payment", "rule:r9"]
        }
    }
}
