//! What a person reads for the closed sets they see, in English and Spanish, so front ends
//! show the service's words instead of hard-coding them. Each table is an exhaustive
//! match: a new value does not compile until it has both labels.
use serde::Serialize;
use utoipa::ToSchema;

use super::credentials::{AgeBand, CompetencyDomain, DegreeLevel, TrainingTag, WorkKind};
use entity::application_reference::ReferenceKind;

/// One value of a closed set and what it reads as in each language.
#[derive(Debug, Serialize, ToSchema)]
pub struct Labeled<T: ToSchema> {
    pub value: T,
    /// English.
    pub en: &'static str,
    /// Spanish.
    pub es: &'static str,
}

fn table<T: ToSchema + Copy>(values: &[T], label: fn(T) -> (&'static str, &'static str)) -> Vec<Labeled<T>> {
    values
        .iter()
        .map(|v| {
            let (en, es) = label(*v);
            Labeled { value: *v, en, es }
        })
        .collect()
}

/// The labels of every closed set a person sees, in declaration order.
#[derive(Debug, Serialize, ToSchema)]
pub struct Labels {
    pub competency_domains: Vec<Labeled<CompetencyDomain>>,
    pub work_kinds: Vec<Labeled<WorkKind>>,
    pub age_bands: Vec<Labeled<AgeBand>>,
    pub training_tags: Vec<Labeled<TrainingTag>>,
    pub reference_kinds: Vec<Labeled<ReferenceKind>>,
    pub degree_levels: Vec<Labeled<DegreeLevel>>,
}

pub fn all() -> Labels {
    use AgeBand as A;
    use DegreeLevel as D;
    use TrainingTag as T;
    use WorkKind as W;
    Labels {
        competency_domains: table(&CompetencyDomain::ALL, domain),
        work_kinds: table(
            &[
                W::Promotion,
                W::PreventionEarlyIntervention,
                W::ClinicalIntervention,
                W::ReflectiveSupervision,
                W::ClinicalLeadership,
                W::PolicyLeadership,
                W::ResearchFacultyLeadership,
                W::Policy,
                W::ResearchFaculty,
                W::Other,
            ],
            work_kind,
        ),
        age_bands: table(&[A::InfantToddler, A::EarlyChildhood, A::BirthToSix], age_band),
        training_tags: table(&[T::Dei, T::RscProvision, T::InService], training_tag),
        reference_kinds: table(ReferenceKind::ALL, reference_kind),
        degree_levels: table(
            &[D::None, D::HighSchool, D::Associate, D::Bachelor, D::Master, D::Doctorate],
            degree_level,
        ),
    }
}

fn domain(d: CompetencyDomain) -> (&'static str, &'static str) {
    use CompetencyDomain::*;
    match d {
        TheoreticalFoundations => ("Theoretical Foundations", "Fundamentos teóricos"),
        LawRegulationAgencyPolicy => {
            ("Law, Regulation & Agency Policy", "Leyes, normativa y políticas institucionales")
        }
        SystemsExpertise => ("Systems Expertise", "Conocimiento de los sistemas"),
        DirectServiceSkills => ("Direct Service Skills", "Habilidades de servicio directo"),
        WorkingWithOthers => ("Working with Others", "Trabajo con otras personas"),
        Communicating => ("Communicating", "Comunicación"),
        Thinking => ("Thinking", "Pensamiento"),
        Reflection => ("Reflection", "Reflexión"),
        Administration => ("Administration", "Administración"),
        ResearchEvaluation => ("Research & Evaluation", "Investigación y evaluación"),
    }
}

fn work_kind(w: WorkKind) -> (&'static str, &'static str) {
    use WorkKind::*;
    match w {
        Promotion => ("Promotion (early care and education)", "Promoción (educación y cuidado en la primera infancia)"),
        PreventionEarlyIntervention => ("Prevention or early intervention", "Prevención o intervención temprana"),
        ClinicalIntervention => ("Clinical infant mental health practice", "Práctica clínica en salud mental infantil"),
        ReflectiveSupervision => ("Reflective supervision of others", "Supervisión reflexiva de otras personas"),
        ClinicalLeadership => ("Clinical leadership", "Liderazgo clínico"),
        PolicyLeadership => ("Policy leadership", "Liderazgo en políticas públicas"),
        ResearchFacultyLeadership => ("Research or faculty leadership", "Liderazgo en investigación o docencia"),
        Policy => ("Policy work", "Trabajo en políticas públicas"),
        ResearchFaculty => ("Research or teaching", "Investigación o docencia"),
        Other => ("Other work", "Otro trabajo"),
    }
}

fn age_band(a: AgeBand) -> (&'static str, &'static str) {
    match a {
        AgeBand::InfantToddler => ("Infants and toddlers (0-3)", "Bebés y niños pequeños (0-3)"),
        AgeBand::EarlyChildhood => ("Young children (3-6)", "Niñas y niños de 3 a 6 años"),
        AgeBand::BirthToSix => ("Birth to six", "Desde el nacimiento hasta los seis años"),
    }
}

fn training_tag(t: TrainingTag) -> (&'static str, &'static str) {
    match t {
        TrainingTag::Dei => ("Diversity, equity and inclusion", "Diversidad, equidad e inclusión"),
        TrainingTag::RscProvision => {
            ("Providing reflective supervision/consultation", "Brindar supervisión o consultoría reflexiva")
        }
        TrainingTag::InService => ("In-service training", "Capacitación en servicio"),
    }
}

fn reference_kind(k: ReferenceKind) -> (&'static str, &'static str) {
    match k {
        ReferenceKind::Supervisor => ("Supervisor", "Supervisor o supervisora"),
        ReferenceKind::ReflectiveSupervisor => ("Reflective supervisor", "Supervisor o supervisora reflexiva"),
        ReferenceKind::Colleague => ("Colleague", "Colega"),
        ReferenceKind::Supervisee => ("Supervisee", "Persona supervisada"),
    }
}

fn degree_level(d: DegreeLevel) -> (&'static str, &'static str) {
    match d {
        DegreeLevel::None => ("No degree", "Sin título"),
        DegreeLevel::HighSchool => ("High-school diploma", "Diploma de escuela secundaria"),
        DegreeLevel::Associate => ("Associate degree", "Título técnico universitario (associate)"),
        DegreeLevel::Bachelor => ("Bachelor's degree", "Licenciatura"),
        DegreeLevel::Master => ("Master's degree", "Maestría"),
        DegreeLevel::Doctorate => ("Doctorate (PhD, MD)", "Doctorado (PhD, MD)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value of each set is listed once, with both labels (the lists are written out:
    /// serde's spelling of each value must appear exactly once).
    #[test]
    fn every_value_has_both_labels_once() {
        let labels = serde_json::to_value(all()).expect("json");
        for (set, rows) in labels.as_object().expect("sets") {
            let rows = rows.as_array().expect("rows");
            let mut seen = std::collections::BTreeSet::new();
            for row in rows {
                assert!(seen.insert(row["value"].as_str().expect("value").to_string()), "{set}: {row} twice");
                assert!(
                    !row["en"].as_str().unwrap_or_default().is_empty()
                        && !row["es"].as_str().unwrap_or_default().is_empty()
                );
            }
        }
        assert_eq!(labels["competency_domains"].as_array().map(Vec::len), Some(10));
        assert_eq!(labels["reference_kinds"][1]["es"], "Supervisor o supervisora reflexiva");
    }
}
