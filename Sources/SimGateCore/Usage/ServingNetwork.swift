/// The mobile network (PLMN) a device is attached to while it uses data, as the packet
/// gateway reports it over RADIUS.
///
/// A PLMN is identified by a 3-digit Mobile Country Code and a 2- or 3-digit Mobile Network
/// Code. The MNC length is part of the identity ("01" and "001" are different networks), so it
/// is kept as a string rather than a number.
public struct ServingNetwork: Sendable, Equatable, Hashable {
    /// Mobile Country Code, 3 decimal digits.
    public let mcc: String
    /// Mobile Network Code, 2 or 3 decimal digits.
    public let mnc: String

    /// MCC followed by MNC, the form roaming agreements and CDRs use ("26201").
    public var mccMNC: String { mcc + mnc }

    /// ISO 3166-1 alpha-2 code of the network's country, or `nil` for shared codes.
    public var country: String? { MobileCountryCodes.country(forMCC: mcc) }

    private init(mcc: String, mnc: String) {
        self.mcc = mcc
        self.mnc = mnc
    }

    /// Parses the 3GPP-SGSN-MCC-MNC attribute (TS 29.061, vendor 10415, type 18).
    ///
    /// The gateway sends the MCC and MNC as one string of 5 or 6 digits; since the MCC is
    /// always 3 digits, the total length is what tells a 2-digit MNC ("26201") from a 3-digit
    /// one ("310410"). A single hyphen or space after the MCC ("262-01") is accepted too,
    /// because CSV exports of the same data often write it that way. Anything else is not a
    /// PLMN and gives `nil`, so a malformed attribute cannot be taken for a real network.
    public init?(mccMNC text: String) {
        var digits = Array(text.utf8)
        if digits.count == 6 || digits.count == 7, digits[3] == UInt8(ascii: "-") || digits[3] == UInt8(ascii: " ") {
            digits.remove(at: 3)
        }
        // Only ASCII digits: Character.isNumber would also admit other scripts' numerals.
        guard digits.count == 5 || digits.count == 6,
              digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        self.init(mcc: String(decoding: digits[0..<3], as: UTF8.self),
                  mnc: String(decoding: digits[3...], as: UTF8.self))
    }

    /// Parses the 3GPP-User-Location-Info attribute (TS 29.061, vendor 10415, type 22).
    ///
    /// Byte 0 is the Geographic Location Type; the location follows, and every supported type
    /// starts with the PLMN in the TBCD layout of TS 29.274 / 29.060 (two digits a byte, low
    /// nibble first):
    ///
    ///     byte 1: MCC digit 2 | MCC digit 1
    ///     byte 2: MNC digit 3 | MCC digit 3   (MNC digit 3 = 0xF: the MNC has 2 digits)
    ///     byte 3: MNC digit 2 | MNC digit 1
    ///
    /// Only the PLMN is read, but the value must be as long as its type requires: a short
    /// value is a truncated or misparsed attribute, and its first bytes should not be trusted
    /// either. Unknown types (including the eNodeB and NG-RAN node ID types, which this does
    /// not handle) and nibbles that are not decimal digits give `nil`.
    public init?(userLocationInfo bytes: [UInt8]) {
        guard let type = bytes.first,
              let locationLength = Self.locationLength(forType: type),
              bytes.count >= 1 + locationLength
        else { return nil }
        let mcc = [bytes[1] & 0x0F, bytes[1] >> 4, bytes[2] & 0x0F]
        var mnc = [bytes[3] & 0x0F, bytes[3] >> 4]
        let mncDigit3 = bytes[2] >> 4
        if mncDigit3 != 0x0F { mnc.append(mncDigit3) }
        guard (mcc + mnc).allSatisfy({ $0 <= 9 }) else { return nil }
        func text(_ digits: [UInt8]) -> String { digits.map(String.init).joined() }
        self.init(mcc: text(mcc), mnc: text(mnc))
    }

    /// Bytes of location that follow the type byte, per Geographic Location Type.
    private static func locationLength(forType type: UInt8) -> Int? {
        switch type {
        case 0, 1, 2: 7    // CGI, SAI, RAI: PLMN + LAC + CI / SAC / RAC
        case 128: 5        // TAI: PLMN + TAC
        case 129: 7        // ECGI: PLMN + 28-bit E-UTRAN cell identity
        case 130: 12       // TAI followed by ECGI
        case 135: 8        // NCGI: PLMN + 36-bit NR cell identity
        case 136: 6        // 5GS TAI: PLMN + 3-byte TAC
        case 137: 14       // 5GS TAI followed by NCGI
        default: nil
        }
    }
}
