//! Decisions of `authz::decide`, one rule at a time.

use super::*;

fn usecase(tenant: &str) -> Usecase {
    Usecase { id: "uc".into(), ..Usecase::same_account(tenant, "Demo", "111111111111", "data", "us-east-1") }
}

fn actor(role: Role) -> Actor {
    Actor {
        user_id: "u1".into(),
        tenant_id: "t1".into(),
        email: "a@example.com".into(),
        role,
        read_only: false,
        drop_into: None,
    }
}

fn grant(prefix: &str, write: bool, expires_at: Option<i64>) -> Grant {
    Grant {
        id: "g".into(),
        user_id: "u1".into(),
        usecase_id: "uc".into(),
        bucket: "data".into(),
        prefix: prefix.into(),
        can_list: true,
        can_read: true,
        can_write: write,
        can_delete: false,
        expires_at,
        created_at: 0,
        created_by: None,
        updated_at: None,
    }
}

fn object<'a>(uc: &'a Usecase, key: &'a str) -> Resource<'a> {
    Resource::Object { usecase: uc, bucket: "data", key }
}

#[test]
fn a_grant_reaches_its_folder_and_never_a_sibling_with_a_longer_name() {
    let uc = usecase("t1");
    let editor = actor(Role::Editor);
    for stored in ["acme/team/", "acme/team"] {
        let g = [grant(stored, true, None)];
        let read = |key| decide(Some(&editor), &g, Action::ReadObject, object(&uc, key), 0);
        assert!(read("acme/team/a.csv").is_ok(), "{stored}");
        assert!(read("acme/team-finance/salaries.csv").is_err(), "{stored}");
        assert!(read("acme/teams.csv").is_err(), "{stored}");
        let list = decide(Some(&editor), &g, Action::ListObjects, object(&uc, "acme/team-finance/"), 0);
        assert!(list.is_err(), "{stored}");
    }
}

#[test]
fn anonymous_is_asked_to_sign_in() {
    let uc = usecase("t1");
    let r = decide(None, &[], Action::ViewUsecase, Resource::Usecase(&uc), 0);
    assert!(matches!(r, Err(CoreError::NotSignedIn)));
}

#[test]
fn other_tenant_sees_nothing_even_as_admin() {
    let uc = usecase("t2");
    let r = decide(Some(&actor(Role::Admin)), &[], Action::ListObjects, object(&uc, ""), 0);
    assert!(matches!(r, Err(CoreError::Denied(_))));
}

#[test]
fn viewer_cannot_write_even_with_a_write_grant() {
    let uc = usecase("t1");
    let g = [grant("acme/", true, None)];
    let r = decide(Some(&actor(Role::Viewer)), &g, Action::WriteObject, object(&uc, "acme/a.csv"), 0);
    assert!(matches!(r, Err(CoreError::Denied(_))));
    let e = decide(Some(&actor(Role::Editor)), &g, Action::WriteObject, object(&uc, "acme/a.csv"), 0);
    assert_eq!(e.unwrap(), Scope::All);
}

#[test]
fn grant_covers_only_its_prefix() {
    let uc = usecase("t1");
    let g = [grant("acme/uploads/", true, None)];
    let a = actor(Role::Editor);
    assert!(decide(Some(&a), &g, Action::ReadObject, object(&uc, "acme/uploads/x"), 0).is_ok());
    assert!(decide(Some(&a), &g, Action::ReadObject, object(&uc, "acme/other/x"), 0).is_err());
    assert!(decide(Some(&a), &g, Action::ReadObject, object(&uc, "acme/uploads"), 0).is_err());
}

#[test]
fn listing_above_a_grant_shows_only_the_path_down_to_it() {
    let uc = usecase("t1");
    let g = [grant("acme/uploads/", false, None)];
    let scope = decide(Some(&actor(Role::Viewer)), &g, Action::ListObjects, object(&uc, "acme/"), 0).unwrap();
    assert!(scope.shows_folder("data", "acme/uploads/"));
    assert!(!scope.shows_folder("data", "acme/secret/"));
    assert!(!scope.shows_key("data", "acme/readme.txt"));
}

#[test]
fn expired_grant_gives_nothing() {
    let uc = usecase("t1");
    let g = [grant("acme/", true, Some(100))];
    let r = decide(Some(&actor(Role::Editor)), &g, Action::ReadObject, object(&uc, "acme/a"), 200);
    assert!(matches!(r, Err(CoreError::Denied(_))));
}

#[test]
fn everyone_owns_a_home_in_the_data_bucket() {
    let uc = usecase("t1");
    let a = actor(Role::Editor);
    let key = format!("{}notes.txt", home_prefix(&"u1".into()));
    assert!(decide(Some(&a), &[], Action::WriteObject, object(&uc, &key), 0).is_ok());
    assert!(decide(Some(&a), &[], Action::ReadObject, object(&uc, "users/u2/notes.txt"), 0).is_err());
}

#[test]
fn only_admins_manage_buckets_and_usecases() {
    let uc = usecase("t1");
    for action in [Action::ManageBuckets, Action::ManageUsecase] {
        let r = decide(Some(&actor(Role::Editor)), &[], action, Resource::Usecase(&uc), 0);
        assert!(matches!(r, Err(CoreError::Denied(_))), "{action:?}");
        assert!(decide(Some(&actor(Role::Admin)), &[], action, Resource::Usecase(&uc), 0).is_ok());
    }
}

#[test]
fn only_admins_read_the_audit_trail() {
    let r = decide(Some(&actor(Role::Editor)), &[], Action::ViewAudit, Resource::Tenant("t1"), 0);
    assert!(matches!(r, Err(CoreError::Denied(_))));
    assert!(decide(Some(&actor(Role::Admin)), &[], Action::ViewAudit, Resource::Tenant("t1"), 0).is_ok());
}

#[test]
fn a_read_only_token_reads_but_never_writes_even_for_an_admin() {
    let uc = usecase("t1");
    for role in [Role::Admin, Role::Editor] {
        let token = Actor { read_only: true, ..actor(role) };
        let g = [grant("acme/", true, None)];
        let on = |action| decide(Some(&token), &g, action, object(&uc, "acme/a.csv"), 0);
        assert!(on(Action::ReadObject).is_ok(), "{role:?}");
        assert!(on(Action::WriteObject).is_err(), "{role:?}");
        assert!(on(Action::DeleteObject).is_err(), "{role:?}");
        let manage = decide(Some(&token), &g, Action::ManageOwnAccess, Resource::Tenant("t1"), 0);
        assert!(manage.is_err(), "{role:?}");
    }
}

#[test]
fn a_drop_link_uploads_into_its_folder_and_does_nothing_else() {
    let uc = usecase("t1");
    let drop = super::DropBox { usecase_id: uc.id.to_string(), bucket: "data".into(), prefix: "inbox/".into() };
    let visitor = Actor { drop_into: Some(drop), ..actor(Role::Admin) };
    let on = |action, key| decide(Some(&visitor), &[], action, object(&uc, key), 0);
    assert!(on(Action::WriteObject, "inbox/a.csv").is_ok());
    assert!(on(Action::WriteObject, "elsewhere/a.csv").is_err());
    assert!(on(Action::ReadObject, "inbox/a.csv").is_err());
    assert!(on(Action::ListObjects, "inbox/").is_err());
    assert!(on(Action::DeleteObject, "inbox/a.csv").is_err());
    assert!(decide(Some(&visitor), &[], Action::ViewUsecase, Resource::Usecase(&uc), 0).is_err());
}
