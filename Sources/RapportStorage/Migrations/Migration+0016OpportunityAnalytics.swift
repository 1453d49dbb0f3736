extension RapportMigrations {
    /// What the pipeline analytics read instead of joining the stage history at query time, kept by
    /// a trigger on `stage_history` (whoever appends an opportunity's entry: the use cases, imports,
    /// the bench seeder):
    /// - `opportunities.reached_stages`: the stages the opportunity ever entered, as `,a,b,` (the
    ///   funnel's "reached", the historical win rates);
    /// - `opportunity_stage_visits`: each completed visit to a stage (an entry up to the record's next
    ///   one) with its pipeline and length, for time in stage.
    /// Both are backfilled from the history. One covering index serves the summary, funnel and
    /// forecast scans in its order (grouping without sorting on SQLite).
    static let opportunityAnalytics0016 = Migration("0016_opportunity_analytics") { engine in
        let common = [
            "ALTER TABLE opportunities ADD COLUMN reached_stages TEXT",
            """
            CREATE TABLE opportunity_stage_visits (
                history_id TEXT PRIMARY KEY,
                opportunity_id TEXT NOT NULL,
                pipeline TEXT NOT NULL,
                stage TEXT NOT NULL,
                entered_at BIGINT NOT NULL,
                micros BIGINT NOT NULL,
                hours BIGINT NOT NULL
            )
            """,
            "CREATE INDEX opportunity_stage_visits_stage ON opportunity_stage_visits (pipeline, stage, hours, micros)",
            "CREATE INDEX opportunity_stage_visits_record ON opportunity_stage_visits (opportunity_id)",
            """
            INSERT INTO opportunity_stage_visits (history_id, opportunity_id, pipeline, stage, entered_at, micros, hours)
            SELECT v.id, v.record_id, o.pipeline, v.to_stage, v.at, v.next_at - v.at, (v.next_at - v.at) / 3600000000 FROM (
                SELECT h.id, h.record_id, h.to_stage, h.at, LEAD(h.at) OVER (PARTITION BY h.record_id ORDER BY h.at, h.id) AS next_at
                FROM stage_history h WHERE h.object = 'opportunity'
            ) v JOIN opportunities o ON o.id = v.record_id
            WHERE v.next_at IS NOT NULL
            """,
            """
            CREATE INDEX opportunities_analytics ON opportunities (pipeline, stage, status_category, currency, probability, reached_stages,
                expected_close_date, amount_minor, created_at, closed_at, owner_id, team_id, source)
            """,
        ]
        // The visit the new entry ends (the record's latest earlier entry), and the stage reached.
        let previous = """
            INSERT INTO opportunity_stage_visits (history_id, opportunity_id, pipeline, stage, entered_at, micros, hours)
            SELECT p.id, p.record_id, o.pipeline, p.to_stage, p.at, NEW.at - p.at, (NEW.at - p.at) / 3600000000
            FROM stage_history p JOIN opportunities o ON o.id = p.record_id
            WHERE p.object = 'opportunity' AND p.record_id = NEW.record_id AND p.id <> NEW.id
              AND (p.at < NEW.at OR (p.at = NEW.at AND p.id < NEW.id))
            ORDER BY p.at DESC, p.id DESC LIMIT 1
            ON CONFLICT (history_id) DO NOTHING
            """
        switch engine {
        case .sqlite:
            return common + [
                """
                UPDATE opportunities SET reached_stages = (SELECT ',' || group_concat(DISTINCT h.to_stage) || ',' FROM stage_history h
                    WHERE h.object = 'opportunity' AND h.record_id = opportunities.id)
                """,
                """
                CREATE TRIGGER stage_history_opportunity_analytics AFTER INSERT ON stage_history WHEN NEW.object = 'opportunity' BEGIN
                    \(previous);
                    UPDATE opportunities SET reached_stages = COALESCE(reached_stages, ',') || NEW.to_stage || ','
                        WHERE id = NEW.record_id AND instr(COALESCE(reached_stages, ','), ',' || NEW.to_stage || ',') = 0;
                END
                """,
            ]
        case .postgres:
            return common + [
                """
                UPDATE opportunities SET reached_stages = (SELECT ',' || string_agg(DISTINCT h.to_stage, ',') || ',' FROM stage_history h
                    WHERE h.object = 'opportunity' AND h.record_id = opportunities.id)
                """,
                """
                CREATE FUNCTION stage_history_opportunity_analytics() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    \(previous);
                    UPDATE opportunities SET reached_stages = COALESCE(reached_stages, ',') || NEW.to_stage || ','
                        WHERE id = NEW.record_id AND strpos(COALESCE(reached_stages, ','), ',' || NEW.to_stage || ',') = 0;
                    RETURN NULL;
                END
                $$
                """,
                """
                CREATE TRIGGER stage_history_opportunity_analytics AFTER INSERT ON stage_history FOR EACH ROW
                    WHEN (NEW.object = 'opportunity') EXECUTE FUNCTION stage_history_opportunity_analytics()
                """,
            ]
        }
    }
}
