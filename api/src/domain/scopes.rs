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

/// What holding `scope` lets a client do, as the OpenAPI document's OAuth 2.0 scheme says.
pub fn describe(scope: Scope) -> &'static str {
    match scope {
        Scope::PeopleRead => "Read the affiliate's people",
        Scope::PeopleWrite => "Create and update the affiliate's people",
        Scope::MembershipsRead => "Read memberships",
        Scope::MembershipsWrite => "Record memberships bought elsewhere",
        Scope::InvoicesRead => "Read invoices and payments",
        Scope::PaymentsWrite => "Record payments, waivers and refunds",
        Scope::SyncRead => "Read the change feed",
        Scope::SyncWrite => "Bulk upserts keyed by the partner's ids, and CSV imports",
        Scope::RenewalsRead => "Read renewal status",
        Scope::RenewalsWrite => "Run renewal actions: approve, return, bulk, lapse and reminder jobs",
        Scope::ReportsRead => "Read the dashboard reports",
        Scope::WebhooksManage => "Manage webhook subscriptions and their deliveries",
    }
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
