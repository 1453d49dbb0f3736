extension RapportMigrations {
    /// Saved views (保存的视图): a user's named filter sets for a list (`object`: lead or customer),
    /// as the list's normalised query string. A name is unique per user and list; a user's views go
    /// with the user.
    static let savedViews0010 = Migration("0010_saved_views", sql: [
        """
        CREATE TABLE saved_views (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            object TEXT NOT NULL,
            name TEXT NOT NULL,
            query TEXT NOT NULL,
            position BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            UNIQUE (user_id, object, name)
        )
        """,
        "CREATE INDEX saved_views_list ON saved_views (user_id, object, position)",
    ])
}
