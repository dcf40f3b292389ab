import Foundation

/// How the dashboard's overview balances fresh figures against a fast page.
public struct DashboardSettings: Sendable, Equatable {
    /// How long the overview's costlier figures (usage by day and country, cost so far, holds,
    /// bundles, rules fired) are shown before they are worked out again, in seconds. They are
    /// worked out in the background while the page shows the last ones with their time.
    public var figuresMaximumAge: TimeInterval = 60
    /// How long a page waits for figures nobody has worked out yet before it shows without
    /// them (saying they are on their way), in seconds: a small fleet's come at once, a large
    /// fleet's page still answers quickly.
    public var figuresWait: TimeInterval = 0.05

    /// The defaults.
    public init() {}
}
