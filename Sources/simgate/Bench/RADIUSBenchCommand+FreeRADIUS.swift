import Foundation

/// FreeRADIUS as `bench radius --freeradius` runs it: started once, sent each round's packet
/// files and then the paced phase, and stopped once SimGate's rounds are done too.
extension RADIUSBenchCommand {
    /// A running FreeRADIUS and the ports the bench sends to.
    struct FreeRADIUSRun {
        let reference: FreeRADIUSReference
        /// Its accounting port.
        let port: Int
        /// Its authentication port, where Access-Requests are timed as SimGate's are.
        let authenticationPort: Int
        /// The SIM the timed Access-Requests name.
        let userName: String
        /// The bench's settings: radclient, its window and limit, the own sender's sockets.
        let command: RADIUSBenchCommand

        /// Replays `files` with radclient while timing Access-Requests.
        func replay(_ files: [URL]) async throws -> (LoadFigures, AccessSampler.Samples) {
            let sampler = RADIUSBenchCommand.accessSampler(port: authenticationPort, userName: userName)
            let (window, path, limit) = (command.radclientWindow, command.radclientPath, command.radclientLimit)
            return try await command.whileSampling(sampler, cpuSeconds: reference.process.cpuSeconds) { [port] in
                try await RadclientReplay.run(
                    files: files, port: port, secret: RADIUSBenchCommand.secret, window: window, radclient: URL(fileURLWithPath: path), limit: limit
                )
            }
        }

        /// Sends `load` with the own sender at `rate`. Even pacing costs a server more per
        /// update than radclient's bursts, which it reads many at a time; SimGate's paced phase
        /// is compared with this one, not with the replay.
        func paced(_ load: RADIUSBenchLoad, rate: Double) async throws -> LoadFigures {
            let sampler = RADIUSBenchCommand.accessSampler(port: authenticationPort, userName: userName)
            let (sockets, window) = (command.sockets, command.window)
            let (figures, _) = try await command.whileSampling(sampler, cpuSeconds: reference.process.cpuSeconds) { [port] in
                try await RADIUSBenchCommand.sendOwn(load, sockets: sockets, window: window, perSecond: rate, port: port)
            }
            return figures
        }

        func stop() {
            reference.process.kill()
        }
    }

    /// Starts FreeRADIUS on free ports, its files under `directory`.
    func startFreeRADIUS(directory: URL, userName: String) async throws -> FreeRADIUSRun {
        let port = try await FreePorts.udp()
        let authenticationPort = try await FreePorts.udp()
        let scratch = directory.appendingPathComponent("freeradius")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let reference = try await FreeRADIUSReference.start(
            executable: URL(fileURLWithPath: freeradiusPath), configuration: URL(fileURLWithPath: freeradiusConfig), directory: scratch,
            port: port, authenticationPort: authenticationPort, secret: Self.secret
        )
        return FreeRADIUSRun(reference: reference, port: port, authenticationPort: authenticationPort, userName: userName, command: self)
    }

    /// Writes `load` as one radclient packet file per radclient process into `directory`.
    func writeRadclientFiles(_ load: RADIUSBenchLoad, into directory: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var files: [URL] = []
        for (index, text) in load.radclientFiles(count: radclients).enumerated() {
            let file = directory.appendingPathComponent("accounting-\(index + 1).txt")
            try text.write(to: file, atomically: true, encoding: .utf8)
            files.append(file)
        }
        return files
    }

    /// One round's figures, SimGate's beside FreeRADIUS's when it ran.
    static func roundLine(_ round: Int, of rounds: Int, simgate: LoadFigures, freeRADIUS: LoadFigures?) -> String {
        var line = String(format: "round %d of %d: SimGate %.0f updates/s at %.2f CPU s per 100,000", round, rounds, simgate.perSecond, simgate.cpuPer100k)
        if let freeRADIUS {
            line += String(format: ", FreeRADIUS %.0f/s at %.2f: %.2fx the CPU per update", freeRADIUS.perSecond, freeRADIUS.cpuPer100k, simgate.cpuPer100k / freeRADIUS.cpuPer100k)
        }
        return line
    }

    /// The middle of `sorted` values (the mean of the two middle ones for an even count); NaN when empty.
    static func median(_ sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

extension RADIUSBenchLoad.Bytes {
    /// Both directions added.
    static func + (lhs: Self, rhs: Self) -> Self {
        Self(up: lhs.up + rhs.up, down: lhs.down + rhs.down)
    }
}

extension AccessSampler.Samples {
    /// The samples of several phases as one.
    static func merged(_ phases: [Self]) -> Self {
        Self(durations: phases.flatMap(\.durations), unanswered: phases.reduce(0) { $0 + $1.unanswered })
    }
}
