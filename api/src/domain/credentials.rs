//! The vocabulary of portfolios and policies: degrees, kinds of work, ages served,
//! training tags and the competency domains.
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Highest degree, ordered from none to doctorate (MD counts as a doctorate). New values may be added later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DegreeLevel {
    None,
    HighSchool,
    Associate,
    Bachelor,
    Master,
    Doctorate,
}

impl DegreeLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            DegreeLevel::None => "none",
            DegreeLevel::HighSchool => "high_school",
            DegreeLevel::Associate => "associate",
            DegreeLevel::Bachelor => "bachelor",
            DegreeLevel::Master => "master",
            DegreeLevel::Doctorate => "doctorate",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DegreeLevel::None => "no degree",
            DegreeLevel::HighSchool => "a high-school diploma",
            DegreeLevel::Associate => "an academic degree",
            DegreeLevel::Bachelor => "a bachelor's degree",
            DegreeLevel::Master => "a master's degree",
            DegreeLevel::Doctorate => "a doctorate (PhD, MD)",
        }
    }

    pub fn parse(s: &str) -> Option<DegreeLevel> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
    }
}

/// The kind of work with infants, young children and families. New values may be added later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkKind {
    /// Early care and education, play and learn.
    Promotion,
    /// Home visiting, early intervention, NICU, parent education, child welfare.
    PreventionEarlyIntervention,
    /// Mental health clinical practice on behalf of the caregiver-child relationship.
    ClinicalIntervention,
    /// Supervising others' work with families.
    ReflectiveSupervision,
    /// Leading clinical practice (supervisors, program leaders).
    ClinicalLeadership,
    /// Leading policy and advocacy.
    PolicyLeadership,
    /// Research or university teaching.
    ResearchFacultyLeadership,
    Policy,
    ResearchFaculty,
    Other,
}

impl WorkKind {
    pub fn label(self) -> &'static str {
        match self {
            WorkKind::Promotion => "promotion (early care and education)",
            WorkKind::PreventionEarlyIntervention => "prevention or early intervention",
            WorkKind::ClinicalIntervention => "clinical infant mental health practice",
            WorkKind::ReflectiveSupervision => "reflective supervision of others",
            WorkKind::ClinicalLeadership => "clinical leadership",
            WorkKind::PolicyLeadership => "policy leadership",
            WorkKind::ResearchFacultyLeadership => "research or faculty leadership",
            WorkKind::Policy => "policy work",
            WorkKind::ResearchFaculty => "research or teaching",
            WorkKind::Other => "other work",
        }
    }
}

/// Ages of the children served, or the age focus of a training. New values may be added later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgeBand {
    /// Pregnancy to 36 months (IMH-E®).
    InfantToddler,
    /// 3 to 6 years (ECMH-E®).
    EarlyChildhood,
    /// Both (birth to six): counts for either.
    BirthToSix,
}

impl AgeBand {
    /// Whether something with this focus counts where `wanted` is required.
    pub fn covers(self, wanted: AgeBand) -> bool {
        self == wanted || self == AgeBand::BirthToSix || wanted == AgeBand::BirthToSix
    }

    pub fn label(self) -> &'static str {
        match self {
            AgeBand::InfantToddler => "infants and toddlers (0-3)",
            AgeBand::EarlyChildhood => "young children (3-6)",
            AgeBand::BirthToSix => "infants, toddlers or young children (0-6)",
        }
    }
}

/// Tags of a specialized training that sub-minimums count. New values may be added later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TrainingTag {
    /// Diversity, equity and inclusion.
    Dei,
    /// About providing reflective supervision/consultation.
    RscProvision,
    /// In-service training.
    InService,
}

impl TrainingTag {
    pub fn label(self) -> &'static str {
        match self {
            TrainingTag::Dei => "diversity, equity and inclusion",
            TrainingTag::RscProvision => "providing reflective supervision/consultation",
            TrainingTag::InService => "in-service training",
        }
    }
}

/// The Competency Guidelines® domains (and the two mentor-level ones). New values may be added later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CompetencyDomain {
    TheoreticalFoundations,
    LawRegulationAgencyPolicy,
    SystemsExpertise,
    DirectServiceSkills,
    WorkingWithOthers,
    Communicating,
    Thinking,
    Reflection,
    Administration,
    ResearchEvaluation,
}

impl CompetencyDomain {
    pub const ALL: [CompetencyDomain; 10] = [
        CompetencyDomain::TheoreticalFoundations,
        CompetencyDomain::LawRegulationAgencyPolicy,
        CompetencyDomain::SystemsExpertise,
        CompetencyDomain::DirectServiceSkills,
        CompetencyDomain::WorkingWithOthers,
        CompetencyDomain::Communicating,
        CompetencyDomain::Thinking,
        CompetencyDomain::Reflection,
        CompetencyDomain::Administration,
        CompetencyDomain::ResearchEvaluation,
    ];

    pub fn label(self) -> &'static str {
        match self {
            CompetencyDomain::TheoreticalFoundations => "Theoretical Foundations",
            CompetencyDomain::LawRegulationAgencyPolicy => "Law, Regulation & Agency Policy",
            CompetencyDomain::SystemsExpertise => "Systems Expertise",
            CompetencyDomain::DirectServiceSkills => "Direct Service Skills",
            CompetencyDomain::WorkingWithOthers => "Working with Others",
            CompetencyDomain::Communicating => "Communicating",
            CompetencyDomain::Thinking => "Thinking",
            CompetencyDomain::Reflection => "Reflection",
            CompetencyDomain::Administration => "Administration",
            CompetencyDomain::ResearchEvaluation => "Research & Evaluation",
        }
    }
}

pub use entity::application_reference::ReferenceKind;

/// A credential category's code, such as `IFS` or `IMHM-R/F` (the codes of
/// `GET /v1/credential-categories`). Named in the document so that lists of them are typed
/// alike everywhere.
#[derive(ToSchema)]
#[schema(example = "IFS", max_length = 16)]
pub struct CategoryCode(pub String);
