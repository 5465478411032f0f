//! The scopes a machine client can hold. A client acts for one affiliate, never as a person.
pub const ALL: &[(&str, &str)] = &[
    ("people:read", "Read the affiliate's people"),
    ("people:write", "Create and update the affiliate's people"),
    ("memberships:read", "Read memberships"),
    ("memberships:write", "Record memberships bought elsewhere"),
    ("invoices:read", "Read invoices and payments"),
    ("payments:write", "Record payments, waivers and refunds"),
    ("sync:read", "Read the change feed"),
    ("sync:write", "Bulk upserts keyed by the partner's ids"),
    ("renewals:read", "Read renewal status"),
    ("renewals:write", "Run renewal actions"),
    ("reports:read", "Read the dashboard reports"),
    ("webhooks:manage", "Manage webhook subscriptions and their deliveries"),
];

pub fn is_known(scope: &str) -> bool {
    ALL.iter().any(|(s, _)| *s == scope)
}

/// Parses a space-separated scope list: unknown scopes are an error; order and
/// duplicates are normalised.
pub fn parse(list: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for s in list.split_whitespace() {
        if !is_known(s) {
            return Err(format!("`{s}` is not a scope"));
        }
        if !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_and_normalises() {
        assert_eq!(super::parse("sync:read people:read sync:read"), Ok(vec!["people:read".into(), "sync:read".into()]));
        assert!(super::parse("people:read root").is_err());
        assert_eq!(super::parse(""), Ok(vec![]));
    }
}
