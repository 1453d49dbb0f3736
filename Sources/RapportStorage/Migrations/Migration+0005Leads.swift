extension RapportMigrations {
    /// Leads, pools (member teams, administrators, rules), the assignment log every claim,
    /// release, reclaim and assignment writes (claims per day and cooldowns are read from it), and
    /// the public web forms that capture leads into a pool, and the in-app notifications (an
    /// assignment, a reclaim warning) with a key that keeps a repeated one from arriving twice.
    static let leads0005 = Migration("0005_leads", sql: [
        """
        CREATE TABLE pools (
            id TEXT PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            object TEXT NOT NULL,
            rules TEXT NOT NULL,
            archived INTEGER NOT NULL,
            version BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE pool_teams (
            pool_id TEXT NOT NULL REFERENCES pools (id),
            team_id TEXT NOT NULL REFERENCES teams (id),
            PRIMARY KEY (pool_id, team_id)
        )
        """,
        """
        CREATE TABLE pool_admins (
            pool_id TEXT NOT NULL REFERENCES pools (id),
            user_id TEXT NOT NULL REFERENCES users (id),
            PRIMARY KEY (pool_id, user_id)
        )
        """,
        """
        CREATE TABLE leads (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            company TEXT,
            title TEXT,
            phone TEXT,
            email TEXT,
            wechat_unionid TEXT,
            source TEXT,
            campaign TEXT,
            utm_source TEXT,
            utm_medium TEXT,
            utm_campaign TEXT,
            utm_term TEXT,
            utm_content TEXT,
            referrer TEXT,
            interest TEXT,
            region TEXT,
            score BIGINT,
            custom_fields TEXT NOT NULL,
            status TEXT NOT NULL,
            status_category TEXT NOT NULL,
            status_entered_at BIGINT NOT NULL,
            owner_id TEXT REFERENCES users (id),
            team_id TEXT REFERENCES teams (id),
            pool_id TEXT REFERENCES pools (id),
            assigned_at BIGINT,
            protected_until BIGINT,
            last_follow_up_at BIGINT,
            last_progress_at BIGINT NOT NULL,
            previous_owner_id TEXT,
            released_at BIGINT,
            converted_customer_id TEXT,
            converted_at BIGINT,
            marketing_consent INTEGER,
            version BIGINT NOT NULL,
            created_by TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX leads_owner ON leads (owner_id, id)",
        "CREATE INDEX leads_owner_open ON leads (owner_id, pool_id, status_category)",
        "CREATE INDEX leads_pool_waiting ON leads (pool_id, id) WHERE owner_id IS NULL",
        "CREATE INDEX leads_team ON leads (team_id, id)",
        "CREATE INDEX leads_pool_open ON leads (pool_id, status_category, id)",
        "CREATE INDEX leads_status ON leads (status, id)",
        "CREATE INDEX leads_source ON leads (source, id)",
        "CREATE INDEX leads_phone ON leads (phone) WHERE phone IS NOT NULL",
        "CREATE INDEX leads_email ON leads (email) WHERE email IS NOT NULL",
        "CREATE INDEX leads_unionid ON leads (wechat_unionid) WHERE wechat_unionid IS NOT NULL",
        """
        CREATE TABLE lead_assignments (
            id TEXT PRIMARY KEY,
            lead_id TEXT NOT NULL REFERENCES leads (id),
            kind TEXT NOT NULL,
            pool_id TEXT,
            from_user_id TEXT,
            to_user_id TEXT,
            rule_id TEXT,
            reason TEXT,
            by_user_id TEXT,
            at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX lead_assignments_lead ON lead_assignments (lead_id, at)",
        "CREATE INDEX lead_assignments_claims ON lead_assignments (to_user_id, pool_id, kind, at)",
        "CREATE INDEX lead_assignments_at ON lead_assignments (at)",
        """
        CREATE TABLE lead_forms (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            pool_id TEXT NOT NULL REFERENCES pools (id),
            source TEXT NOT NULL,
            campaign TEXT,
            redirect_url TEXT,
            active INTEGER NOT NULL,
            version BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE notifications (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES users (id),
            kind TEXT NOT NULL,
            details TEXT NOT NULL,
            object_kind TEXT,
            object_id TEXT,
            dedup_key TEXT,
            read_at BIGINT,
            created_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX notifications_user ON notifications (user_id, id)",
        "CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL",
        "CREATE UNIQUE INDEX notifications_dedup ON notifications (user_id, dedup_key) WHERE dedup_key IS NOT NULL",
    ])
}
