import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// The router's routes as path patterns with their methods, so an unmatched request can be told
/// apart: a path that exists with other methods is 405 (with `Allow`), anything else 404.
public final class RouteTable: Sendable {
    private let patterns = Mutex<[(segments: [Substring], methods: Set<String>)]>([])

    public init() {}

    /// Records the router's routes (once they are all registered).
    func load(_ routes: [Router<APIRequestContext>.RouteDescription]) {
        var byPath: [String: Set<String>] = [:]
        for route in routes {
            byPath[route.path.description, default: []].insert(route.method.rawValue)
            // The router answers HEAD for every GET (generated when it builds its responder).
            if route.method == .get { byPath[route.path.description, default: []].insert(HTTPRequest.Method.head.rawValue) }
        }
        patterns.withLock { patterns in
            patterns = byPath.map { (path, methods) in (path.split(separator: "/"), methods) }
        }
    }

    /// The methods a path accepts (empty when no route has that path).
    public func methods(for path: String) -> Set<String> {
        let segments = path.split(separator: "/")
        return patterns.withLock { patterns in
            var methods = Set<String>()
            for pattern in patterns where pattern.segments.count == segments.count {
                let matches = zip(pattern.segments, segments).allSatisfy { part, actual in
                    part.hasPrefix(":") || (part.hasPrefix("{") && part.hasSuffix("}")) || part == actual
                }
                if matches { methods.formUnion(pattern.methods) }
            }
            return methods
        }
    }
}
