extension RapportMigrations {
    /// Assignment rules (ordered conditions → a pool, a user or a team with a strategy), the
    /// turn-taking credit each team member has under a rule, reps' leave (a rep on leave receives
    /// no leads), and follow-ups logged on leads (calls, messages, visits before a lead becomes a
    /// customer; they move to the customer's timeline on conversion).
    static let assignment0006 = Migration("0006_assignment_and_follow_ups", sql: [
        """
        CREATE TABLE assignment_rules (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            position BIGINT NOT NULL,
            active INTEGER NOT NULL,
            conditions TEXT NOT NULL,
            target TEXT NOT NULL,
            version BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE assignment_credits (
            rule_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            credit BIGINT NOT NULL,
            PRIMARY KEY (rule_id, user_id)
        )
        """,
        """
        CREATE TABLE user_leaves (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES users (id),
            starts_at BIGINT NOT NULL,
            ends_at BIGINT NOT NULL,
            note TEXT,
            created_by TEXT,
            created_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX user_leaves_user ON user_leaves (user_id, ends_at)",
        """
        CREATE TABLE lead_activities (
            id TEXT PRIMARY KEY,
            lead_id TEXT NOT NULL REFERENCES leads (id),
            type TEXT NOT NULL,
            direction TEXT NOT NULL,
            subject TEXT,
            body TEXT,
            occurred_at BIGINT NOT NULL,
            duration_seconds BIGINT,
            outcome TEXT,
            actor_id TEXT REFERENCES users (id),
            created_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX lead_activities_timeline ON lead_activities (lead_id, occurred_at, id)",
        "CREATE INDEX lead_activities_actor ON lead_activities (actor_id, occurred_at)",
    ])
}
