// swift-tools-version: 6.2
import PackageDescription

/// Swift 6 language mode, strict concurrency, and a few upcoming features that keep imports honest.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Rapport",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "rapport", targets: ["rapport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // Pure domain: types, rules, folds. Foundation only; no IO, no clock, no randomness.
        .target(name: "RapportCore", swiftSettings: strict),

        // SQLKit stores and the migrator: one implementation for both engines.
        .target(
            name: "RapportStorage",
            dependencies: [
                "RapportCore",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "RapportSQLite",
            dependencies: [
                "RapportStorage",
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "RapportPostgres",
            dependencies: [
                "RapportStorage",
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),

        // Use cases: the only door to behaviour.
        .target(
            name: "RapportApp",
            dependencies: [
                "RapportCore",
                "RapportStorage",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            resources: [.copy("Resources/demo-customers.csv")],
            swiftSettings: strict
        ),
        .target(
            name: "RapportHTTP",
            dependencies: [
                "RapportApp",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MultipartKit", package: "multipart-kit"),
            ],
            resources: [.copy("Resources/openapi.json")],
            swiftSettings: strict
        ),
        .target(
            name: "RapportWeb",
            dependencies: [
                "RapportApp", "RapportHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Templates"), .copy("Locales"), .copy("Static")],
            swiftSettings: strict
        ),
        .target(
            name: "RapportServer",
            dependencies: [
                "RapportApp", "RapportHTTP", "RapportWeb", "RapportSQLite", "RapportPostgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "RapportCLI",
            dependencies: [
                "RapportServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "rapport", dependencies: ["RapportCLI"], swiftSettings: strict),

        // Test support: a controllable clock, sequential ids, backends for the contract suite, an app builder.
        .target(
            name: "RapportTestSupport",
            dependencies: [
                "RapportServer",
                "RapportWeb",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/RapportTestSupport",
            swiftSettings: strict
        ),
        .testTarget(name: "RapportCoreTests", dependencies: ["RapportCore"], swiftSettings: strict),
        .testTarget(name: "RapportStorageTests", dependencies: ["RapportTestSupport"], swiftSettings: strict),
        .testTarget(name: "RapportAppTests", dependencies: ["RapportTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "RapportHTTPTests",
            dependencies: ["RapportTestSupport", "RapportWeb", .product(name: "HummingbirdTesting", package: "hummingbird")],
            swiftSettings: strict
        ),
        .testTarget(name: "RapportCLITests", dependencies: ["RapportCLI", "RapportTestSupport"], swiftSettings: strict),
    ]
)
