import Foundation
import SimGateRADIUS

/// One device with its SIM: asks for access, then runs data sessions until the deadline.
struct SimulatedDevice {
    /// The SIM a device holds.
    struct Identity: Sendable {
        /// The SIM's ICCID, as the API lists it.
        let iccid: String
        /// The SIM's IMSI, sent as User-Name and 3GPP-IMSI.
        let imsi: String
    }

    /// How every device in a run behaves.
    struct Settings: Sendable {
        /// Time between accounting updates; waits after silence or a rejection are multiples of it.
        let interval: Duration
        /// Chance, 0 to 1, of moving to another network at each Interim-Update.
        let roaming: Double
        /// Interim-Updates per session before its Stop.
        let sessionLength: Int
    }

    /// The device's SIM.
    let identity: Identity
    /// How this device behaves, shared by the whole run.
    let settings: Settings
    private var random: SplitMix
    private var network: String
    private let imeisv: String

    /// `seed` makes the run repeatable; it also picks the IMEISV and one of three home networks.
    init(identity: Identity, settings: Settings, seed: UInt64) {
        self.identity = identity
        self.settings = settings
        random = SplitMix(seed: seed &+ 0x5EED)
        network = SimulatedNetwork.networks[Int(seed) % 3]  // Most fleets start at home: three countries.
        imeisv = "35" + String(format: "%012llu", seed) + "01"
    }

    /// Asks for access and runs sessions until `deadline`, waiting after silence or a rejection;
    /// returns what this device did.
    mutating func run(on gateway: SimulatedNetwork, until deadline: ContinuousClock.Instant) async throws -> SimulationTally {
        var tally = SimulationTally()
        tally.devices = 1
        var sessionNumber = 0
        while ContinuousClock.now < deadline {
            guard let answer = try await gateway.askAccess(imsi: identity.imsi) else {
                tally.unanswered += 1
                try await pause(until: deadline)
                continue
            }
            guard answer.code == .accessAccept else {
                tally.rejections[answer.attribute(RADIUSAttributeType.replyMessage)?.textValue ?? "no reason given", default: 0] += 1
                try await pause(until: deadline, times: 3)
                continue
            }
            tally.accepted += 1
            sessionNumber += 1
            try await session("\(identity.imsi)-\(sessionNumber)", on: gateway, until: deadline, tally: &tally)
        }
        return tally
    }

    /// Start, interim updates (roaming now and then), Stop.
    private mutating func session(_ id: String, on gateway: SimulatedNetwork, until deadline: ContinuousClock.Instant, tally: inout SimulationTally) async throws {
        var (up, down): (UInt64, UInt64) = (0, 0)
        func send(_ status: AccountingStatusType, _ device: SimulatedDevice) async throws {
            let answered = try await gateway.account(status, session: id, imsi: device.identity.imsi, imeisv: device.imeisv, mccMNC: device.network, up: up, down: down)
            tally.record(status, answered: answered)
            tally.countries.insert(device.network)
        }
        try await send(.start, self)
        tally.sessions += 1
        for _ in 0..<settings.sessionLength {
            try await pause(until: deadline)
            if ContinuousClock.now >= deadline { break }
            up += random.next(in: 1_000...50_000)
            down += random.next(in: 10_000...500_000)
            if Double(random.next(in: 0...999)) / 1_000 < settings.roaming {
                network = SimulatedNetwork.networks[Int(random.next(in: 0...UInt64(SimulatedNetwork.networks.count - 1)))]
                tally.roams += 1
            }
            try await send(.interimUpdate, self)
        }
        try await send(.stop, self)
        tally.bytesUp += up
        tally.bytesDown += down
    }

    private func pause(until deadline: ContinuousClock.Instant, times: Int = 1) async throws {
        let wake = min(ContinuousClock.now + settings.interval * times, deadline)
        try await Task.sleep(until: wake, clock: .continuous)
    }
}

/// A small seeded generator, so a run can be repeated.
struct SplitMix {
    private var state: UInt64
    /// A generator started from `seed`: the same seed gives the same numbers.
    init(seed: UInt64) { state = seed }

    /// The next number in `range` (taken modulo its size, which is fine for a simulation).
    mutating func next(in range: ClosedRange<UInt64>) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return range.lowerBound + z % (range.upperBound - range.lowerBound + 1)
    }
}
