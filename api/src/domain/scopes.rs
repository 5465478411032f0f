//! The scopes a machine client can hold. A client acts for one affiliate, never as a person.
pub use entity::sets::Scope;

/// Parses a space-separated scope list (as OAuth and the `scopes` column spell it):
/// unknown scopes are an error; order and duplicates are normalised.
pub fn parse(list: &str) -> Result<Vec<Scope>, String> {
    let mut out = list
        .split_whitespace()
        .map(|s| Scope::parse(s).ok_or_else(|| format!("`{s}` is not a scope")))
        .collect::<Result<Vec<_>, _>>()?;
    normalise(&mut out);
    Ok(out)
}

/// Sorted by name, without duplicates.
pub fn normalise(scopes: &mut Vec<Scope>) {
    scopes.sort_by_key(|s| s.as_str());
    scopes.dedup();
}

/// The space-separated form.
pub fn join(scopes: &[Scope]) -> String {
    scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises() {
        assert_eq!(parse("sync:read people:read sync:read"), Ok(vec![Scope::PeopleRead, Scope::SyncRead]));
        assert!(parse("people:read root").is_err());
        assert_eq!(parse(""), Ok(vec![]));
        assert_eq!(join(&[Scope::PeopleRead, Scope::SyncRead]), "people:read sync:read");
    }
}
