//! The front end's pages that emails link to, under `FRONTEND_BASE_URL`: one path per
//! action (README, "Links in emails"). Tokens and numbers are percent-encoded.
use url::Url;
use uuid::Uuid;

#[derive(Clone, Debug)]
pub struct Links {
    base: Url,
}

impl Links {
    pub fn new(frontend_base_url: &Url) -> Links {
        let mut base = frontend_base_url.clone();
        // `https://app.example/portal` and `https://app.example/portal/` both mean the folder.
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        Links { base }
    }

    fn page(&self, path: &str, token: Option<&str>) -> String {
        let mut url = self.base.join(path).unwrap_or_else(|_| self.base.clone());
        if let Some(token) = token {
            url.query_pairs_mut().append_pair("token", token);
        }
        url.into()
    }

    /// `/activate?token=…`: set a password and activate the account.
    pub fn activate(&self, token: &str) -> String {
        self.page("activate", Some(token))
    }

    /// `/reset-password?token=…` (without a token: the page that asks for one).
    pub fn reset_password(&self, token: Option<&str>) -> String {
        self.page("reset-password", token)
    }

    /// `/confirm-email?token=…`: confirm a new address.
    pub fn confirm_email(&self, token: &str) -> String {
        self.page("confirm-email", Some(token))
    }

    /// `/reference?token=…`: a rater rates an applicant or declines.
    pub fn rate_reference(&self, token: &str) -> String {
        self.page("reference", Some(token))
    }

    /// `/applications/{id}`: an application, for its applicant or a reviewer.
    pub fn application(&self, id: Uuid) -> String {
        self.page(&format!("applications/{id}"), None)
    }

    /// `/renewals/{year}`: one's renewal of a year.
    pub fn renewal(&self, year: i32) -> String {
        self.page(&format!("renewals/{year}"), None)
    }

    /// `/invoices/{id}/pay`: pay an invoice.
    pub fn pay_invoice(&self, id: Uuid) -> String {
        self.page(&format!("invoices/{id}/pay"), None)
    }

    /// `/verify/{number}`: the public verification of an endorsement.
    pub fn verify(&self, number: &str) -> String {
        let encoded: String = url::form_urlencoded::byte_serialize(number.as_bytes()).collect();
        self.page(&format!("verify/{encoded}"), None)
    }

    /// `/applications/new?kind=reinstatement`: start reinstating a lapsed endorsement.
    pub fn reinstate(&self) -> String {
        self.page("applications/new?kind=reinstatement", None)
    }

    /// `/webhooks/{id}`: a webhook subscription, for its owner.
    pub fn webhook(&self, id: Uuid) -> String {
        self.page(&format!("webhooks/{id}"), None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_sit_under_the_front_end_and_encode_what_they_carry() {
        for base in ["https://app.example/portal", "https://app.example/portal/"] {
            let links = Links::new(&Url::parse(base).unwrap());
            assert_eq!(links.activate("a+b/c"), "https://app.example/portal/activate?token=a%2Bb%2Fc");
            assert_eq!(
                links.verify("WA-IMHM-R/F-2026-0001"),
                "https://app.example/portal/verify/WA-IMHM-R%2FF-2026-0001"
            );
            assert_eq!(links.reset_password(None), "https://app.example/portal/reset-password");
            assert_eq!(links.renewal(2027), "https://app.example/portal/renewals/2027");
        }
    }
}
