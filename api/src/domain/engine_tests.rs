//! Table-driven tests of the engine, built from Washington's seed table: a profile that
//! just meets a category passes, and missing any one requirement by the smallest amount
//! fails with the right message.
use chrono::{Duration, NaiveDate};

use super::{
    credentials::{AgeBand, DegreeLevel, ReferenceKind, TrainingTag, WorkKind},
    engine::{Education, Evaluation, Profile, Reference, RscEntry, Training, WorkEntry, evaluate},
    hours::Hours,
    policy::{Requirements, WorkRule},
};

const SEED: &str = include_str!("../../../migration/src/seed/washington_policy.json");

fn all() -> serde_json::Map<String, serde_json::Value> {
    match serde_json::from_str::<serde_json::Value>(SEED) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => panic!("the seed policy is a JSON object"),
    }
}

fn policy(code: &str) -> Requirements {
    let v = all().get(code).cloned().unwrap_or_else(|| panic!("no seed policy for {code}"));
    serde_json::from_value(v).unwrap_or_else(|e| panic!("seed policy {code}: {e}"))
}

fn as_of() -> NaiveDate {
    d("2026-11-23")
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|_| panic!("date {s}"))
}

fn h(v: f64) -> Hours {
    Hours::parse(v).unwrap_or_else(|e| panic!("{e}"))
}

fn run(code: &str, p: &Profile) -> Evaluation {
    let work_of = |other: &str| -> Option<WorkRule> { policy(other).work };
    evaluate(&policy(code), p, as_of(), &work_of)
}

/// Work of `kind` ending today and lasting exactly `days` days (inclusive).
fn work(kind: WorkKind, days: i64, paid: bool, families: u32) -> WorkEntry {
    WorkEntry {
        kind,
        ages_served: vec![AgeBand::InfantToddler],
        paid,
        families_served: Some(families),
        start_date: as_of() - Duration::days(days - 1),
        end_date: None,
    }
}

fn training(hours: f64, tags: &[TrainingTag]) -> Training {
    Training {
        date: d("2025-05-01"),
        hours: h(hours),
        tags: tags.to_vec(),
        age_focus: Some(AgeBand::InfantToddler),
        competency_domains: vec![],
    }
}

fn rsc(start: &str, end: &str, hours: f64, about_own: bool) -> RscEntry {
    RscEntry {
        start_date: d(start),
        end_date: d(end),
        hours: h(hours),
        provider_endorsed: true,
        about_own_provision: about_own,
    }
}

fn refs(n: usize) -> Vec<Reference> {
    (0..n).map(|_| Reference { kind: ReferenceKind::Supervisor, submitted: true, competency_domains: vec![] }).collect()
}

fn base(trainings: Vec<Training>) -> Profile {
    Profile {
        trainings,
        references: refs(3),
        code_of_ethics_signed: true,
        membership_active: true,
        exam_passed: true,
        ..Default::default()
    }
}

fn master() -> Vec<Education> {
    vec![Education {
        level: DegreeLevel::Master,
        field: Some("Social work".into()),
        completed_on: Some(d("2018-06-01")),
    }]
}

/// Days in 24 and 36 months as the engine counts them.
const TWO_YEARS: i64 = 730;
const THREE_YEARS: i64 = 1095;

fn ifa() -> Profile {
    let mut p = base(vec![training(10.0, &[]), training(20.0, &[])]);
    p.education = vec![Education { level: DegreeLevel::Associate, field: None, completed_on: None }];
    p
}

fn ifs() -> Profile {
    let mut p = base(vec![training(30.0, &[])]);
    p.work = vec![work(WorkKind::PreventionEarlyIntervention, TWO_YEARS, false, 10)];
    p.rsc = vec![rsc("2025-01-01", "2025-06-30", 12.0, false), rsc("2025-07-01", "2026-12-31", 12.0, false)];
    p.rsc[1].end_date = d("2026-11-01");
    p
}

