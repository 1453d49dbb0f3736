extension RapportMigrations {
    /// Playbooks (SOPs): every version of each (`playbooks`, one active per key; trigger, steps and
    /// exits as JSON, the trigger's key indexed for the lookup a change makes), their runs on records
    /// (`playbook_runs`) and the runs' steps with due times, status and assignee
    /// (`playbook_run_steps`, the rows compliance counts and tasks come from).
    static let playbooks0020 = Migration("0020_playbooks", sql: [
        """
        CREATE TABLE playbooks (
            id TEXT PRIMARY KEY,
            key TEXT NOT NULL,
            version INTEGER NOT NULL,
            name TEXT NOT NULL,
            trigger_key TEXT NOT NULL,
            definition TEXT NOT NULL,
            active INTEGER NOT NULL,
            created_by TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            UNIQUE (key, version)
        )
        """,
        "CREATE INDEX playbooks_trigger ON playbooks (trigger_key, active)",
        """
        CREATE TABLE playbook_runs (
            id TEXT PRIMARY KEY,
            playbook_id TEXT NOT NULL REFERENCES playbooks (id),
            playbook_key TEXT NOT NULL,
            version INTEGER NOT NULL,
            object TEXT NOT NULL,
            record_id TEXT NOT NULL,
            started_at BIGINT NOT NULL,
            status TEXT NOT NULL,
            exit TEXT,
            ended_at BIGINT
        )
        """,
        "CREATE INDEX playbook_runs_record ON playbook_runs (object, record_id, status)",
        "CREATE UNIQUE INDEX playbook_runs_once ON playbook_runs (playbook_key, record_id) WHERE status = 'running'",
        """
        CREATE TABLE playbook_run_steps (
            run_id TEXT NOT NULL REFERENCES playbook_runs (id),
            step INTEGER NOT NULL,
            due_at BIGINT NOT NULL,
            status TEXT NOT NULL,
            ended_at BIGINT,
            assignee_id TEXT NOT NULL,
            PRIMARY KEY (run_id, step)
        )
        """,
        "CREATE INDEX playbook_run_steps_assignee ON playbook_run_steps (assignee_id, status, due_at)",
    ])
}
