/// Names for the 3GPP-RAT-Type values of 3GPP TS 29.061 (the same numbering as GTPv2's RAT
/// Type), as usage records store them.
public enum RadioAccessTechnology {
    /// The stored name for a 3GPP-RAT-Type value; `nil` for values without one.
    public static func name(forRATType value: UInt8) -> String? {
        switch value {
        case 1: "UTRAN"
        case 2: "GERAN"
        case 3: "WLAN"
        case 4: "GAN"
        case 5: "HSPA_EVOLUTION"
        case 6: "EUTRAN"
        case 7: "VIRTUAL"
        case 8: "EUTRAN_NB_IOT"
        case 9: "LTE_M"
        case 10: "NR"
        default: nil
        }
    }

    /// Every stored name.
    public static let names: Set<String> = Set((0...UInt8.max).compactMap(name(forRATType:)))
}
