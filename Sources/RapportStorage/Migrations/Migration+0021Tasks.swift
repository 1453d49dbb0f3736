extension RapportMigrations {
    /// Tasks (`tasks`): to-dos assigned to users, optionally about a customer, lead, opportunity or
    /// order, with reminder and overdue-alert bookkeeping and the playbook columns the playbook
    /// engine fills; and each user's secret iCalendar feed token (`calendar_feeds`, a hash only).
    static let tasks0021 = Migration("0021_tasks", sql: [
        """
        CREATE TABLE tasks (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            type TEXT NOT NULL,
            due_at BIGINT NOT NULL,
            priority TEXT NOT NULL,
            assignee_id TEXT NOT NULL REFERENCES users (id),
            linked_kind TEXT,
            linked_id TEXT,
            notes TEXT,
            status TEXT NOT NULL,
            outcome TEXT,
            outcome_note TEXT,
            completed_at BIGINT,
            reminder_minutes INTEGER,
            source TEXT NOT NULL,
            playbook_run_id TEXT,
            playbook_step INTEGER,
            overdue_alerted_at BIGINT,
            escalated_at BIGINT,
            created_by TEXT,
            version BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX tasks_assignee_due ON tasks (assignee_id, status, due_at, id)",
        "CREATE INDEX tasks_open_due ON tasks (status, due_at)",
        "CREATE INDEX tasks_linked ON tasks (linked_id, due_at)",
        "CREATE INDEX tasks_playbook_run ON tasks (playbook_run_id)",
        """
        CREATE TABLE calendar_feeds (
            user_id TEXT PRIMARY KEY REFERENCES users (id),
            token_hash TEXT NOT NULL UNIQUE,
            created_at BIGINT NOT NULL
        )
        """,
    ])
}
