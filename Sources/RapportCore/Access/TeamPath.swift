/// The materialised path of a team in the tree: `/` then each ancestor's id and the team's own
/// id, each followed by `/` (e.g. `/team_A/team_B/`). A subtree is every path with a prefix.
public enum TeamPath {
    /// The path of a team with the given parent path.
    public static func child(of parentPath: String?, id: RecordID) -> String {
        (parentPath ?? "/") + id.rawValue + "/"
    }

    /// Whether `path` lies in the subtree rooted at `root` (a team is in its own subtree).
    public static func isWithin(_ path: String, subtreeOf root: String) -> Bool { path.hasPrefix(root) }

    /// The depth of a team (1 for a root team).
    public static func depth(_ path: String) -> Int { path.split(separator: "/").count }

    /// The longest tree we allow, so that paths stay short and loops stay impossible.
    public static let maximumDepth = 12
}
