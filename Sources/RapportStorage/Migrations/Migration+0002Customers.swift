extension RapportMigrations {
    /// The business dictionary, settings, customers with their contact points, relations, consents
    /// and tags, the generic stage history, activities, reveal counters and merges.
    ///
    /// Full-text search differs by engine: an FTS5 trigram index kept by triggers on SQLite, a
    /// pg_trgm GIN index on PostgreSQL (a trusted extension: the database owner may create it; it
    /// lives in `public`, so databases that keep Rapport in another schema share one copy).
    static let customers0002 = Migration("0002_customers") { engine in
        var statements = [
            """
            CREATE TABLE dictionary_versions (
                object TEXT NOT NULL,
                version BIGINT NOT NULL,
                body TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                created_by TEXT,
                PRIMARY KEY (object, version)
            )
            """,
            """
            CREATE TABLE settings (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL,
                version BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                updated_by TEXT
            )
            """,
            """
            CREATE TABLE customers (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                company TEXT,
                title TEXT,
                owner_id TEXT REFERENCES users (id),
                team_id TEXT REFERENCES teams (id),
                source TEXT,
                stage TEXT NOT NULL,
                stage_entered_at BIGINT NOT NULL,
                lifecycle TEXT,
                value_tier TEXT,
                score BIGINT,
                do_not_contact BIGINT NOT NULL,
                do_not_contact_reason TEXT,
                id_number TEXT,
                custom_fields TEXT NOT NULL,
                search_text TEXT NOT NULL,
                merged_into TEXT,
                version BIGINT NOT NULL,
                created_by TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX customers_owner ON customers (owner_id, id)",
            "CREATE INDEX customers_team ON customers (team_id, id)",
            "CREATE INDEX customers_stage ON customers (stage, id)",
            "CREATE INDEX customers_source ON customers (source, id)",
            "CREATE INDEX customers_merged_into ON customers (merged_into) WHERE merged_into IS NOT NULL",
            """
            CREATE TABLE customer_contacts (
                id TEXT PRIMARY KEY,
                customer_id TEXT NOT NULL REFERENCES customers (id),
                kind TEXT NOT NULL,
                value TEXT NOT NULL,
                label TEXT,
                is_primary BIGINT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX customer_contacts_customer ON customer_contacts (customer_id)",
            "CREATE INDEX customer_contacts_value ON customer_contacts (kind, value)",
            """
            CREATE TABLE customer_relations (
                id TEXT PRIMARY KEY,
                from_id TEXT NOT NULL REFERENCES customers (id),
                to_id TEXT NOT NULL REFERENCES customers (id),
                type TEXT NOT NULL,
                note TEXT,
                created_by TEXT,
                created_at BIGINT NOT NULL,
                UNIQUE (from_id, to_id, type)
            )
            """,
            "CREATE INDEX customer_relations_to ON customer_relations (to_id)",
            """
            CREATE TABLE customer_consents (
                customer_id TEXT NOT NULL REFERENCES customers (id),
                channel TEXT NOT NULL,
                purpose TEXT NOT NULL,
                status TEXT NOT NULL,
                source TEXT,
                recorded_at BIGINT NOT NULL,
                recorded_by TEXT,
                PRIMARY KEY (customer_id, channel, purpose)
            )
            """,
            """
            CREATE TABLE customer_tags (
                customer_id TEXT NOT NULL REFERENCES customers (id),
                tag TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (customer_id, tag)
            )
            """,
            "CREATE INDEX customer_tags_tag ON customer_tags (tag, customer_id)",
            """
            CREATE TABLE stage_history (
                id TEXT PRIMARY KEY,
                object TEXT NOT NULL,
                record_id TEXT NOT NULL,
                from_stage TEXT,
                to_stage TEXT NOT NULL,
                at BIGINT NOT NULL,
                by_id TEXT,
                reason TEXT
            )
            """,
            "CREATE INDEX stage_history_record ON stage_history (object, record_id, at)",
            """
            CREATE TABLE activities (
                id TEXT PRIMARY KEY,
                customer_id TEXT NOT NULL REFERENCES customers (id),
                type TEXT NOT NULL,
                direction TEXT NOT NULL,
                subject TEXT,
                body TEXT,
                occurred_at BIGINT NOT NULL,
                duration_seconds BIGINT,
                outcome TEXT,
                place TEXT,
                related_kind TEXT,
                related_id TEXT,
                actor_id TEXT REFERENCES users (id),
                cap_warning BIGINT NOT NULL,
                version BIGINT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX activities_timeline ON activities (customer_id, occurred_at, id)",
            "CREATE INDEX activities_outbound ON activities (customer_id, direction, occurred_at)",
            "CREATE INDEX activities_related ON activities (related_kind, related_id)",
            "CREATE INDEX activities_actor ON activities (actor_id, occurred_at)",
            """
            CREATE TABLE reveal_counters (
                user_id TEXT NOT NULL,
                window_start BIGINT NOT NULL,
                count BIGINT NOT NULL,
                PRIMARY KEY (user_id, window_start)
            )
            """,
            """
            CREATE TABLE merges (
                id TEXT PRIMARY KEY,
                survivor_id TEXT NOT NULL REFERENCES customers (id),
                merged_id TEXT NOT NULL REFERENCES customers (id),
                snapshot TEXT NOT NULL,
                merged_by TEXT,
                merged_at BIGINT NOT NULL,
                undone_at BIGINT,
                undone_by TEXT
            )
            """,
            "CREATE INDEX merges_survivor ON merges (survivor_id)",
            "CREATE INDEX merges_merged ON merges (merged_id)",
        ]
        switch engine {
        case .sqlite:
            statements += [
                "CREATE INDEX customers_search_prefix ON customers (search_text)",
                "CREATE VIRTUAL TABLE customer_search USING fts5(search_text, content='customers', content_rowid='rowid', tokenize='trigram')",
                """
                CREATE TRIGGER customers_search_insert AFTER INSERT ON customers BEGIN
                    INSERT INTO customer_search (rowid, search_text) VALUES (new.rowid, new.search_text);
                END
                """,
                """
                CREATE TRIGGER customers_search_delete AFTER DELETE ON customers BEGIN
                    INSERT INTO customer_search (customer_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
                END
                """,
                """
                CREATE TRIGGER customers_search_update AFTER UPDATE OF search_text ON customers BEGIN
                    INSERT INTO customer_search (customer_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
                    INSERT INTO customer_search (rowid, search_text) VALUES (new.rowid, new.search_text);
                END
                """,
            ]
        case .postgres:
            statements += [
                "CREATE INDEX customers_search_prefix ON customers (search_text text_pattern_ops)",
                "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public",
                "CREATE INDEX customers_search_trgm ON customers USING gin (search_text public.gin_trgm_ops)",
            ]
        }
        return statements
    }
}
