/// The answer to a DELETE: which object is gone.
struct DeletedResource: Codable, Equatable, Sendable {
    /// The deleted object's id.
    let id: String
    /// Its object type, such as `rule`.
    let object: String
    /// Always `true`.
    let deleted: Bool
}
