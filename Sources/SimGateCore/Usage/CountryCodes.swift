/// The officially assigned ISO 3166-1 alpha-2 country codes (249 of them), in capitals.
///
/// Rules and usage records name countries by these codes. The mobile country codes' table
/// alone was too narrow: it names no territory that shares its MCC with others (RE and YT
/// under 647, GP and MQ under 340, the Channel Islands under 234), so a CDR from Réunion was
/// refused.
public enum CountryCodes {
    /// Whether `code` is an assigned ISO 3166-1 alpha-2 code, or one a mobile country code
    /// belongs to.
    public static func isCountryCode(_ code: String) -> Bool {
        assigned.contains(code) || MobileCountryCodes.isCountryCode(code)
    }

    private static let assigned: Set<String> = Set("""
        AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
        CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET
        FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU
        ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY
        MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ
        OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
        SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
        UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
        """.split(whereSeparator: \.isWhitespace).map(String.init))
}
