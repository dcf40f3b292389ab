import Foundation
import SimGateCore
import SimGateStore

/// A RADIUS session's id in the API: `rsn_` and its gateway and Acct-Session-Id (the key the
/// gateway names it by), in base64url so that any bytes of either survive. A page of a SIM's
/// sessions takes the last one's id as `starting_after`.
enum SessionAPIID {
    /// Every session id starts with this.
    static let prefix = "rsn_"

    /// The id of the session under `key`.
    static func make(_ key: SessionKey) -> String {
        // The gateway's length first: neither part has a character that could not be in the other.
        let bytes = Array("\(key.nas.utf8.count):\(key.nas)\(key.sessionID)".utf8)
        return prefix + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The key `id` names; nil if it is not a session id.
    static func key(from id: String) -> SessionKey? {
        guard id.hasPrefix(prefix), id.utf8.count <= 2_048 else { return nil }
        var encoded = id.dropFirst(prefix.count).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        encoded += String(repeating: "=", count: (4 - encoded.count % 4) % 4)
        guard let data = Data(base64Encoded: encoded), let colon = data.firstIndex(of: UInt8(ascii: ":")),
              let length = Int(String(decoding: data[..<colon], as: UTF8.self)), length >= 0,
              data.distance(from: data.index(after: colon), to: data.endIndex) >= length
        else { return nil }
        let nasStart = data.index(after: colon), nasEnd = data.index(nasStart, offsetBy: length)
        guard let nas = String(data: data[nasStart..<nasEnd], encoding: .utf8), let sessionID = String(data: data[nasEnd...], encoding: .utf8) else { return nil }
        return SessionKey(nas: nas, sessionID: sessionID)
    }
}
