import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension Rapport {
    /// The user a record may be given to: an active user the caller can see — anyone such when
    /// `mayAssign` (managers, administrators, the system), else only the caller. Nil otherwise;
    /// the use case names the field.
    func assignableOwner(_ id: RecordID, mayAssign: Bool, by caller: Caller, _ sql: any SQLDatabase) async throws -> User? {
        guard mayAssign || caller.principal?.userID == id else { return nil }
        let userScope = try await scope(caller, .read, .user, anchor: .userTable, table: "users")
        guard let user = try await UserStore(sql).find(id, in: userScope), user.status == .active else { return nil }
        return user
    }
}
