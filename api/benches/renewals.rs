//! Seeds 100 000 endorsees and times the renewal jobs: the lapse job (set-based) and
//! one page of the due list. Run: `cargo bench -p api --bench renewals` (SQLite in a temp
//! folder), or with `BENCH_DATABASE_URL=postgres://...` (an empty database) for PostgreSQL.
use std::time::{Duration, Instant};

use api::{
    auth::Caller, auth::SubjectKind, domain::roles::Role, features::renewals::service as renewals,
    platform::audit::Actor,
};
use chrono::NaiveDate;
use sea_orm::{EntityTrait, Set};

const PEOPLE: usize = 100_000;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().expect("dir");
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db?mode=rwc", dir.path().display()));
    api::db::migrate_up(&url).await.expect("migrate");
    let db = api::db::connect_url(&url, 4, Duration::from_secs(30)).await.expect("db");
    let wa = uuid::Uuid::parse_str(migration::WASHINGTON_ID).expect("id");
    let now = chrono::Utc::now();
    let started = Instant::now();
    for chunk in 0..(PEOPLE / 1000) {
        let txn = api::db::begin_write(&db).await.expect("txn");
        let mut people = Vec::new();
        let mut endorsements = Vec::new();
        for i in 0..1000 {
            let n = chunk * 1000 + i;
            let id = uuid::Uuid::now_v7();
            people.push(entity::person::ActiveModel {
                id: Set(id),
                affiliate_id: Set(wa),
                email: Set(format!("p{n}@bench.example")),
                email_normalized: Set(format!("p{n}@bench.example")),
                given_name: Set(format!("Given{n}")),
                family_name: Set("Bench".into()),
                password_hash: Set(None),
                status: Set(entity::person::PersonStatus::Active),
                preferred_language: Set(entity::sets::Language::English),
                phone: Set(None),
                address_line1: Set(None),
                address_line2: Set(None),
                city: Set(None),
                region: Set(None),
                postal_code: Set(None),
                country: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
                ..Default::default()
            });
            // Half expired at the end of 2025 (to lapse), half run through 2026 (due).
            let expires =
                if n % 2 == 0 { NaiveDate::from_ymd_opt(2025, 12, 31) } else { NaiveDate::from_ymd_opt(2026, 12, 31) };
            endorsements.push(entity::endorsement::ActiveModel {
                id: Set(uuid::Uuid::now_v7()),
                affiliate_id: Set(wa),
                person_id: Set(id),
                application_id: Set(None),
                category_code: Set("IFS".into()),
                number: Set(format!("WA-IFS-B{n:07}")),
                issued_on: Set(NaiveDate::from_ymd_opt(2024, 1, 1).expect("date")),
                expires_on: Set(expires.expect("date")),
                status: Set(entity::endorsement::EndorsementStatus::Active),
                emerging: Set(false),
                listed: Set(true),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            });
        }
        entity::person::Entity::insert_many(people).exec(&txn).await.expect("people");
        entity::endorsement::Entity::insert_many(endorsements).exec(&txn).await.expect("endorsements");
        txn.commit().await.expect("commit");
    }
    let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    println!("{backend}: seeded {PEOPLE} endorsees in {:.1} s", started.elapsed().as_secs_f64());

    let affiliate = api::platform::tenancy::find(&db, "wa").await.expect("wa");
    let day = NaiveDate::from_ymd_opt(2026, 1, 2).expect("date");
    let links = api::mail::links::Links::new(&url::Url::parse("https://portal.example").expect("url"));
    let t = Instant::now();
    let lapsed = renewals::lapse(&db, &links, &Actor::system(), &affiliate, day).await.expect("lapse");
    println!("{backend}: lapse job, first run: {lapsed} lapsed in {:.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let again = renewals::lapse(&db, &links, &Actor::system(), &affiliate, day).await.expect("lapse");
    println!("{backend}: lapse job, second run: {again} lapsed in {:.2} s", t.elapsed().as_secs_f64());

    let coordinator = Caller {
        kind: SubjectKind::Person,
        id: uuid::Uuid::now_v7(),
        affiliate_id: wa,
        roles: vec![Role::Coordinator],
        scopes: vec![],
        request_id: None,
    };
    let t = Instant::now();
    let page = renewals::statuses(&db, &coordinator, 2026, Some(api::domain::renewal::RenewalStanding::Due), None, 51)
        .await
        .expect("statuses");
    println!(
        "{backend}: due list, first page of 50: {} rows in {:.2} s",
        page.len().min(50),
        t.elapsed().as_secs_f64()
    );
}
