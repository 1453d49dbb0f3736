import Foundation
import RapportCore
import Testing

@Suite struct AccessPolicyTests {
    let rep = Principal(userID: RecordID(trusted: "usr_A"), role: .rep)

    @Test func standardPolicyGivesEachRoleItsScope() {
        let policy = ScopePolicy.standard
        #expect(policy.scope(.admin, .user) == .all)
        #expect(policy.scope(.manager, .user) == .subtree)
        #expect(policy.scope(.rep, .user) == .own)
        #expect(policy.scope(.rep, .audit) == nil)
        #expect(policy.scope(.analyst, .team) == .all)
    }

    @Test func onlyAdminsManageUsersAndTeams() {
        let policy = ScopePolicy.standard
        for role in Role.allCases where role != .admin {
            let principal = Principal(userID: RecordID(trusted: "usr_X"), role: role)
            #expect(!policy.allows(principal, .create, .user))
            #expect(!policy.allows(principal, .update, .team))
            #expect(policy.allows(principal, .create, .token))
        }
    }

    @Test func readOnlyTokensCannotWrite() {
        let readOnly = Principal(userID: RecordID(trusted: "usr_A"), role: .admin, tokenScopes: [.read])
        #expect(ScopePolicy.standard.allows(readOnly, .read, .user))
        #expect(!ScopePolicy.standard.allows(readOnly, .create, .user))
        #expect(!ScopePolicy.standard.allows(readOnly, .delete, .token))
    }

    @Test func overridesChangeScopeButNotActions() {
        var policy = ScopePolicy.standard
        policy.setScope(.all, role: .rep, kind: .user)
        #expect(policy.scope(.rep, .user) == .all)
        #expect(!policy.allows(rep, .update, .user))
        policy.setScope(nil, role: .rep, kind: .user)
        #expect(!policy.allows(rep, .read, .user))
    }

    @Test func teamPathsNestByPrefix() {
        let root = TeamPath.child(of: nil, id: RecordID(trusted: "team_A"))
        let child = TeamPath.child(of: root, id: RecordID(trusted: "team_B"))
        #expect(root == "/team_A/")
        #expect(child == "/team_A/team_B/")
        #expect(TeamPath.isWithin(child, subtreeOf: root))
        #expect(!TeamPath.isWithin(root, subtreeOf: child))
        #expect(!TeamPath.isWithin("/team_AB/", subtreeOf: root))
        #expect(TeamPath.depth(child) == 2)
    }
}
