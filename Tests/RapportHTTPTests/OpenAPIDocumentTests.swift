import Foundation
import Hummingbird
import RapportHTTP
import RapportTestSupport
import RapportWeb
import Testing

/// `/openapi.json` is the truth: every route the server has is in it, and nothing more.
/// (Response shapes are checked against it by the black-box suite in tests/blackbox.)
@Suite struct OpenAPIDocumentTests {
    static func documentedOperations() throws -> Set<String> {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.data)) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var operations = Set<String>()
        for (path, item) in paths {
            for method in item.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                operations.insert("\(method.uppercased()) \(path)")
            }
        }
        return operations
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteExists() async throws {
        try await TestHarness.with(.sqlite) { harness in
            // HEAD is generated for every GET and implied by it; the document lists GET.
            let routes = Set(harness.router.routes.filter { $0.method != .head }.map { route -> String in
                // Hummingbird writes parameters as `:id`; OpenAPI as `{id}`.
                let path = route.path.description.split(separator: "/").map { part in
                    part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
                }.joined(separator: "/")
                return "\(route.method.rawValue) /\(path)"
            })
            let documented = try Self.documentedOperations()
            // The browser pages are HTML, not API: they are listed by the web layer instead.
            #expect(routes.subtracting(documented).subtracting(WebRoutes.pageRoutes).sorted() == [], "routes missing from /openapi.json")
            #expect(WebRoutes.pageRoutes.isSubset(of: routes), "web pages listed that the server does not have")
            #expect(documented.subtracting(routes).sorted() == [], "documented operations the server does not have")
        }
    }
}
