//! Names, dates and amounts as the recipient reads them.
use chrono::{Datelike, NaiveDate};
use entity::sets::{FeeKind, Language};

#[derive(Clone, Copy, Debug)]
pub struct Locale(pub Language);

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_ES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];

impl Locale {
    /// `December 31, 2026` / `31 de diciembre de 2026`.
    pub fn date(self, d: NaiveDate) -> String {
        let month = d.month0() as usize;
        match self.0 {
            Language::English => format!("{} {}, {}", MONTHS_EN[month], d.day(), d.year()),
            Language::Spanish => format!("{} de {} de {}", d.day(), MONTHS_ES[month], d.year()),
        }
    }

    /// `$25.00` / `25,00 US$` for dollars; other currencies by their code.
    pub fn money(self, cents: i64, currency: &str) -> String {
        let sign = if cents < 0 { "-" } else { "" };
        let (units, rest) = (cents.unsigned_abs() / 100, cents.unsigned_abs() % 100);
        let grouped = group(units, if self.0 == Language::Spanish { '.' } else { ',' });
        match (self.0, currency) {
            (Language::English, "USD") => format!("{sign}${grouped}.{rest:02}"),
            (Language::English, code) => format!("{sign}{grouped}.{rest:02} {code}"),
            (Language::Spanish, "USD") => format!("{sign}{grouped},{rest:02} US$"),
            (Language::Spanish, code) => format!("{sign}{grouped},{rest:02} {code}"),
        }
    }

    pub fn fee_kind(self, kind: FeeKind) -> &'static str {
        let (en, es) = match kind {
            FeeKind::Registration => ("registration fee", "cuota de inscripción"),
            FeeKind::Processing => ("processing fee", "cuota de tramitación"),
            FeeKind::Exam => ("exam fee", "cuota del examen"),
            FeeKind::Renewal => ("renewal fee", "cuota de renovación"),
            FeeKind::LateFee => ("late fee", "recargo por demora"),
        };
        self.pick(en, es)
    }

    /// A name that has a Spanish translation (a category, a plan): the translation for a
    /// Spanish reader when there is one.
    pub fn name<'a>(self, en: &'a str, es: Option<&'a str>) -> &'a str {
        match (self.0, es) {
            (Language::Spanish, Some(es)) if !es.trim().is_empty() => es,
            _ => en,
        }
    }

    pub fn pick<'a>(self, en: &'a str, es: &'a str) -> &'a str {
        if self.0 == Language::Spanish { es } else { en }
    }
}

fn group(mut n: u64, sep: char) -> String {
    let mut parts = Vec::new();
    loop {
        if n < 1000 {
            parts.push(n.to_string());
            break;
        }
        parts.push(format!("{:03}", n % 1000));
        n /= 1000;
    }
    parts.reverse();
    parts.join(&sep.to_string())
}

/// A category's name in `l`'s language, e.g. `Infant Family Specialist (IFS)`; its code
/// alone when the catalog does not have it.
pub async fn category(db: &impl sea_orm::ConnectionTrait, code: &str, l: Locale) -> Result<String, sea_orm::DbErr> {
    use sea_orm::EntityTrait;
    let row = entity::credential_category::Entity::find_by_id(code.to_string()).one(db).await?;
    Ok(match row {
        Some(c) => format!("{} ({})", l.name(&c.name, c.name_es.as_deref()), c.code),
        None => code.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_amounts_read_as_each_language_writes_them() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        assert_eq!(Locale(Language::English).date(d), "December 31, 2026");
        assert_eq!(Locale(Language::Spanish).date(d), "31 de diciembre de 2026");
        assert_eq!(Locale(Language::English).money(12_345_678, "USD"), "$123,456.78");
        assert_eq!(Locale(Language::Spanish).money(2500, "USD"), "25,00 US$");
        assert_eq!(Locale(Language::English).money(5, "CAD"), "0.05 CAD");
        assert_eq!(Locale(Language::Spanish).name("Individual", Some("Individual (ES)")), "Individual (ES)");
        assert_eq!(Locale(Language::Spanish).name("Individual", None), "Individual");
    }
}
