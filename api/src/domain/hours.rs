//! Hours counted exactly, in quarter hours. In JSON they are decimal numbers that must be
//! multiples of 0.25 (`29.75`); inside they are integers, so sums never drift.
use std::{fmt, iter::Sum, ops::Add};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, ToSchema)]
#[schema(value_type = f64, example = 29.75)]
pub struct Hours(pub i64);

/// No single figure may exceed 100 000 hours; larger ones are typing mistakes.
pub const MAX_QUARTERS: i64 = 400_000;

impl Hours {
    pub fn from_quarters(q: i64) -> Hours {
        Hours(q)
    }

    pub fn whole(h: i64) -> Hours {
        Hours(h * 4)
    }

    pub fn quarters(self) -> i64 {
        self.0
    }

    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 4.0
    }

    /// Parses a decimal number of hours; it must be a non-negative multiple of 0.25.
    pub fn parse(v: f64) -> Result<Hours, String> {
        let q = v * 4.0;
        if !v.is_finite() || v < 0.0 || q.fract() != 0.0 || q > MAX_QUARTERS as f64 {
            return Err(format!("{v} is not a number of hours in quarter hours between 0 and 100000"));
        }
        Ok(Hours(q as i64))
    }

    pub fn saturating_sub(self, other: Hours) -> Hours {
        Hours((self.0 - other.0).max(0))
    }
}

impl Add for Hours {
    type Output = Hours;
    fn add(self, o: Hours) -> Hours {
        Hours(self.0 + o.0)
    }
}

impl Sum for Hours {
    fn sum<I: Iterator<Item = Hours>>(iter: I) -> Hours {
        Hours(iter.map(|h| h.0).sum())
    }
}

impl fmt::Display for Hours {
    /// `30`, `29.75`, `0.5`: no trailing zeros.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / 4;
        match self.0 % 4 {
            0 => write!(f, "{whole}"),
            1 => write!(f, "{whole}.25"),
            2 => write!(f, "{whole}.5"),
            _ => write!(f, "{whole}.75"),
        }
    }
}

impl Serialize for Hours {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 % 4 == 0 { s.serialize_i64(self.0 / 4) } else { s.serialize_f64(self.as_f64()) }
    }
}

impl<'de> Deserialize<'de> for Hours {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Hours, D::Error> {
        let v = f64::deserialize(d)?;
        Hours::parse(v).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarter_hours_only() {
        assert_eq!(Hours::parse(29.75), Ok(Hours(119)));
        assert_eq!(Hours::parse(0.0), Ok(Hours(0)));
        assert!(Hours::parse(1.1).is_err());
        assert!(Hours::parse(-0.25).is_err());
        assert!(Hours::parse(f64::NAN).is_err());
        assert!(Hours::parse(200_000.0).is_err());
        assert_eq!(serde_json::from_str::<Hours>("2.5").ok(), Some(Hours(10)));
        assert!(serde_json::from_str::<Hours>("2.6").is_err());
        assert_eq!(serde_json::to_string(&Hours(120)).ok().as_deref(), Some("30"));
        assert_eq!(serde_json::to_string(&Hours(119)).ok().as_deref(), Some("29.75"));
    }

    #[test]
    fn sums_are_exact() {
        let total: Hours = std::iter::repeat_n(Hours::parse(0.25).unwrap_or_default(), 120).sum();
        assert_eq!(total, Hours::whole(30));
        assert_eq!(Hours(119).to_string(), "29.75");
        assert_eq!(Hours(2).to_string(), "0.5");
    }
}
