import Foundation
import RapportCore
import SQLKit

extension OpportunityStore {
    /// The filters an opportunity list (and the board) accepts, already checked by the caller.
    public struct ListFilter: Sendable, Equatable {
        public var pipeline: String?
        public var stage: String?
        public var ownerID: RecordID?
        public var teamID: RecordID?
        public var customerID: RecordID?
        public var statusCategory: StageCategory?
        /// Expected to close on or after / on or before these dates (`YYYY-MM-DD`, inclusive).
        public var closeFrom: String?
        public var closeTo: String?
        /// Name starting with this text (case-insensitive for ASCII).
        public var text: String?

        public init() {}
    }

    /// A page of opportunities in scope, newest first, with their lines.
    public func list(_ filter: ListFilter, page: PageRequest, in scope: ScopeFilter?) async throws -> Page<Opportunity> {
        func query(_ restrict: (SQLSelectBuilder) -> SQLSelectBuilder) async throws -> [Opportunity] {
            let query = restrict(filtered(sql.select().columns(qualifiedColumns).from("opportunities"), filter))
            if let cursor = page.cursor { query.where(SQLColumn("id", table: "opportunities"), .lessThan, SQLBind(cursor.after)) }
            return try await query.orderBy(SQLColumn("id", table: "opportunities"), SQLDirection.descending).limit(page.limit + 1).all()
                .map(Self.decode)
        }
        var fetched: [Opportunity]
        if let scope, let alternatives = scope.alternatives() {
            // Owned and shared, each walking an index in id order, merged (see ScopeFilter.alternatives).
            var byID: [RecordID: Opportunity] = [:]
            for alternative in alternatives {
                for opportunity in try await query({ $0.where(alternative) }) { byID[opportunity.id] = opportunity }
            }
            fetched = Array(byID.values.sorted { $0.id > $1.id }.prefix(page.limit + 1))
        } else if let scope {
            fetched = try await query { scope.apply(to: $0) }
        } else {
            fetched = try await query { $0 }
        }
        let result = Page(fetched: fetched, limit: page.limit, key: \.id.rawValue)
        return Page(items: try await withLines(result.items), nextCursor: result.nextCursor)
    }

    /// Sums of a pipeline's opportunities in scope, by stage, currency and probability override:
    /// what ``PipelineBoard/fold(_:pipeline:rounding:)`` folds into the board.
    public func boardGroups(_ filter: ListFilter, in scope: ScopeFilter?) async throws -> [PipelineBoard.Group] {
        let query = filtered(sql.select()
            .column(SQLColumn("stage", table: "opportunities")).column(SQLColumn("currency", table: "opportunities"))
            .column(SQLColumn("probability", table: "opportunities"))
            .column(SQLFunction("count", args: SQLLiteral.all), as: "n")
            // PostgreSQL sums bigints as numeric: cast back (amounts are capped so sums fit 64 bits).
            .column(SQLQueryString("CAST(sum(opportunities.amount_minor) AS BIGINT)"), as: "total")
            .from("opportunities"), filter)
        let scoped = scope.map { $0.apply(to: query) } ?? query
        return try await scoped.groupBy(SQLColumn("stage", table: "opportunities")).groupBy(SQLColumn("currency", table: "opportunities"))
            .groupBy(SQLColumn("probability", table: "opportunities")).all()
            .map { row in
                PipelineBoard.Group(
                    stage: try row.text("stage"), currency: try row.optionalText("currency"),
                    probabilityOverride: try row.optionalInt("probability").map { Int($0) }, count: Int(try row.int("n")),
                    amountMinor: try row.decode(column: "total", as: Int64?.self) ?? 0)
            }
    }

    /// The first `limit` opportunities of one stage in scope (the filter names the pipeline), newest first.
    public func cards(_ filter: ListFilter, limit: Int, in scope: ScopeFilter?) async throws -> [Opportunity] {
        let query = filtered(sql.select().columns(qualifiedColumns).from("opportunities"), filter)
        let scoped = scope.map { $0.apply(to: query) } ?? query
        let found = try await scoped.orderBy(SQLColumn("id", table: "opportunities"), SQLDirection.descending).limit(limit).all().map(Self.decode)
        return try await withLines(found)
    }

    func filtered(_ query: SQLSelectBuilder, _ filter: ListFilter) -> SQLSelectBuilder {
        func equal(_ column: String, _ value: String?) {
            if let value { query.where(SQLColumn(column, table: "opportunities"), .equal, SQLBind(value)) }
        }
        equal("pipeline", filter.pipeline)
        equal("stage", filter.stage)
        equal("owner_id", filter.ownerID?.rawValue)
        equal("team_id", filter.teamID?.rawValue)
        equal("customer_id", filter.customerID?.rawValue)
        equal("status_category", filter.statusCategory?.rawValue)
        if let from = filter.closeFrom {
            query.where(SQLColumn("expected_close_date", table: "opportunities"), .greaterThanOrEqual, SQLBind(from))
        }
        if let to = filter.closeTo {
            query.where(SQLColumn("expected_close_date", table: "opportunities"), .lessThanOrEqual, SQLBind(to))
        }
        if let text = filter.text?.lowercased(), !text.isEmpty {
            let pattern = SQLText.escapeLike(text) + "%"
            query.where(SQLQueryString("lower(opportunities.name) LIKE \(bind: pattern) ESCAPE '\\'"))
        }
        return query
    }
}
