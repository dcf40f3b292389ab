/// What rules look at of a SIM: enough to decide scope and conditions and to read a bundle,
/// read without the rest of the SIM on the usage path, where it is asked for every batch.
public struct RuleSubject: Equatable, Sendable {
    /// The SIM.
    public let id: SimID
    /// Its account now.
    public let accountID: AccountID?
    /// Its status now.
    public let status: SimStatus
    /// Its labels.
    public let labels: SimLabels
    /// Its metadata.
    public let metadata: SimMetadata
    /// The country it was last seen in.
    public let country: String?
    /// Its data bundle, if it has one.
    public let bundle: DataBundle?

    /// A subject with every part given.
    public init(id: SimID, accountID: AccountID?, status: SimStatus, labels: SimLabels, metadata: SimMetadata, country: String?, bundle: DataBundle?) {
        self.id = id
        self.accountID = accountID
        self.status = status
        self.labels = labels
        self.metadata = metadata
        self.country = country
        self.bundle = bundle
    }
}

extension Sim {
    /// What rules look at of this SIM.
    public var ruleSubject: RuleSubject {
        RuleSubject(id: id, accountID: accountID, status: status, labels: labels, metadata: metadata, country: lastSeen?.country, bundle: bundle)
    }
}