fn ifrs() -> Profile {
    let mut p = base(vec![training(48.0, &[TrainingTag::InService])]);
    p.work = vec![work(WorkKind::PreventionEarlyIntervention, TWO_YEARS, true, 0)];
    p.rsc = vec![rsc("2025-01-01", "2025-12-31", 24.0, false)];
    p
}

fn imhs() -> Profile {
    let mut p = base(vec![training(30.0, &[])]);
    p.education = master();
    p.work = vec![work(WorkKind::ClinicalIntervention, TWO_YEARS, true, 0)];
    p.rsc = vec![rsc("2025-01-01", "2025-12-31", 25.0, false), rsc("2026-01-01", "2026-11-01", 25.0, false)];
    p
}

fn imhm_c() -> Profile {
    let mut p = base(vec![
        training(30.0, &[TrainingTag::RscProvision]),
        training(15.0, &[]),
        training(3.0, &[TrainingTag::Dei]),
    ]);
    p.education = master();
    p.work = vec![
        work(WorkKind::ClinicalLeadership, THREE_YEARS, true, 0),
        work(WorkKind::ClinicalIntervention, TWO_YEARS, true, 0),
    ];
    p.rsc = vec![rsc("2025-01-01", "2025-12-31", 25.0, true), rsc("2026-01-01", "2026-11-01", 25.0, false)];
    p
}

fn imhm(kind: WorkKind) -> Profile {
    let mut p = base(vec![training(30.0, &[]), training(3.0, &[TrainingTag::Dei])]);
    p.education = master();
    p.work = vec![work(kind, THREE_YEARS, true, 0)];
    p
}

fn passes(code: &str, p: &Profile) {
    let e = run(code, p);
    let unmet: Vec<_> = e.requirements.iter().filter(|r| !r.met).map(|r| (&r.key, &r.missing)).collect();
    assert!(e.met, "{code} should pass; unmet: {unmet:?}");
}

/// Fails on exactly `key`, with a message containing `words`.
fn fails_on(code: &str, p: &Profile, key: &str, words: &str) {
    let e = run(code, p);
    let unmet: Vec<_> = e.requirements.iter().filter(|r| !r.met).collect();
    assert!(!e.met, "{code} should fail on {key}");
    assert_eq!(unmet.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(), vec![key], "{code}: {unmet:?}");
    let missing = unmet[0].missing.clone().unwrap_or_default();
    assert!(missing.contains(words), "{code} {key}: `{missing}` lacks `{words}`");
}

#[test]
fn every_seed_policy_is_valid() {
    let known: Vec<String> = all().keys().cloned().collect();
    for code in &known {
        assert_eq!(policy(code).validate(code, &known), vec![], "{code}");
    }
}

#[test]
fn profiles_that_just_meet_each_category_pass() {
    passes("IFA", &ifa());
    passes("IFS", &ifs());
    passes("IFRS", &ifrs());
    passes("IMHS", &imhs());
    passes("IMHM-C", &imhm_c());
    passes("IMHM-P", &imhm(WorkKind::PolicyLeadership));
    passes("IMHM-R/F", &imhm(WorkKind::ResearchFacultyLeadership));
}

#[test]
fn ifa_without_a_degree_passes_on_two_years_of_work() {
    let mut p = ifa();
    p.education.clear();
    p.work = vec![work(WorkKind::Promotion, TWO_YEARS, false, 0)];
    passes("IFA", &p);
    p.work = vec![work(WorkKind::Promotion, TWO_YEARS - 1, false, 0)];
    fails_on("IFA", &p, "education", "24 months");
}

