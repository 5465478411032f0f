//! How long the requirement engine takes for a large portfolio (hundreds of entries)
//! against the most involved policy (IMHM-C: education, post-degree work, another
//! category's work, training sub-minimums, an RSC window with a sub-minimum).
//! Run: `cargo bench -p api --bench engine`.
use std::hint::black_box;

use api::{
    domain::credentials::AgeBand, domain::credentials::CompetencyDomain, domain::credentials::DegreeLevel,
    domain::credentials::ReferenceKind, domain::credentials::TrainingTag, domain::credentials::WorkKind,
    domain::engine::Education, domain::engine::Profile, domain::engine::Reference, domain::engine::RscEntry,
    domain::engine::Training, domain::engine::WorkEntry, domain::engine::evaluate, domain::hours::Hours,
    domain::policy::Requirements, domain::policy::WorkRule,
};
use chrono::{Duration, NaiveDate};
use criterion::{Criterion, criterion_group, criterion_main};

const SEED: &str = include_str!("../../migration/src/seed/washington_policy.json");

fn policies() -> serde_json::Map<String, serde_json::Value> {
    match serde_json::from_str(SEED) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => panic!("seed policy"),
    }
}

fn large_profile(trainings: usize, work: usize, rsc: usize) -> Profile {
    let start = NaiveDate::from_ymd_opt(2010, 1, 1).expect("date");
    let kinds = [WorkKind::ClinicalIntervention, WorkKind::ClinicalLeadership, WorkKind::PreventionEarlyIntervention];
    let tags = [
        vec![],
        vec![TrainingTag::Dei],
        vec![TrainingTag::RscProvision],
        vec![TrainingTag::Dei, TrainingTag::RscProvision],
    ];
    Profile {
        education: vec![Education { level: DegreeLevel::Master, field: None, completed_on: Some(start) }],
        work: (0..work)
            .map(|i| WorkEntry {
                kind: kinds[i % kinds.len()],
                ages_served: vec![AgeBand::InfantToddler],
                paid: i % 5 != 0,
                families_served: Some(3),
                start_date: start + Duration::days(30 * i as i64),
                end_date: Some(start + Duration::days(30 * i as i64 + 200)),
            })
            .collect(),
        trainings: (0..trainings)
            .map(|i| Training {
                date: start + Duration::days(7 * i as i64),
                hours: Hours::from_quarters(1 + (i as i64 % 16)),
                tags: tags[i % tags.len()].clone(),
                age_focus: Some(if i % 7 == 0 { AgeBand::EarlyChildhood } else { AgeBand::InfantToddler }),
                competency_domains: vec![CompetencyDomain::ALL[i % CompetencyDomain::ALL.len()]],
            })
            .collect(),
        rsc: (0..rsc)
            .map(|i| RscEntry {
                start_date: start + Duration::days(14 * i as i64),
                end_date: start + Duration::days(14 * i as i64 + 13),
                hours: Hours::from_quarters(4 + (i as i64 % 4)),
                provider_endorsed: i % 9 != 0,
                about_own_provision: i % 2 == 0,
            })
            .collect(),
        references: (0..5)
            .map(|_| Reference { kind: ReferenceKind::Supervisor, submitted: true, competency_domains: vec![] })
            .collect(),
        code_of_ethics_signed: true,
        membership_active: true,
        exam_passed: false,
    }
}

fn bench(c: &mut Criterion) {
    let all = policies();
    let get = |code: &str| -> Requirements {
        serde_json::from_value(all.get(code).cloned().expect("policy")).expect("valid policy")
    };
    let imhm_c = get("IMHM-C");
    let imhs_work: Option<WorkRule> = get("IMHS").work;
    let work_of = |code: &str| if code == "IMHS" { imhs_work.clone() } else { None };
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
    // Worst case: no RSC period is enough, so every window is scanned.
    let mut short = large_profile(300, 100, 200);
    for e in &mut short.rsc {
        e.hours = Hours::from_quarters(1);
    }
    for (name, profile) in [
        ("typical (30 trainings, 5 jobs, 20 RSC)", large_profile(30, 5, 20)),
        ("large (300 trainings, 100 jobs, 200 RSC)", large_profile(300, 100, 200)),
        ("large, RSC short: every window scanned", short),
    ] {
        c.bench_function(&format!("evaluate IMHM-C, {name}"), |b| {
            b.iter(|| evaluate(black_box(&imhm_c), black_box(&profile), today, &work_of))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
