/// One buffer per connection holding the text and blobs of the statement it runs, which SQLite
/// then reads in place (bound `SQLITE_STATIC`) instead of copying each into an allocation of
/// its own.
///
/// Each run copies its values in from the start, so the bindings a kept statement is left with
/// point at bytes the next run may overwrite. That is safe because no statement steps without
/// binding every value anew (``SQLiteHandle`` binds all of them, or clears them first), and
/// because the buffer is only freed after every statement's bindings have been cleared.
struct BindArena: @unchecked Sendable {
    /// Bytes a new connection's arena holds; most statements bind far less.
    static let initialCapacity = 16_384
    /// An arena grown past this by a large statement (an import's batch, a lookup of thousands
    /// of ICCIDs) is given back after that run, rather than held for the connection's life.
    static let largestKept = 262_144

    private var storage: UnsafeMutableRawBufferPointer

    /// An empty arena of `capacity` bytes (at least one, so that even empty text has an address).
    init(capacity: Int = BindArena.initialCapacity) {
        storage = .allocate(byteCount: max(1, capacity), alignment: MemoryLayout<UInt64>.alignment)
    }

    /// Bytes it can hold.
    var capacity: Int { storage.count }

    /// The capacity of the arena that replaces one of `current` bytes too small for `needed`:
    /// at least double, so that runs a little larger each time replace it (and clear every
    /// statement's bindings, making some plan again) only a few times, but no more than
    /// ``largestKept`` unless `needed` is more.
    static func capacity(toHold needed: Int, growing current: Int) -> Int {
        needed > largestKept ? needed : min(max(needed, current * 2), largestKept)
    }

    /// Copies `text`'s UTF-8 bytes in at `offset`, moves `offset` past them, and returns where
    /// they are and how many there are. The caller has made the arena large enough.
    func copy(_ text: String, at offset: inout Int) -> (UnsafeRawPointer, Int) {
        var text = text
        // Native strings are contiguous already; this copies only a bridged one.
        return text.withUTF8 { copy(UnsafeRawBufferPointer($0), at: &offset) }
    }

    /// Copies `bytes` in at `offset`, moves `offset` past them, and returns where they are and
    /// how many there are. The caller has made the arena large enough.
    func copy(_ bytes: UnsafeRawBufferPointer, at offset: inout Int) -> (UnsafeRawPointer, Int) {
        precondition(offset + bytes.count <= storage.count, "bind arena too small")
        let start = storage.baseAddress! + offset
        if let source = bytes.baseAddress, !bytes.isEmpty { start.copyMemory(from: source, byteCount: bytes.count) }
        offset += bytes.count
        return (UnsafeRawPointer(start), bytes.count)
    }

    /// Frees the buffer; the arena is then empty until replaced.
    mutating func free() {
        guard storage.count > 0 else { return }
        storage.deallocate()
        storage = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    }
}