/// The seed: "Any academic degree OR minimum 2 years infant/early childhood-related work or
/// volunteer experience": volunteering with 3-6-year-olds counts as much as with toddlers.
#[test]
fn ifa_counts_work_or_volunteering_with_young_children_and_the_gap_names_the_ages() {
    let mut p = ifa();
    p.education.clear();
    let mut volunteering = work(WorkKind::PreventionEarlyIntervention, TWO_YEARS, false, 0);
    volunteering.ages_served = vec![AgeBand::EarlyChildhood];
    p.work = vec![volunteering.clone()];
    passes("IFA", &p);
    volunteering.start_date += Duration::days(1);
    p.work = vec![volunteering];
    fails_on("IFA", &p, "education", "24 months of promotion");
    fails_on("IFA", &p, "education", "with infants, toddlers or young children (0-6)");
    // A category whose work must be with infants and toddlers says so in its gap.
    let mut q = ifs();
    for w in &mut q.work {
        w.ages_served = vec![AgeBand::EarlyChildhood];
    }
    let e = run("IFS", &q);
    let gap = e.requirements.iter().find(|r| r.key == "work").and_then(|r| r.missing.clone()).unwrap_or_default();
    assert!(gap.contains("with infants and toddlers (0-3)"), "{gap}");
}

#[test]
fn one_requirement_short_fails_with_its_message() {
    let mut p = ifa();
    p.trainings[0].hours = h(9.75);
    fails_on("IFA", &p, "training.hours", "0.25 more hours of specialized training");
    let mut p = ifa();
    p.references.pop();
    fails_on("IFA", &p, "references", "1 more reference rating");
    let mut p = ifa();
    p.code_of_ethics_signed = false;
    fails_on("IFA", &p, "code_of_ethics", "Code of Ethics");
    let mut p = ifa();
    p.membership_active = false;
    fails_on("IFA", &p, "membership", "membership");

    let mut p = ifs();
    p.trainings[0].hours = h(29.75);
    fails_on("IFS", &p, "training.hours", "0.25 more hours");
    let e = run("IFS", &p);
    assert_eq!(
        e.requirements.iter().find(|r| r.key == "training.hours").map(|r| r.figures.clone()),
        Some("29.75 of 30 hours".into())
    );
    let mut p = ifs();
    p.work[0].families_served = Some(9);
    fails_on("IFS", &p, "work.families", "1 more family served");
    let mut p = ifs();
    p.work[0].start_date += Duration::days(1);
    fails_on("IFS", &p, "work", "more month of prevention or early intervention");
    let mut p = ifs();
    p.rsc[1].hours = h(11.75);
    fails_on("IFS", &p, "rsc.hours", "0.25 more hours of reflective supervision");
    let mut p = ifs();
    p.rsc[0].provider_endorsed = false;
    fails_on("IFS", &p, "rsc.hours", "endorsed providers");
    let mut p = ifs();
    p.trainings[0].age_focus = Some(AgeBand::EarlyChildhood);
    fails_on("IFS", &p, "training.hours", "infants and toddlers");

    let mut p = ifrs();
    p.work[0].paid = false;
    fails_on("IFRS", &p, "work", "paid prevention");

    let mut p = imhm_c();
    p.trainings[1].hours = h(14.0);
    fails_on("IMHM-C", &p, "training.hours", "1 more hour of specialized training");
    let mut p = imhm_c();
    p.trainings[2].hours = h(2.5);
    // 2.5 h DEI is short on DEI and, by the same half hour, on the 48 h total.
    let e = run("IMHM-C", &p);
    let unmet: Vec<&str> = e.requirements.iter().filter(|r| !r.met).map(|r| r.key.as_str()).collect();
    assert_eq!(unmet, vec!["training.hours", "training.dei"]);
    let dei =
        e.requirements.iter().find(|r| r.key == "training.dei").and_then(|r| r.missing.clone()).unwrap_or_default();
    assert!(dei.contains("0.5 more hours of training about diversity"), "{dei}");
    let mut p = imhm_c();
    p.rsc[0].hours = h(24.75);
    p.rsc[1].hours = h(25.25);
    fails_on("IMHM-C", &p, "rsc.about_own_provision", "0.25 more hours of RSC about the RSC you provide");
    let mut p = imhm_c();
    p.work.truncate(1);
    fails_on("IMHM-C", &p, "work.also_meets:IMHS", "clinical infant mental health practice");
}

