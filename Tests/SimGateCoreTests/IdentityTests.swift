import Testing
@testable import SimGateCore

@Suite("SIM and device identifiers")
struct IdentityTests {
    @Test("Luhn accepts published valid numbers and rejects a changed digit", arguments: [
        ("79927398713", true), ("79927398710", false), ("490154203237518", true), ("490154203237519", false),
        // Payloads of odd length (the doubling starts at the first digit), and digits that are
        // not ASCII, which no identifier here may hold.
        ("89445012345678901238", true), ("89445012345678901237", false), ("1230", true), ("1231", false),
        ("٧٩٩٢٧٣٩٨٧١٣", false), ("7992739871a", false),
    ])
    func luhn(number: String, valid: Bool) {
        #expect(Luhn.isValid(number) == valid)
    }

    @Test("an ICCID needs 18 to 22 digits and a Luhn check digit", arguments: [
        ("89883012345678901230", nil),             // 20 digits, valid check digit
        ("8988301234567890124", "invalid_iccid"),  // wrong check digit
        ("898830123456789", "invalid_iccid"),      // too short
        ("8988301234567890123456789", "invalid_iccid"), // too long
        ("8988301234567890123a", "invalid_iccid"), // not digits
        ("", "invalid_iccid"),
    ])
    func iccid(text: String, expectedError: String?) {
        // Build the valid case's check digit rather than trusting the literal.
        let candidate = expectedError == nil ? String(text.dropLast()) + String(Luhn.checkDigit(for: text.dropLast())) : text
        do {
            let iccid = try ICCID(candidate)
            #expect(expectedError == nil)
            #expect(iccid.digits == candidate)
        } catch {
            #expect(error.code == expectedError)
        }
    }

    @Test("an IMSI has exactly 15 digits and exposes its country code")
    func imsi() throws {
        let imsi = try IMSI("262011234567890")
        #expect(imsi.mobileCountryCode == "262")
        #expect(throws: ValidationError.self) { try IMSI("26201123456789") }
        #expect(throws: ValidationError.self) { try IMSI("26201123456789X") }
    }

    @Test("an IMEI is checked by Luhn and derived from a 16-digit IMEISV")
    func imei() throws {
        #expect(try IMEI("490154203237518").digits == "490154203237518")
        #expect(throws: ValidationError.self) { try IMEI("490154203237519") }
        // IMEISV: 14 digits of TAC and serial, then a two-digit software version.
        #expect(try IMEI(fromNetwork: "4901542032375101").digits == "490154203237518")
    }

    @Test("an MSISDN accepts a leading plus and stores digits only")
    func msisdn() throws {
        #expect(try MSISDN("+447700900123").digits == "447700900123")
        #expect(throws: ValidationError.self) { try MSISDN("+44 7700") }
    }

    @Test("labels are validated, sorted and de-duplicated")
    func labels() throws {
        #expect(try SimLabels(["b", "a", "b"]).values == ["a", "b"])
        #expect(throws: ValidationError.self) { try SimLabels(["has space"]) }
        #expect(throws: ValidationError.self) { try SimLabels((0...20).map { "l\($0)" }) }
    }

    @Test("metadata merges Stripe's way: an empty value removes the key")
    func metadata() throws {
        let merged = try SimMetadata(["order": "1", "tier": "gold"]).merging(["order": "", "region": "eu"])
        #expect(merged.values == ["tier": "gold", "region": "eu"])
        #expect(throws: ValidationError.self) { try SimMetadata([String(repeating: "k", count: 41): "v"]) }
    }
}
