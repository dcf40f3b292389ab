import Foundation

/// An automation rule: for the SIMs in its scope, when its trigger matches and its
/// conditions hold, it fires its actions, then waits for its re-arm policy.
public struct Rule: Equatable, Sendable {
    /// The rule's `rule_...` id.
    public let id: RuleID
    /// The account whose SIMs it watches.
    public let accountID: AccountID
    /// What the customer calls it; also the reason on the hold it places.
    public var name: String
    /// Whether it fires at all.
    public var enabled: Bool
    /// Which of the account's SIMs it watches.
    public var scope: RuleScope
    /// What makes it fire.
    public var trigger: RuleTrigger
    /// What must also hold of the SIM when the trigger matches.
    public var conditions: RuleConditions
    /// What it does, in order.
    public var actions: [RuleAction]
    /// When it may fire again for the same SIM.
    public var rearm: RearmPolicy
    /// When it was created.
    public let createdAt: Date
    /// When it last changed.
    public var updatedAt: Date

    /// A rule with every part given.
    public init(
        id: RuleID, accountID: AccountID, name: String, enabled: Bool, scope: RuleScope, trigger: RuleTrigger,
        conditions: RuleConditions, actions: [RuleAction], rearm: RearmPolicy, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.accountID = accountID
        self.name = name
        self.enabled = enabled
        self.scope = scope
        self.trigger = trigger
        self.conditions = conditions
        self.actions = actions
        self.rearm = rearm
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The hold the rule's `set_offline` action places and `lift_hold` lifts.
    public var holdCause: HoldCause { .rule(id.rawValue) }

    /// Most rules one account has.
    public static let maximumPerAccount = 1_000
}

/// Which SIMs a rule watches.
public enum RuleScope: Equatable, Sendable {
    /// Every SIM of the account.
    case allSims
    /// The account's SIMs that carry this label.
    case label(String)
    /// These SIMs.
    case sims(Set<SimID>)

    /// Whether the SIM `subject` describes is in scope.
    public func contains(_ subject: RuleSubject) -> Bool {
        switch self {
        case .allSims: true
        case .label(let label): subject.labels.values.contains(label)
        case .sims(let ids): ids.contains(subject.id)
        }
    }

    /// Most SIMs a list scope names.
    public static let maximumSims = 1_000
}

/// What must hold of a SIM, besides the trigger, for a rule to fire.
public struct RuleConditions: Equatable, Sendable {
    /// How the clauses combine.
    public enum Match: String, Sendable {
        /// Every clause holds.
        case all
        /// At least one clause holds.
        case any
    }

    /// One thing to check of the SIM.
    public enum Clause: Equatable, Sendable {
        /// The SIM carries this label.
        case label(String)
        /// The SIM is served in one of these countries.
        case countryIn(Set<String>)
        /// The SIM has one of these statuses.
        case statusIn(Set<SimStatus>)
        /// The SIM's metadata has `key` set to `value`.
        case metadataEquals(key: String, value: String)

        /// The wire name of the clause's type.
        public var typeName: String {
            switch self {
            case .label: "label"
            case .countryIn: "country_in"
            case .statusIn: "status_in"
            case .metadataEquals: "metadata_equals"
            }
        }

        /// Whether the clause holds of the SIM `subject` describes.
        public func holds(for subject: RuleSubject) -> Bool {
            switch self {
            case .label(let label): subject.labels.values.contains(label)
            case .countryIn(let countries): subject.country.map(countries.contains) ?? false
            case .statusIn(let statuses): statuses.contains(subject.status)
            case .metadataEquals(let key, let value): subject.metadata.values[key] == value
            }
        }
    }

    /// How the clauses combine.
    public var match: Match
    /// The checks; none means the conditions always hold.
    public var clauses: [Clause]

    /// Conditions that combine `clauses` by `match`.
    public init(match: Match = .all, clauses: [Clause] = []) {
        self.match = match
        self.clauses = clauses
    }

    /// Whether the conditions hold of the SIM `subject` describes.
    public func hold(for subject: RuleSubject) -> Bool {
        guard !clauses.isEmpty else { return true }
        switch match {
        case .all: return clauses.allSatisfy { $0.holds(for: subject) }
        case .any: return clauses.contains { $0.holds(for: subject) }
        }
    }

    /// Most clauses a rule has.
    public static let maximumClauses = 20
}
