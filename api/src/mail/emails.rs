//! The emails the service sends, in the person's preferred language (English or Spanish).
use crate::platform::outbox::EmailMessage;
use entity::sets::Language;

pub struct Recipient<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub language: Language,
}

/// `"Name" <address>`, with characters that could break the header removed (a quote, a
/// backslash that would escape the closing quote, angle brackets, control characters).
pub fn mailbox(name: &str, email: &str) -> String {
    let name: String = name.chars().filter(|c| !matches!(c, '"' | '\\' | '<' | '>') && !c.is_control()).collect();
    format!("\"{name}\" <{email}>")
}

fn to(r: &Recipient) -> String {
    mailbox(r.name, r.email)
}

fn link(base: &str, path: &str, token: &str) -> String {
    format!("{}/{path}?token={token}", base.trim_end_matches('/'))
}

pub fn temporary_login(r: &Recipient, affiliate: &str, base: &str, token: &str) -> EmailMessage {
    let url = link(base, "activate", token);
    let (subject, text) = if r.language == Language::Spanish {
        (
            format!("{affiliate}: su acceso temporal para Endorsement"),
            format!(
                "Hola {},\n\nRecibimos el pago de su inscripción. Use este enlace para crear su contraseña y activar su cuenta (vence en 7 días y sirve una sola vez):\n\n{url}\n\nO ingrese este código: {token}\n",
                r.name
            ),
        )
    } else {
        (
            format!("{affiliate}: your temporary login for Endorsement"),
            format!(
                "Hello {},\n\nYour registration fee is settled. Use this link to set your password and activate your account (it works once and expires in 7 days):\n\n{url}\n\nOr enter this code: {token}\n",
                r.name
            ),
        )
    };
    EmailMessage { to: to(r), subject, text }
}

/// Someone registered with an address that already has an account: its owner is told,
/// instead of the registrant learning that the account exists.
pub fn registration_attempt(r: &Recipient, affiliate: &str, base: &str) -> EmailMessage {
    let reset = format!("{}/reset-password", base.trim_end_matches('/'));
    let (subject, text) = if r.language == Language::Spanish {
        (
            format!("{affiliate}: ya tiene una cuenta"),
            format!(
                "Hola {},\n\nAlguien intentó inscribirse en {affiliate} con esta dirección, que ya tiene una cuenta. Si fue usted, inicie sesión o restablezca su contraseña:\n\n{reset}\n\nSi no fue usted, ignore este mensaje.\n",
                r.name
            ),
        )
    } else {
        (
            format!("{affiliate}: you already have an account"),
            format!(
                "Hello {},\n\nSomeone tried to register with {affiliate} using this address, which already has an account. If it was you, sign in or reset your password:\n\n{reset}\n\nIf it was not you, ignore this email.\n",
                r.name
            ),
        )
    };
    EmailMessage { to: to(r), subject, text }
}

/// An email change asked for an address that already has an account: told to that address.
pub fn address_has_account(r: &Recipient, base: &str) -> EmailMessage {
    let reset = format!("{}/reset-password", base.trim_end_matches('/'));
    let (subject, text) = if r.language == Language::Spanish {
        (
            "Esta dirección ya tiene una cuenta".to_string(),
            format!(
                "Hola {},\n\nSe pidió cambiar el correo de una cuenta a esta dirección, pero esta dirección ya tiene su propia cuenta, así que no se cambió nada. Si olvidó su contraseña:\n\n{reset}\n",
                r.name
            ),
        )
    } else {
        (
            "This address already has an account".to_string(),
            format!(
                "Hello {},\n\nSomeone asked to move an account to this address, but it already has an account of its own, so nothing was changed. If you forgot your password:\n\n{reset}\n",
                r.name
            ),
        )
    };
    EmailMessage { to: to(r), subject, text }
}

pub fn password_reset(r: &Recipient, base: &str, token: &str) -> EmailMessage {
    let url = link(base, "reset-password", token);
    let (subject, text) = if r.language == Language::Spanish {
        (
            "Restablecer su contraseña".to_string(),
            format!(
                "Hola {},\n\nUse este enlace para elegir una nueva contraseña (vence en 1 hora):\n\n{url}\n\nCódigo: {token}\n\nSi no lo pidió, ignore este mensaje.\n",
                r.name
            ),
        )
    } else {
        (
            "Reset your password".to_string(),
            format!(
                "Hello {},\n\nUse this link to choose a new password (it expires in 1 hour):\n\n{url}\n\nCode: {token}\n\nIf you did not ask for this, ignore this email.\n",
                r.name
            ),
        )
    };
    EmailMessage { to: to(r), subject, text }
}

pub fn confirm_email_change(r: &Recipient, base: &str, token: &str) -> EmailMessage {
    let url = link(base, "confirm-email", token);
    let (subject, text) = if r.language == Language::Spanish {
        (
            "Confirme su nueva dirección de correo".to_string(),
            format!(
                "Hola {},\n\nConfirme que esta es su nueva dirección (vence en 24 horas):\n\n{url}\n\nCódigo: {token}\n",
                r.name
            ),
        )
    } else {
        (
            "Confirm your new email address".to_string(),
            format!(
                "Hello {},\n\nConfirm that this is your new address (the link expires in 24 hours):\n\n{url}\n\nCode: {token}\n",
                r.name
            ),
        )
    };
    EmailMessage { to: to(r), subject, text }
}

pub fn email_changed_notice(r: &Recipient, new_email: &str) -> EmailMessage {
    let (subject, text) = if r.language == Language::Spanish {
        (
            "Su correo fue cambiado".to_string(),
            format!("Hola {},\n\nSu cuenta ahora usa {new_email}. Si no fue usted, contáctenos.\n", r.name),
        )
    } else {
        (
            "Your email address was changed".to_string(),
            format!("Hello {},\n\nYour account now uses {new_email}. If this was not you, contact us.\n", r.name),
        )
    };
    EmailMessage { to: to(r), subject, text }
}

pub fn membership_active(r: &Recipient, affiliate: &str, plan: &str, ends_on: &str) -> EmailMessage {
    let (subject, text) = if r.language == Language::Spanish {
        (
            format!("{affiliate}: su membresía está activa"),
            format!("Hola {},\n\nSu membresía ({plan}) está activa hasta el {ends_on}.\n", r.name),
        )
    } else {
        (
            format!("{affiliate}: your membership is active"),
            format!("Hello {},\n\nYour membership ({plan}) is active through {ends_on}.\n", r.name),
        )
    };
    EmailMessage { to: to(r), subject, text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_and_header_safety() {
        let r = Recipient { name: "Ana \"<x>\"\r\nBcc: evil", email: "ana@example.org", language: Language::Spanish };
        let m = temporary_login(&r, "WA", "https://app.example/", "TOKEN");
        assert!(m.subject.contains("acceso temporal"));
        assert!(m.text.contains("https://app.example/activate?token=TOKEN"));
        assert!(!m.to.contains('\n') && !m.to.contains("<x>"), "{}", m.to);
    }
}
