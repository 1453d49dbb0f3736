import Foundation
import HTTPTypes
import Hummingbird
import RapportHTTP

/// A browser asking for an address that is no page (a mistyped or stale link) gets a page in its
/// language with a way back to the workbench, not the API's problem document.
struct WebNotFoundMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && Self.wantsPage(request) {
            let locale = Localization.negotiate(request.headers[.acceptLanguage])
            return WebPages.messagePage(locale, title: locale.text("error_page_not_found"), status: .notFound)
        }
    }

    /// A browser's GET for something other than the API.
    static func wantsPage(_ request: Request) -> Bool {
        request.method == .get && !request.uri.path.hasPrefix("/api/") && (request.headers[.accept] ?? "").contains("text/html")
    }
}