#[test]
fn imhs_rsc_must_fit_one_24_month_period() {
    // 50 hours, two a month for 25 months: any 24-month period holds only 48.
    let mut p = imhs();
    p.rsc = (0..25)
        .map(|i| {
            let start = d("2024-01-01").checked_add_months(chrono::Months::new(i)).unwrap_or_else(|| d("2024-01-01"));
            RscEntry {
                start_date: start,
                end_date: start + Duration::days(1),
                hours: h(2.0),
                provider_endorsed: true,
                about_own_provision: false,
            }
        })
        .collect();
    fails_on("IMHS", &p, "rsc.hours", "2 more hours");
    let e = run("IMHS", &p);
    assert_eq!(
        e.requirements.iter().find(|r| r.key == "rsc.hours").map(|r| r.figures.clone()),
        Some("RSC: 48 of 50 hours within 24 months".into())
    );
    p.rsc.pop();
    p.rsc.push(rsc("2025-12-01", "2025-12-02", 2.0, false));
    passes("IMHS", &p);
}

#[test]
fn imhs_counts_only_post_master_work_and_needs_the_exam() {
    let mut p = imhs();
    p.education[0].completed_on = Some(as_of() - Duration::days(TWO_YEARS - 10));
    fails_on("IMHS", &p, "work", "after completing a master's degree");
    let mut p = imhs();
    p.education[0].level = DegreeLevel::Bachelor;
    let e = run("IMHS", &p);
    let unmet: Vec<&str> = e.requirements.iter().filter(|r| !r.met).map(|r| r.key.as_str()).collect();
    assert_eq!(unmet, vec!["education", "work"]);
    let mut p = imhs();
    p.exam_passed = false;
    let e = run("IMHS", &p);
    assert!(!e.met && e.met_except_exam);
}

#[test]
fn nothing_is_double_counted() {
    // One 15 h training tagged both DEI and RSC provision: 15 h towards the total, 15 h
    // towards each sub-minimum, once each.
    let mut p = imhm_c();
    p.trainings = vec![training(33.0, &[]), training(15.0, &[TrainingTag::Dei, TrainingTag::RscProvision])];
    passes("IMHM-C", &p);
    let e = run("IMHM-C", &p);
    let have = |k: &str| e.requirements.iter().find(|r| r.key == k).map(|r| r.have).unwrap_or(-1.0);
    assert_eq!((have("training.hours"), have("training.dei"), have("training.rsc_provision")), (48.0, 15.0, 15.0));
    // Overlapping jobs count once: two 13-month jobs over the same period are 13 months.
    let mut p = ifs();
    p.work = vec![
        work(WorkKind::PreventionEarlyIntervention, 400, false, 5),
        work(WorkKind::PreventionEarlyIntervention, 400, false, 5),
    ];
    let e = run("IFS", &p);
    assert_eq!(e.requirements.iter().find(|r| r.key == "work").map(|r| r.have), Some(13.0));
}

#[test]
fn invalid_policies_name_the_problem() {
    let mut p = policy("IMHM-C");
    if let Some(t) = p.training.as_mut() {
        t.sub_minimums[0].hours = h(60.0);
    }
    if let Some(r) = p.rsc.as_mut() {
        r.window_months = 0;
    }
    if let Some(w) = p.work.as_mut() {
        w.also_meets_work_of = Some("XYZ".into());
    }
    let paths: Vec<String> =
        p.validate("IMHM-C", &["IMHM-C".into(), "IMHS".into()]).into_iter().map(|e| e.path).collect();
    assert_eq!(
        paths,
        vec![
            "requirements.work.also_meets_work_of",
            "requirements.training.sub_minimums[0].hours",
            "requirements.rsc.window_months"
        ]
    );
}

#[test]
fn profile_problems_are_found() {
    let mut p = ifs();
    p.work[0].end_date = Some(p.work[0].start_date - Duration::days(1));
    p.rsc[0].end_date = d("2024-01-01");
    let paths: Vec<String> = p.problems().into_iter().map(|(path, _)| path).collect();
    assert_eq!(paths, vec!["work[0].end_date", "rsc[0].end_date"]);
}
