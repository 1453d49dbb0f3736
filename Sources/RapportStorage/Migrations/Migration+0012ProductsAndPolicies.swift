extension RapportMigrations {
    /// The catalog and what prices it: products (unique SKU), their list prices per currency and
    /// price books' prices (`product_prices`: a row without a book is the list price), price
    /// books (unique key, one currency, a validity window) and sales policies (the effect as JSON,
    /// the SKUs it covers, currency, window, eligibility, stacking and priority). Nothing is
    /// deleted: products, books and policies are archived (`active` = 0).
    static let productsAndPolicies0012 = Migration("0012_products_and_policies", sql: [
        """
        CREATE TABLE products (
            id TEXT PRIMARY KEY,
            sku TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            category TEXT,
            unit TEXT NOT NULL,
            active INTEGER NOT NULL,
            version BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX products_category ON products (category, id)",
        """
        CREATE TABLE price_books (
            id TEXT PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            currency TEXT NOT NULL,
            active INTEGER NOT NULL,
            valid_from BIGINT,
            valid_until BIGINT,
            version BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE product_prices (
            product_id TEXT NOT NULL REFERENCES products (id),
            currency TEXT NOT NULL,
            price_book_id TEXT REFERENCES price_books (id),
            amount_minor BIGINT NOT NULL
        )
        """,
        // UNIQUE (product_id, currency, price_book_id), with the list price (no book) unique too:
        // both engines treat NULLs in a unique index as distinct, so the two cases are two indexes.
        "CREATE UNIQUE INDEX product_prices_list ON product_prices (product_id, currency) WHERE price_book_id IS NULL",
        "CREATE UNIQUE INDEX product_prices_book ON product_prices (price_book_id, product_id, currency) WHERE price_book_id IS NOT NULL",
        """
        CREATE TABLE sales_policies (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            effect TEXT NOT NULL,
            skus TEXT NOT NULL,
            currency TEXT,
            valid_from BIGINT,
            valid_until BIGINT,
            tags_any TEXT NOT NULL,
            customers TEXT NOT NULL,
            channels TEXT NOT NULL,
            minimum_subtotal_minor BIGINT,
            stacking TEXT NOT NULL,
            priority BIGINT NOT NULL,
            active INTEGER NOT NULL,
            version BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX sales_policies_active ON sales_policies (active, id)",
    ])
}
