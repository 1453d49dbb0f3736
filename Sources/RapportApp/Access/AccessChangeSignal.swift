import Foundation
import SQLKit
import Synchronization

/// Tells every process that serves the same database that access changed (a user disabled, a
/// token revoked, a role or scope changed), so their caches drop what they hold.
///
/// Within one process the cache is cleared directly; this carries the news to the others:
/// `NOTIFY` on PostgreSQL (delivered when the transaction commits), a stamp file beside the
/// SQLite database for the command line and the server on one host.
public protocol AccessChangeSignal: Sendable {
    /// Called inside the transaction that changes access.
    func announce(in sql: any SQLDatabase) async throws
    /// Called after that transaction committed.
    func committed()
    /// A cheap value that changes whenever another process announced a change.
    func externalStamp() -> UInt64
}

/// No other process shares the database (tests, in-memory use).
public struct LocalAccessSignal: AccessChangeSignal {
    public init() {}
    public func announce(in sql: any SQLDatabase) async throws {}
    public func committed() {}
    public func externalStamp() -> UInt64 { 0 }
}

/// A stamp file beside an SQLite database. Writers rewrite it after each access change; readers
/// compare its status (inode, size, modification and change times) on every lookup — one `stat`.
public final class FileAccessSignal: AccessChangeSignal {
    public let path: String
    private let counter = Atomic<UInt64>(0)
    private let lastSeen = Mutex<FileStatus?>(nil)
    private let changes = Atomic<UInt64>(0)

    struct FileStatus: Equatable {
        var inode: UInt64
        var size: Int64
        var modified: Int64
        var changed: Int64
    }

    public init(path: String) {
        self.path = path
        lastSeen.withLock { $0 = Self.status(path) }
    }

    public func announce(in sql: any SQLDatabase) async throws {}

    public func committed() {
        let value = counter.add(1, ordering: .relaxed).newValue
        let content = "\(ProcessInfo.processInfo.processIdentifier):\(value):\(Date().timeIntervalSince1970)\n"
        let temporary = path + ".tmp\(ProcessInfo.processInfo.processIdentifier)"
        if FileManager.default.createFile(atPath: temporary, contents: Data(content.utf8)) {
            if rename(temporary, path) != 0 { unlink(temporary) }
        }
    }

    public func externalStamp() -> UInt64 {
        let now = Self.status(path)
        return lastSeen.withLock { seen in
            if seen != now {
                seen = now
                return changes.add(1, ordering: .relaxed).newValue
            }
            return changes.load(ordering: .relaxed)
        }
    }

    static func status(_ path: String) -> FileStatus? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileStatus(
            inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
            changed: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec))
    }
}
