import Configuration
import Foundation

/// Where settings come from, first match wins: `simgate serve` flags, then the environment,
/// then an optional JSON config file, read through swift-configuration's providers.
public struct SettingsSource: Sendable {
    private struct Layer: Sendable {
        /// How an error names the value's origin, for a key.
        let origin: @Sendable (SettingKey) -> String
        let provider: any ConfigProvider
    }

    private let layers: [Layer]

    /// - Parameters:
    ///   - flags: values given on the command line, by key name.
    ///   - environment: the process environment (`SIMGATE_*` variables).
    public init(flags: [String: String] = [:], environment: [String: String]) {
        var layers: [Layer] = []
        let flagValues = Dictionary(uniqueKeysWithValues: flags.map { (AbsoluteConfigKey(ConfigKey($0.key)), ConfigValue(.string($0.value), isSecret: false)) })
        layers.append(Layer(origin: { $0.flag }, provider: InMemoryProvider(name: "flags", values: flagValues)))
        layers.append(Layer(
            origin: { $0.environmentVariable },
            provider: EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: ConfigKey("simgate"))
        ))
        self.layers = layers
    }

    private init(layers: [Layer]) {
        self.layers = layers
    }

    /// These sources, then the JSON file at `configFile`, whose keys nest as the names do
    /// (`{"port": 8080, "radius": {"auth_port": 1812}}`).
    public func addingConfigFile(_ configFile: String) async throws -> SettingsSource {
        guard FileManager.default.fileExists(atPath: configFile) else {
            throw ConfigurationError(variable: "config file", value: configFile, expected: "a JSON file that exists")
        }
        let location = ConfigReader(provider: InMemoryProvider(values: ["filePath": ConfigValue(.string(configFile), isSecret: false)]))
        let file: FileProvider<JSONSnapshot>
        do {
            file = try await FileProvider<JSONSnapshot>(config: location)
        } catch {
            throw ConfigurationError(variable: "config file", value: configFile, expected: "JSON whose keys are settings (\(error))")
        }
        try Self.checkKeys(of: configFile)
        return SettingsSource(layers: layers + [Layer(origin: { "\($0.name) in \(configFile)" }, provider: file)])
    }

    /// Every key of the config file must name a setting and hold a string or a whole number. A
    /// misspelt key, or a value of another type (`true`, `null`, an object where a value goes),
    /// would otherwise be passed over or read as something else, and the setting fall back to
    /// its default in silence.
    private static func checkKeys(of configFile: String) throws {
        let root: JSONValue
        let repeated: String?
        do {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: configFile))
            // Decoded, a key given twice keeps only its last value: the first would be dropped
            // in silence (a second "radius" object took the first one's ports away).
            repeated = try JSONDuplicateKeys.first(in: bytes)
            root = try JSONDecoder().decode(JSONValue.self, from: bytes)
        } catch let comma as JSONDuplicateKeys.StrayComma {
            throw ConfigurationError(variable: "config file", value: configFile, expected: "JSON without a comma out of place (byte \(comma.offset))")
        } catch is JSONDuplicateKeys.TooDeep {
            throw ConfigurationError(variable: "config file", value: configFile, expected: "JSON nested at most \(JSONDuplicateKeys.maximumDepth) deep")
        } catch {
            throw ConfigurationError(variable: "config file", value: configFile, expected: "JSON whose keys are settings")
        }
        if let repeated {
            throw ConfigurationError(variable: "config file", value: configFile, expected: "each setting once ('\(repeated)' is given twice)")
        }
        guard case .object(let members) = root else {
            throw ConfigurationError(variable: "config file", value: configFile, expected: "a JSON object whose keys are settings")
        }
        let known = Set(SettingKey.all.map(\.name))
        func check(_ members: [String: JSONValue], under prefix: String) throws {
            for (key, value) in members.sorted(by: { $0.key < $1.key }) {
                let name = prefix.isEmpty ? key : prefix + "." + key
                let isGroup = known.contains { $0.hasPrefix(name + ".") }
                switch value {
                case .object(let nested) where isGroup:
                    try check(nested, under: name)
                case .string where known.contains(name), .integer where known.contains(name):
                    continue
                default:
                    guard known.contains(name) || isGroup else {
                        throw ConfigurationError(variable: "config file", value: configFile, expected: "JSON whose keys are settings; '\(name.prefix(80))' is not one")
                    }
                    throw ConfigurationError(
                        variable: "\(name) in \(configFile)", value: value.kindName,
                        expected: isGroup ? "an object of settings" : "a string or a whole number"
                    )
                }
            }
        }
        try check(members, under: "")
    }

    /// The value of `key` and where it came from, or `nil` when no source sets it. A config
    /// file may give numbers as JSON numbers; they are read as their digits.
    func value(_ key: SettingKey) throws -> (text: String, origin: String)? {
        let absolute = AbsoluteConfigKey(ConfigKey(key.name))
        for layer in layers {
            let found: ConfigValue?
            do {
                found = try layer.provider.value(forKey: absolute, type: .string).value
            } catch {
                do {
                    found = try layer.provider.value(forKey: absolute, type: .int).value
                } catch {
                    throw ConfigurationError(variable: layer.origin(key), value: "?", expected: "a \(key.type)")
                }
            }
            switch found?.content {
            case .string(let text)?: return (text, layer.origin(key))
            case .int(let number)?: return (String(number), layer.origin(key))
            case nil: continue
            default: throw ConfigurationError(variable: layer.origin(key), value: "?", expected: "a \(key.type)")
            }
        }
        return nil
    }
}
