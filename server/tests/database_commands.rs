//! `dataport migrate` and `dataport copy-db` as an operator runs them:
//! replicas that migrate at once take turns, and an installation moves to
//! another database with every row and an audit chain that still verifies.

mod common;

use app::core::db::schema::{access_tokens, audit_events, grants, users};
use app::model::Role;
use common::TestPortal;
use common::rest::make_token;
use diesel::prelude::*;
use std::process::{Command, Output};

const BINARY: &str = env!("CARGO_BIN_EXE_dataport");

fn dataport(dir: &std::path::Path, database: &str, args: &[&str]) -> Output {
    Command::new(BINARY)
        .args(["--data-dir", dir.to_str().unwrap()])
        .args(args)
        .env("DATABASE_URL", database)
        .output()
        .expect("dataport runs")
}

/// A fresh destination: a PostgreSQL database when the tests have one, else another SQLite file.
fn destination(dir: &std::path::Path) -> String {
    common::database_for(dir).unwrap_or_else(|| dir.join("copy.db").display().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_that_migrate_at_once_take_turns_and_each_migration_runs_once() {
    let dir = common::private_dir();
    let url = destination(dir.path());
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let (dir, url) = (dir.path().to_owned(), url.clone());
            std::thread::spawn(move || dataport(&dir, &url, &["migrate"]))
        })
        .collect();
    for run in runs {
        let out = run.join().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let db = server::open_database(dir.path(), Some(&url)).unwrap();
    let (runs, distinct): (i64, i64) = db
        .run(|c| {
            use diesel::dsl::sql;
            use diesel::sql_types::BigInt;
            Ok(diesel::select((
                sql::<BigInt>("(SELECT COUNT(*) FROM __diesel_schema_migrations)"),
                sql::<BigInt>("(SELECT COUNT(DISTINCT version) FROM __diesel_schema_migrations)"),
            ))
            .get_result(c)?)
        })
        .await
        .unwrap();
    assert_eq!(runs, distinct, "no migration was recorded twice");
    let shipped = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations")).unwrap().count();
    assert_eq!(runs as usize, shipped, "every migration ran");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_db_moves_every_row_and_the_trail_still_verifies() {
    // The source is a laptop's portal: SQLite in its data directory.
    let dir = common::private_dir();
    let portal = server::start(&TestPortal::args(), dir.path(), None).await.expect("portal on SQLite");
    let t = TestPortal { portal, dir };
    let admin = t.admin().await;
    make_token(&t, &admin, "pipeline", false).await;
    let usecase = t.default_usecase();
    let ed = t.add_user(&usecase.tenant_id, "ed@example.com", Role::Editor);
    t.grant(&ed, &usecase, "team/", true);
    t.sign_in("ed@example.com").await;
    let counts = |c: &mut app::core::db::Conn| -> (i64, i64, i64, i64) {
        (
            users::table.count().get_result(c).unwrap(),
            grants::table.count().get_result(c).unwrap(),
            access_tokens::table.count().get_result(c).unwrap(),
            audit_events::table.count().get_result(c).unwrap(),
        )
    };
    let before = t.db(counts);
    assert!(before.3 >= 3, "the source has a history: {before:?}");

    let to_dir = common::private_dir();
    let to = destination(to_dir.path());
    let from = format!("sqlite://{}", t.dir.path().join("dataport.db").display());
    let out = dataport(t.dir.path(), &from, &["copy-db", "--from", &from, "--to", &to]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("audit_events") && !said.contains("postgres://dataport:"), "{said}");

    let copy = server::open_database(t.dir.path(), Some(&to)).unwrap();
    let after = copy.run(move |c| Ok(counts(c))).await.unwrap();
    assert_eq!(after, before, "users, grants, tokens and events all moved");
    let verified = dataport(t.dir.path(), &to, &["audit", "verify"]);
    let report = String::from_utf8_lossy(&verified.stdout);
    assert!(verified.status.success() && report.contains("intact"), "{report}");

    // A second copy finds the destination holding data and changes nothing.
    let again = dataport(t.dir.path(), &from, &["copy-db", "--from", &from, "--to", &to]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds data"));
    assert_eq!(copy.run(move |c| Ok(counts(c))).await.unwrap(), before);
}
