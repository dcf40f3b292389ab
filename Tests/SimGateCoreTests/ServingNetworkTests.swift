import Testing
@testable import SimGateCore

@Suite("Serving network from RADIUS location attributes")
struct ServingNetworkTests {
    @Test("MCCs map to ISO countries; shared codes have none")
    func countries() {
        #expect(MobileCountryCodes.country(forMCC: "262") == "DE")
        #expect(MobileCountryCodes.country(forMCC: "234") == "GB")
        #expect(MobileCountryCodes.country(forMCC: "235") == "GB")
        #expect(MobileCountryCodes.country(forMCC: "310") == "US")
        #expect(MobileCountryCodes.country(forMCC: "316") == "US")
        #expect(MobileCountryCodes.country(forMCC: "901") == nil)
        #expect(MobileCountryCodes.country(forMCC: "001") == nil)
    }

    @Test("3GPP-SGSN-MCC-MNC: the length tells a 2-digit MNC from a 3-digit one")
    func mccMNC() throws {
        let germany = try #require(ServingNetwork(mccMNC: "26201"))
        #expect(germany.mcc == "262")
        #expect(germany.mnc == "01")
        #expect(germany.mccMNC == "26201")
        #expect(germany.country == "DE")

        let unitedStates = try #require(ServingNetwork(mccMNC: "310410"))
        #expect(unitedStates.mcc == "310")
        #expect(unitedStates.mnc == "410")
        #expect(unitedStates.country == "US")
    }

    @Test("a hyphen or space after the MCC is accepted")
    func separated() {
        #expect(ServingNetwork(mccMNC: "262-01") == ServingNetwork(mccMNC: "26201"))
        #expect(ServingNetwork(mccMNC: "310 410")?.mccMNC == "310410")
    }

    @Test("wrong lengths and non-digits are rejected", arguments: ["2620", "2620123", "26a01", "", "2620-1", "262--01", "２６２０１"])
    func rejects(text: String) {
        #expect(ServingNetwork(mccMNC: text) == nil)
    }

    @Test("3GPP-User-Location-Info: TAI+ECGI for 262/01")
    func taiAndECGI() throws {
        // PLMN 262/01 in TBCD, low nibble first:
        //   0x62 = MCC digit 2 (6) | MCC digit 1 (2)
        //   0xF2 = MNC digit 3 (F, so the MNC has 2 digits) | MCC digit 3 (2)
        //   0x10 = MNC digit 2 (1) | MNC digit 1 (0)
        let plmn: [UInt8] = [0x62, 0xF2, 0x10]
        let bytes: [UInt8] = [130]            // Geographic Location Type: TAI and ECGI
            + plmn + [0x12, 0x34]             // TAI: PLMN + TAC
            + plmn + [0x01, 0x23, 0x45, 0x67] // ECGI: PLMN + E-UTRAN cell identity
        #expect(bytes.count == 13)
        let network = try #require(ServingNetwork(userLocationInfo: bytes))
        #expect(network.mcc == "262")
        #expect(network.mnc == "01")
        #expect(network.country == "DE")
        #expect(network == ServingNetwork(mccMNC: "26201"))
    }

    @Test("3GPP-User-Location-Info: CGI with a 3-digit MNC, 310/410")
    func cgiThreeDigitMNC() throws {
        // 0x13 = 1 | 3, 0x00 = MNC digit 3 (0) | MCC digit 3 (0), 0x14 = 1 | 4; then LAC and CI.
        let bytes: [UInt8] = [0, 0x13, 0x00, 0x14, 0xAB, 0xCD, 0x00, 0x42]
        let network = try #require(ServingNetwork(userLocationInfo: bytes))
        #expect(network.mcc == "310")
        #expect(network.mnc == "410")
        #expect(network.mccMNC == "310410")
        #expect(network.country == "US")
    }

    @Test("3GPP-User-Location-Info: unknown type, truncated value or non-decimal nibbles give nil")
    func rejectsBadLocation() {
        let cgi: [UInt8] = [0, 0x13, 0x00, 0x14, 0xAB, 0xCD, 0x00, 0x42]
        #expect(ServingNetwork(userLocationInfo: [3] + cgi.dropFirst()) == nil)
        #expect(ServingNetwork(userLocationInfo: Array(cgi.dropLast())) == nil)
        #expect(ServingNetwork(userLocationInfo: [130, 0x62, 0xF2, 0x10, 0x12, 0x34]) == nil)
        #expect(ServingNetwork(userLocationInfo: []) == nil)
        #expect(ServingNetwork(userLocationInfo: [0, 0x1A, 0x00, 0x14, 0xAB, 0xCD, 0x00, 0x42]) == nil)
    }
}
